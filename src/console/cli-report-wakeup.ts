/** `report wakeup`: reactivation of the dormant-member wake-up, treatment vs holdout (src/wakeup/report.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadWakeupPlaybook } from '../wakeup/index.js';
import { tierNamesIn } from '../members/index.js';
import { renderWakeupReport, wakeupReport } from '../wakeup/index.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand, type CliIo } from './cli-io.js';

/** The shipped wake-up playbook (its reactivation window is the report's default). */
export const WAKEUP_PLAYBOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop', 'wakeup.yaml');

const USAGE = `Usage: npm run cli -- report wakeup [--window DAYS] [--json]

Reactivation within the window after each wake-up stage (a message, purchase or redemption),
treatment vs holdout, overall, per stage and per stage and tier, with the lift and its 95% confidence
interval (Newcombe's hybrid score method); messages sent, guide suggestions, hand-overs; coupons
issued vs used; episodes stopped and lapsed. Read-only.

  --window  reactivation window in days (default: measurement.reactivationWindowDays of sop/wakeup.yaml)
  --json    the same data as JSON (what the console charts)

Exit codes: 0 report printed, 2 wrong command line or configuration.`;

/**
 * Runs `report wakeup` with the arguments after `wakeup`; resolves to the exit code.
 * @example await runWakeupReport(['--json'], io)
 */
export async function runWakeupReport(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: false, options: { window: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (err) {
    throw new UsageError(describeArgError(err));
  }
  let windowDays: number;
  if (parsed.values.window !== undefined) {
    windowDays = Number(parsed.values.window);
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 180)
      throw new UsageError(`--window "${parsed.values.window}" is not valid: expected a number of days 1–180`);
  } else {
    windowDays = loadWakeupPlaybook(WAKEUP_PLAYBOOK).measurement.reactivationWindowDays;
  }
  const store = openStore(io);
  try {
    const report = wakeupReport(store.db, { now: io.now().getTime(), windowDays });
    io.stdout.write(`${parsed.values.json ? JSON.stringify(report, null, 2) : renderWakeupReport(report, tierNamesIn(path.dirname(WAKEUP_PLAYBOOK)))}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/**
 * `report wakeup` as a stand-alone command object (for a dispatcher that routes `report <what>`
 * by the first positional: `if (what === 'wakeup') return runWakeupReport(rest, io)`).
 */
export const reportWakeupCommand: CliCommand = {
  name: 'report',
  synopsis: 'report wakeup [--window DAYS] [--json]',
  summary: 'dormant-member wake-up: reactivation, treatment vs holdout, lift with 95% CI',
  usage: USAGE,
  async run(args, io) {
    const [what, ...rest] = args;
    if (what !== 'wakeup') throw new UsageError(`${what === undefined ? 'which report?' : `unknown report "${what}"`}: reports are wakeup`);
    return runWakeupReport(rest, io);
  },
};
