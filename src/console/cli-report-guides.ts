/** `report guides`: 3+3+3 completion by store, guide and day (src/guide-sop/report.ts). */
import { parseArgs } from 'node:util';
import { localDate } from '../core/time.js';
import { guideReport, renderGuideReport } from '../guide-sop/report.js';
import { addDays } from '../guide-sop/selection.rules.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand } from './cli-io.js';

const USAGE = `Usage: npm run cli -- report guides [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]

Completion of the guide "3+3+3" routine from the daily records: by store, by guide (cards, completed
cards, items done/due, rate, current streak, Moments/chats/groups) and by day. Dates are local days
in TIMEZONE, both included. Read-only.

  --from   first day (default: 6 days before --to)
  --to     last day (default: today)
  --store  one store's guides only
  --json   the same data as JSON (what the console charts)

Exit codes: 0 report printed, 2 wrong command line or configuration.`;

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The `report` command; its only report today is `guides`. */
export const reportGuidesCommand: CliCommand = {
  name: 'report',
  synopsis: 'report guides [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]',
  summary: '3+3+3 completion by store, guide and day',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args, strict: true, allowPositionals: true,
        options: { from: { type: 'string' }, to: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
      });
    } catch (err) {
      throw new UsageError(describeArgError(err));
    }
    const [what, ...extra] = parsed.positionals;
    if (what !== 'guides') throw new UsageError(`${what === undefined ? 'which report?' : `unknown report "${what}"`}: reports are guides`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    for (const k of ['from', 'to'] as const) {
      const v = parsed.values[k];
      if (v !== undefined && !DATE.test(v)) throw new UsageError(`--${k} "${v}" is not a date: expected YYYY-MM-DD, e.g. 2026-11-01`);
    }
    const store = openStore(io);
    try {
      const to = parsed.values.to ?? localDate(io.now(), store.config.TIMEZONE);
      const from = parsed.values.from ?? addDays(to, -6);
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const report = guideReport(store.db, { from, to, store: parsed.values.store ?? null });
      io.stdout.write(`${parsed.values.json ? JSON.stringify(report, null, 2) : renderGuideReport(report)}\n`);
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
