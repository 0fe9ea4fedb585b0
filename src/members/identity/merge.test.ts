import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../../platform/db/client.js';
import { runCliIn } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/harness.js';
import { runDoctor } from '../doctor.js';
import { creditOrder } from '../ledger.js';
import { MembersRepo } from '../members.repo.js';
import { insertMember, insertStore, shippedPlaybook } from '../testing.js';
import { probableDuplicates } from './duplicates.js';
import { mergeMembers } from './merge.js';

const pb = shippedPlaybook();
const now = Date.parse('2026-11-25T04:00:00Z');
let tmp: ReturnType<typeof tempDir>;
let db: Db;
const one = <T>(sql: string, ...args: unknown[]) => db.$client.prepare(sql).get(...args) as T;
const all = <T>(sql: string, ...args: unknown[]) => db.$client.prepare(sql).all(...args) as T[];

/** The duplicate an 入会 made before binding existed: an imported record (phone, orders) and a chat one (contact, a redemption). */
function twoRecordsOfOnePerson() {
  insertStore(db);
  const imported = insertMember(db, { name: '张丽娜', phone: '13800000001', storeCode: 'HZ01', birthMonth: 5, birthDay: 20, birthdayKind: 'solar' }, now);
  const chat = insertMember(db, { name: '张丽娜', contactId: 'wx-zhang', joinedAt: now - 86_400_000 }, now);
  creditOrder(db, pb, { orderId: 'A1', memberId: imported, amountFen: 300_000, orderedAt: now - 3_600_000, storeCode: 'HZ01' }, now);
  creditOrder(db, pb, { orderId: 'B1', memberId: chat, amountFen: 100_000, orderedAt: now - 7_200_000, storeCode: 'HZ01' }, now);
  const repo = new MembersRepo(db);
  repo.syncRewards(pb.rewards, now);
  expect(repo.redeem(chat, 'C001', 'redeem:msg-1', pb, now)).toMatchObject({ ok: true });
  const referred = insertMember(db, { name: '朋友', referrerId: chat }, now);
  db.$client
    .prepare(
      `insert into wakeup_episodes (member_id, anchor_at, started_at, tier, arm, holdout_seed, holdout_draw, holdout_share, status)
    values (?, ?, ?, 'regular', 'treatment', 's', 0.5, 0.1, 'lapsed')`,
    )
    .run(chat, now - 90 * 86_400_000, now - 60 * 86_400_000);
  return { imported, chat, referred };
}

beforeEach(() => {
  tmp = tempDir('siyu-merge-');
  db = openDb(`${tmp.dir}/siyu.db`);
});
afterEach(() => {
  closeDb(db);
  tmp.remove();
});

describe('merging two records of one person', () => {
  it('moves ledger, coupons, orders, referrals, the contact and wake-up history to KEEP; balance = ledger; doctor clean', () => {
    const { imported, chat, referred } = twoRecordsOfOnePerson();
    expect(probableDuplicates(db)).toEqual([{ ids: [imported, chat], why: 'same name: one joined in chat, one imported' }]);

    const r = mergeMembers(db, imported, chat, pb, now);
    expect(r).toMatchObject({ ok: true, summary: { moved: { ledger: 2, coupons: 1, orders: 1, referrals: 1, contacts: 1, wakeup: 1 } } });
    const kept = one<Record<string, unknown>>('select * from members where id = ?', imported);
    // 300 + 100 points from the orders, − 50 for C001; growth 3000 + 1000 → silver.
    expect(kept).toMatchObject({ contact_id: 'wx-zhang', phone: '13800000001', points: 350, growth: 4000, tier: 'silver', order_count: 2, joined_at: now - 86_400_000 });
    expect(one('select count(*) as n from members where id = ?', chat)).toEqual({ n: 0 });
    expect(all('select member_id as m from orders order by order_id')).toEqual([{ m: imported }, { m: imported }]);
    expect(all('select member_id as m from coupons')).toEqual([{ m: imported }]);
    expect(one('select referrer_id as r from members where id = ?', referred)).toEqual({ r: imported });
    expect(one('select member_id as m from wakeup_episodes')).toEqual({ m: imported });
    // The running balance is rebuilt in order, so the ledger chain holds.
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
    expect(probableDuplicates(db)).toEqual([]);
  });

  it('keeps a second contact as a further link: that contact still finds the member', () => {
    insertStore(db);
    const a = insertMember(db, { name: 'A', contactId: 'wx-a' }, now);
    const b = insertMember(db, { name: 'A', contactId: 'wx-b' }, now);
    expect(mergeMembers(db, a, b, pb, now)).toMatchObject({ ok: true });
    expect(new MembersRepo(db).byContact('wx-b')?.id).toBe(a);
    expect(all('select contact_id as c, member_id as m, source from member_links')).toEqual([{ c: 'wx-b', m: a, source: 'merge' }]);
  });

  it('refuses KEEP = DROP and an unknown member, changing nothing', () => {
    const a = insertMember(db, {}, now);
    expect(mergeMembers(db, a, a, pb, now)).toMatchObject({ ok: false, reason: 'same' });
    expect(mergeMembers(db, a, 999, pb, now)).toEqual({ ok: false, reason: 'unknown', message: 'no member 999' });
    expect(one('select count(*) as n from members')).toEqual({ n: 1 });
  });
});

describe('npm run cli -- members merge / duplicates, and doctor', () => {
  it('doctor lists the duplicate; merge moves it and is audited with who did it; doctor is clean after', async () => {
    const { imported, chat } = twoRecordsOfOnePerson();
    closeDb(db);
    const before = await runCliIn(tmp.dir, ['doctor']);
    expect(before.code).toBe(0);
    expect(before.out).toContain(`members ${imported}, ${chat}: same name: one joined in chat, one imported`);

    const merged = await runCliIn(tmp.dir, ['members', 'merge', String(imported), String(chat)], { env: { USER: 'lin' } });
    expect(merged).toMatchObject({ code: 0, err: '' });
    expect(merged.out).toContain(`member ${chat} merged into member ${imported}: 2 ledger rows, 1 coupons, 1 orders`);
    expect(merged.out).toContain('points 350, growth 4000, tier silver');

    const again = await runCliIn(tmp.dir, ['members', 'merge', String(imported), String(chat)], { env: { USER: 'lin' } });
    expect(again).toMatchObject({ code: 1, err: `members merge: refused: no member ${chat}\n` });
    const after = await runCliIn(tmp.dir, ['doctor']);
    expect(after.code).toBe(0);
    expect(after.out).not.toContain('probable duplicates');
    db = openDb(`${tmp.dir}/siyu.db`);
    expect(all('select actor, channel, action, target, result from operator_actions order by id')).toEqual([
      { actor: 'cli:lin', channel: 'cli', action: 'members.merge', target: `${imported}<-${chat}`, result: 'ok' },
      { actor: 'cli:lin', channel: 'cli', action: 'members.merge', target: `${imported}<-${chat}`, result: `no member ${chat}` },
    ]);
  });

  it('names what is wrong on the command line', async () => {
    const r = await runCliIn(tmp.dir, ['members', 'merge', '12']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('which DROP? give two member ids: members merge KEEP DROP');
  });
});
