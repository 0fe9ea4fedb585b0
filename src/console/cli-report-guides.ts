/** `report guides`: 3+3+3 completion by store, guide and day (src/guide-sop/report.ts). */
import { localDate } from '../core/time.js';
import { guideReport, renderGuideReport } from '../guide-sop/reports.surface.js';
import { addDays } from '../core/calendar.js';
import { EXIT, UsageError, openStore, type CliCommand } from './cli-io.js';
import { parseRangeArgs } from './cli-report.js';

const USAGE = `Usage: npm run cli -- report guides [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]

Completion of the guide "3+3+3" routine from the daily records: by store, by guide (cards, completed
cards, items done/due, rate, current streak, Moments/chats/groups) and by day. Dates are local days
in TIMEZONE, both included. Read-only.

  --from   first day (default: 6 days before --to)
  --to     last day (default: today)
  --store  one store's guides only
  --json   the same data as JSON (what the console charts)

Exit codes: 0 report printed, 2 wrong command line or configuration.`;

/** The `guides` report of the `report` command. */
export const reportGuidesCommand: CliCommand = {
  name: 'report',
  synopsis: 'report guides [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]',
  summary: '3+3+3 completion by store, guide and day',
  usage: USAGE,
  async run(args, io) {
    const opts = parseRangeArgs(args, 'guides');
    const store = openStore(io);
    try {
      const to = opts.to ?? localDate(io.now(), store.config.TIMEZONE);
      const from = opts.from ?? addDays(to, -6);
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const report = guideReport(store.db, { from, to, store: opts.store });
      io.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : renderGuideReport(report)}\n`);
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
