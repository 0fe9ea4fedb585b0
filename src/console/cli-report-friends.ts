/** `report friends`: new friends by day, store, guide and channel; month vs target; requests waiting (src/friends/report.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localDate } from '../core/time.js';
import { loadFriendsPlaybook } from '../friends/index.js';
import { friendsReport, renderFriendsReport } from '../friends/index.js';
import { EXIT, UsageError, openStore, type CliCommand } from './cli-io.js';
import { parseRangeArgs } from './cli-report.js';

/** The shipped friends playbook (`sop/friends.yaml`): the monthly targets. */
export const FRIENDS_PLAYBOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop', 'friends.yaml');

const USAGE = `Usage: npm run cli -- report friends [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]

New friends by the local day their request came in, by store, guide and channel: accepted (new),
returning, pending (accept under way), capped (over the daily cap, still pending on WeChat), skipped
(no keyword), failed. Then each store's new friends in the month of --to against its monthly target
(sop/friends.yaml), and every request still waiting. Dates are local days in TIMEZONE. Read-only.

  --from   first day (default: the first of the month of --to)
  --to     last day (default: today)
  --store  one store only
  --json   the same data as JSON

Exit codes: 0 report printed, 2 wrong command line or configuration.`;

/** The `friends` report of the `report` command. */
export const reportFriendsCommand: CliCommand = {
  name: 'report',
  synopsis: 'report friends [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]',
  summary: 'new friends by day, store, guide and channel; month vs target; requests waiting',
  usage: USAGE,
  async run(args, io) {
    const opts = parseRangeArgs(args, 'friends');
    const playbook = loadFriendsPlaybook(FRIENDS_PLAYBOOK);
    const store = openStore(io);
    try {
      const to = opts.to ?? localDate(io.now(), store.config.TIMEZONE);
      const from = opts.from ?? `${to.slice(0, 7)}-01`;
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const report = friendsReport(store.db, playbook, { from, to, store: opts.store });
      io.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : renderFriendsReport(report, store.db)}\n`);
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
