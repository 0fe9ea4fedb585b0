/** `report <what>`: one command routing to each capability's report. */
import { parseArgs } from 'node:util';
import { UsageError, describeArgError, type CliCommand } from './cli-io.js';

/**
 * Builds the `report` command from reports keyed by name; each report receives the full arguments
 * (its name first), as when it stood alone.
 * @example reportCommand({ guides: reportGuidesCommand, friends: reportFriendsCommand })
 */
export function reportCommand(reports: Record<string, CliCommand>): CliCommand {
  const names = Object.keys(reports);
  const list = names.join(', ');
  return {
    name: 'report',
    synopsis: `report ${names.join('|')} [options]`,
    summary: `reports: ${list}`,
    usage: names.map((n) => reports[n]!.usage).join('\n\n'),
    run(args, io) {
      const what = args.find((a) => !a.startsWith('-'));
      const report = what === undefined ? undefined : reports[what];
      if (!report) throw new UsageError(`${what === undefined ? 'which report?' : `unknown report "${what}"`}: reports are ${list}`);
      return report.run(args, io);
    },
  };
}

/**
 * `reportCommand` over reports loaded on demand: for `args` naming one report (and no --help), only
 * that one is loaded; otherwise (help, or no or an unknown report) all of them, for the full usage.
 * @example await lazyReportCommand({ guides: async () => (await import('./cli-report-guides.js')).reportGuidesCommand }, ['guides'])
 */
export async function lazyReportCommand(reports: Record<string, () => Promise<CliCommand>>, args?: readonly string[]): Promise<CliCommand> {
  const what = args?.find((a) => !a.startsWith('-'));
  const one = args !== undefined && !args.some((a) => a === '--help' || a === '-h') && what !== undefined && Object.hasOwn(reports, what);
  const names = one ? [what] : Object.keys(reports);
  const loaded = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await reports[n]!()] as const)));
  return { ...reportCommand(loaded), ...(one ? { synopsis: `report ${Object.keys(reports).join('|')} [options]`, summary: `reports: ${Object.keys(reports).join(', ')}` } : {}) };
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The options every date-range report takes. */
export interface RangeArgs {
  from: string | undefined;
  to: string | undefined;
  store: string | null;
  json: boolean;
}

/**
 * Parses `<name> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]`.
 * @throws UsageError naming the option, what was found and what is expected.
 */
export function parseRangeArgs(args: string[], name: string): RangeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { from: { type: 'string' }, to: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (err) {
    throw new UsageError(describeArgError(err));
  }
  const [what, ...extra] = parsed.positionals;
  if (what !== name) throw new UsageError(`${what === undefined ? 'which report?' : `unknown report "${what}"`}: reports are ${name}`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  for (const k of ['from', 'to'] as const) {
    const v = parsed.values[k];
    if (v !== undefined && !DATE.test(v)) throw new UsageError(`--${k} "${v}" is not a date: expected YYYY-MM-DD, e.g. 2026-11-01`);
  }
  return { from: parsed.values.from, to: parsed.values.to, store: parsed.values.store ?? null, json: parsed.values.json ?? false };
}
