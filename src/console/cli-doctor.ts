/** `doctor`: checks the membership invariants of the store (src/members/doctor.ts). */
import { parseArgs } from 'node:util';
import { runDoctor } from '../members/index.js';
import { duplicatesOf } from './member-merge.js';
import { EXIT, UsageError, describeArgError, openStore, type CliCommand } from './cli-io.js';

const USAGE = `Usage: npm run cli -- doctor

Checks the store (DB_FILE) and lists every broken invariant: balances equal the ledger, no negative
balance, the ledger's running balance, coupons within per-member limits, stock never negative, each
order credited exactly once, each redemption debited and its coupon issued. Read-only.
Also lists probable duplicate member records (same phone, same contact, same name and birthday,
same name joined in chat and imported): merge them with "members merge KEEP DROP". They are not
broken invariants and do not change the exit code.

Exit codes: 0 all invariants hold, 1 something is broken (listed), 2 wrong command line or configuration.`;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  synopsis: 'doctor',
  summary: "check the store's invariants (balances = ledger, each order credited once, ...)",
  usage: USAGE,
  async run(args, io) {
    try {
      parseArgs({ args, strict: true, allowPositionals: false, options: {} });
    } catch (err) {
      throw new UsageError(`${describeArgError(err)}: doctor takes no arguments`);
    }
    const store = openStore(io);
    try {
      const count = (table: string) => (store.db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number).toLocaleString('en-US');
      const report = runDoctor(store.db);
      const scope = `${count('members')} members, ${count('points_ledger')} ledger rows, ${count('orders')} orders, ${count('coupons')} coupons`;
      const dups = duplicatesOf(store.db);
      const listDuplicates = () => {
        if (!dups.length) return;
        io.stdout.write(`probable duplicates (${dups.length}): check each, then npm run cli -- members merge KEEP DROP\n`);
        for (const d of dups) io.stdout.write(`  members ${d.ids.join(', ')}: ${d.why}\n`);
      };
      if (report.ok) {
        io.stdout.write(`doctor: ${store.config.DB_FILE}: every invariant holds (${scope})\n`);
        listDuplicates();
        return EXIT.ok;
      }
      io.stdout.write(`doctor: ${store.config.DB_FILE}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (${scope})\n`);
      for (const p of report.problems) io.stdout.write(`  ${p}\n`);
      listDuplicates();
      return EXIT.invalid;
    } finally {
      store.close();
    }
  },
};
