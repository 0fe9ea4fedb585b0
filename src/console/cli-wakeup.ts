/** `wakeup run [--dry-run]`: the dormant-member wake-up's selection on demand (src/wakeup/). */
import { parseArgs } from 'node:util';
import { silentLogger } from '../core/logger.js';
import { recordOnlyOutbox } from '../outbox/index.js';
import { AuditRepo } from './audit.repo.js';
import { cliActor } from './cli-actor.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand, type CliIo } from './cli-io.js';
import { WAKEUP_PLAYBOOK } from './cli-report-wakeup.js';
import { wakeupOps, type WakeupSelectionView } from './wakeup-ops.js';

const USAGE = `Usage: npm run cli -- wakeup run [--dry-run] [--json]

Runs the wake-up's selection now, as the bot does at the start of each send window: newly dormant
members are found and split into treatment and holdout, and the stages due are decided within the
window's budget. Messages are recorded in the outbox for the current or next send window of today;
the running bot gives them their jobs within seconds. After today's last window no stage is decided.

  --dry-run  show what a run now would do (per stage: messages, card suggestions, holdout); nothing is recorded
  --json     the same as JSON

Playbook: sop/wakeup.yaml (WAKEUP_PLAYBOOK=path for another). Audited as cli:<user>.
Exit codes: 0 done, 1 the run failed (reason printed), 2 wrong command line or configuration.`;

/** Renders a selection for people. */
export function renderSelection(r: WakeupSelectionView, tz: string): string {
  const t = (ms: number) => new Date(ms).toLocaleString('sv-SE', { timeZone: tz }).slice(0, 16);
  const lines = [
    `${r.dryRun ? 'wake-up preview (nothing recorded)' : 'wake-up run'} at ${t(r.at)} ${tz}`,
    r.window ? `send window ${t(r.window.start)}–${t(r.window.end).slice(11)}, allowance ${r.allowance} message(s)` : "today's send windows are over: no stage decided",
    `newly dormant: ${r.started.treatment} treatment, ${r.started.holdout} holdout; stopped ${r.stopped}, lapsed ${r.lapsed}`,
    'stage  days  messages  card-suggestions  holdout',
    ...r.stages.map(
      (s) =>
        `${String(s.stage).padEnd(5)}  ${String(s.days).padStart(4)}  ${String(s.sent).padStart(8)}  ${String(s.suggested).padStart(16)}  ${String(s.holdout).padStart(7)}${s.coupon ? `  (coupon ${s.coupon})` : ''}`,
    ),
    `total        ${String(r.totals.sent).padStart(8)}  ${String(r.totals.suggested).padStart(16)}  ${String(r.totals.holdout).padStart(7)}`,
  ];
  return lines.join('\n');
}

/** The `wakeup` command. */
export const wakeupCommand: CliCommand = {
  name: 'wakeup',
  synopsis: 'wakeup run [--dry-run] [--json]',
  summary: 'run the dormant-member wake-up now, or preview it with --dry-run',
  usage: USAGE,
  run: async (args, io) => runWakeupCli(args, io),
};

/** Runs `wakeup …`; resolves to the exit code. @example await runWakeupCli(['run', '--dry-run'], io) // 0 */
export async function runWakeupCli(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'run') throw new UsageError(`${sub === undefined ? 'which one?' : `unknown wakeup command "${sub}"`}: wakeup commands are run`);
  let values: { 'dry-run'?: boolean; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...rest], options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(describeArgError(err));
  }
  const store = openStore(io);
  try {
    const clock = { now: () => io.now() };
    const logger = silentLogger();
    const outbox = recordOnlyOutbox(store.db, store.config.ACCOUNT_ID, { now: () => io.now() });
    const ops = wakeupOps({
      db: store.db,
      outbox,
      clock,
      logger,
      timezone: store.config.TIMEZONE,
      account: store.config.ACCOUNT_ID,
      playbookFile: io.env['WAKEUP_PLAYBOOK'] ?? WAKEUP_PLAYBOOK,
    });
    const r = values['dry-run'] ? ops.preview() : await ops.run();
    if (!r.dryRun) {
      new AuditRepo(store.db).record({
        at: io.now().getTime(),
        actor: cliActor(io),
        channel: 'cli',
        action: 'wakeup.run',
        target: null,
        result: `ok: ${r.totals.sent} message(s), ${r.totals.suggested} suggestion(s), ${r.totals.holdout} holdout`,
      });
    }
    io.stdout.write(`${values.json ? JSON.stringify(r) : renderSelection(r, store.config.TIMEZONE)}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}
