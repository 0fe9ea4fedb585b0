import { describe, expect, it } from 'vitest';
import { openTestDb } from '../platform/db/client.js';
import { MembersRepo } from './members.repo.js';
import { creditOrder } from './ledger.js';
import { runDoctor } from './doctor.js';
import { insertMember, insertStore, shippedPlaybook } from './testing.js';

const pb = shippedPlaybook();
const now = Date.parse('2026-11-25T04:00:00Z');

function healthyStore() {
  const db = openTestDb();
  insertStore(db);
  const repo = new MembersRepo(db);
  repo.syncRewards(pb.rewards, now);
  const id = insertMember(db);
  creditOrder(db, pb, { orderId: 'A1', memberId: id, amountFen: 100_000, orderedAt: now, storeCode: 'HZ01' }, now);
  expect(repo.redeem(id, 'C001', 'redeem:m1', pb, now)).toMatchObject({ ok: true });
  return { db, id };
}

describe('doctor', () => {
  it('finds nothing wrong in a store changed only through the ledger', () => {
    expect(runDoctor(healthyStore().db)).toEqual({ ok: true, problems: [] });
  });

  it('reports each broken invariant, naming the row', () => {
    const { db, id } = healthyStore();
    const x = db.$client;
    x.prepare('update members set points = points + 7 where id = ?').run(id);
    x.prepare("insert into points_ledger (member_id, delta, reason, ref, balance_after, created_at) values (?, 5, 'adjust', 'adj:x', 999, 0)").run(id);
    x.prepare("update rewards set stock = -1 where code = 'G001'").run();
    x.prepare("insert into orders (order_id, member_id, amount_fen, ordered_at, imported_at) values ('LOST', ?, 100, 0, 0)").run(id);
    x.prepare("delete from coupons where ref = 'redeem:m1'").run();
    const r = runDoctor(db);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      `member ${id}: balance 57 but the ledger sums to 55`,
      expect.stringMatching(/^ledger row \d+ \(member \d+\): balance after 999 ≠ previous 50 \+ delta 5$/),
      'reward G001: stock -1',
      'order LOST: credited 0 times',
      expect.stringMatching(/^ledger row \d+: redemption redeem:m1 issued no coupon$/),
    ]);
  });

  it('reports a used coupon that names no order of its member', () => {
    const { db } = healthyStore();
    const x = db.$client;
    const code = x.prepare("select code from coupons where ref = 'redeem:m1'").pluck().get() as string;
    x.prepare("update coupons set status = 'used', used_at = ?, used_order_id = 'A1' where code = ?").run(now, code);
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
    x.prepare("update coupons set used_order_id = 'NOPE' where code = ?").run(code);
    expect(runDoctor(db).problems).toEqual([`coupon ${code}: used, but order NOPE is not an order of its member`]);
    x.prepare('update coupons set used_order_id = null where code = ?').run(code);
    expect(runDoctor(db).problems).toEqual([`coupon ${code}: used, but no order is recorded`]);
  });
});
