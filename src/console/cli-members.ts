/** `members merge KEEP DROP | duplicates`: one person, one record (src/members/identity/). */
import { parseArgs } from 'node:util';
import { loadMembershipPlaybook } from '../members/index.js';
import { cliActor } from './cli-actor.js';
import { EXIT, MEMBERSHIP_PLAYBOOK, UsageError, describeArgError, openStore, type CliCommand, type CliIo } from './cli-io.js';
import { duplicatesOf, mergeMembersAudited } from './member-merge.js';

const USAGE = `Usage: npm run cli -- members <merge | duplicates> [options]

  members merge KEEP DROP [--json]
      member DROP's points ledger, coupons, orders, referrals, contact links, wake-up and SLA
      history move to member KEEP; KEEP's balance, growth and tier are worked out again and DROP is
      deleted. One transaction; recorded in the audit trail with who did it.
  members duplicates [--json]
      member records that are probably one person (same phone, same contact, same name and
      birthday, same name joined in chat and imported), lowest id first: the merge candidates.

Member ids are the numbers the console and "查会员" show. Exit codes: 0 done, 1 refused (the reason is
printed), 2 wrong command line or configuration.`;

export const membersCommand: CliCommand = {
  name: 'members',
  synopsis: 'members <merge KEEP DROP | duplicates> [--json]',
  summary: 'merge two records of one person; list probable duplicates',
  usage: USAGE,
  run: (args, io) => runMembersCli(args, io),
};

const memberId = (text: string | undefined, what: string): number => {
  if (text === undefined) throw new UsageError(`members merge: which ${what}? give two member ids: members merge KEEP DROP`);
  const n = Number(text.replace(/^#/u, ''));
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} "${text}" is not a member id: expected a positive whole number`);
  return n;
};

export async function runMembersCli(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  } catch (err) {
    throw new UsageError(describeArgError(err));
  }
  const [sub, ...rest] = parsed.positionals;
  const json = parsed.values.json === true;
  if (sub !== 'merge' && sub !== 'duplicates') {
    throw new UsageError(`${sub === undefined ? 'which one?' : `unknown members command "${sub}"`}: members commands are merge, duplicates`);
  }
  const expected = sub === 'merge' ? 2 : 0;
  if (rest.length > expected) throw new UsageError(`unexpected argument "${rest[expected]}"`);
  const keep = sub === 'merge' ? memberId(rest[0], 'KEEP') : 0;
  const drop = sub === 'merge' ? memberId(rest[1], 'DROP') : 0;
  const store = openStore(io);
  try {
    if (sub === 'duplicates') {
      const dups = duplicatesOf(store.db);
      if (json) io.stdout.write(`${JSON.stringify(dups, null, 2)}\n`);
      else if (!dups.length) io.stdout.write('no probable duplicates\n');
      else for (const d of dups) io.stdout.write(`members ${d.ids.join(', ')}: ${d.why}\n`);
      return EXIT.ok;
    }
    const playbook = loadMembershipPlaybook(MEMBERSHIP_PLAYBOOK);
    const r = mergeMembersAudited(store.db, playbook, { keep, drop, actor: cliActor(io), channel: 'cli', now: io.now().getTime() });
    if (!r.ok) {
      io.stderr.write(`members merge: refused: ${r.message}\n`);
      return EXIT.invalid;
    }
    const s = r.summary;
    if (json) io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else {
      const m = s.moved;
      io.stdout.write(
        `members merge: member ${drop} merged into member ${keep}: ${m.ledger} ledger rows, ${m.coupons} coupons, ${m.orders} orders, ` +
          `${m.referrals} referrals, ${m.contacts} contact links, ${m.wakeup} wake-up episodes moved\n`,
      );
      io.stdout.write(`  member ${keep} now: points ${s.after.points}, growth ${s.after.growth}, tier ${s.after.tier}, ${s.after.orderCount} orders\n`);
      for (const n of s.notes) io.stdout.write(`  note: ${n}\n`);
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
