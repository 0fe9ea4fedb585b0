/** `report groups`: retention, interaction and staff posts per group; `--spam` lists suspected spam kept for review (src/groups/report.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localDate } from '../core/time.js';
import { loadGroupsPlaybook } from '../groups/index.js';
import { groupHealthReport, renderGroupHealth, renderSpamList, spamList } from '../groups/index.js';
import { EXIT, UsageError, openStore, type CliCommand } from './cli-io.js';
import { parseRangeArgs } from './cli-report.js';

/** The shipped groups playbook (`sop/groups.yaml`): the retention target. */
export const GROUPS_PLAYBOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sop', 'groups.yaml');

const USAGE = `Usage: npm run cli -- report groups [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--spam] [--json]

Per group: retention of new members per month (still in at the month's end / joined in the month,
against the target in sop/groups.yaml), effective interaction per week (Monday first: distinct
non-staff members who posted / members in the group that week), and staff posts per day (roster staff
and the bot account). Members first seen at a check are not joins. Dates are local days in TIMEZONE. Read-only.

  --from   first day (default: the first of the month of --to)
  --to     last day (default: today)
  --store  one store's groups only
  --spam   instead: the suspected spam kept for review (who, which group, what, the raw message with --json)
  --json   the same data as JSON

Exit codes: 0 report printed, 2 wrong command line or configuration.`;

/** The `groups` report of the `report` command. */
export const reportGroupsCommand: CliCommand = {
  name: 'report',
  synopsis: 'report groups [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--store CODE] [--spam] [--json]',
  summary: 'group retention, interaction and staff posts; --spam: suspected spam kept for review',
  usage: USAGE,
  async run(args, io) {
    const spam = args.includes('--spam');
    const opts = parseRangeArgs(
      args.filter((a) => a !== '--spam'),
      'groups',
    );
    const playbook = loadGroupsPlaybook(GROUPS_PLAYBOOK);
    const store = openStore(io);
    try {
      const tz = store.config.TIMEZONE;
      const to = opts.to ?? localDate(io.now(), tz);
      const from = opts.from ?? `${to.slice(0, 7)}-01`;
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      if (spam) {
        const list = spamList(store.db, { from, to, timezone: tz, store: opts.store });
        io.stdout.write(`${opts.json ? JSON.stringify(list, null, 2) : renderSpamList(list, tz)}\n`);
      } else {
        const report = groupHealthReport(store.db, { from, to, timezone: tz, now: io.now().getTime(), store: opts.store, target: playbook.targets.retention });
        io.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : renderGroupHealth(report)}\n`);
      }
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
