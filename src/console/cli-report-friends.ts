/** `report friends`: new friends by day, store, guide and channel; month vs target; requests waiting (src/friends/report.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { localDate } from '../core/time.js';
import { loadFriendsPlaybook } from '../friends/playbook.js';
import { friendsReport, renderFriendsReport } from '../friends/report.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand } from './cli-io.js';

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

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The `report` command with its `friends` report. */
export const reportFriendsCommand: CliCommand = {
  name: 'report',
  synopsis: 'report friends [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--json]',
  summary: 'new friends by day, store, guide and channel; month vs target; requests waiting',
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
    if (what !== 'friends') throw new UsageError(`${what === undefined ? 'which report?' : `unknown report "${what}"`}: reports are friends`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    for (const k of ['from', 'to'] as const) {
      const v = parsed.values[k];
      if (v !== undefined && !DATE.test(v)) throw new UsageError(`--${k} "${v}" is not a date: expected YYYY-MM-DD, e.g. 2026-11-01`);
    }
    const playbook = loadFriendsPlaybook(FRIENDS_PLAYBOOK);
    const store = openStore(io);
    try {
      const to = parsed.values.to ?? localDate(io.now(), store.config.TIMEZONE);
      const from = parsed.values.from ?? `${to.slice(0, 7)}-01`;
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const report = friendsReport(store.db, playbook, { from, to, store: parsed.values.store ?? null });
      io.stdout.write(`${parsed.values.json ? JSON.stringify(report, null, 2) : renderFriendsReport(report, store.db)}\n`);
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
