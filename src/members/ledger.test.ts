import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openTestDb } from '../platform/db/client.js';
import { memberEvents, members, orders, pointsLedger } from '../platform/db/schema.js';
import { appendLedger, creditOrder, tierFor } from './ledger.js';
import { pointsForOrder } from './members.rules.js';
import { insertMember, insertStore, shippedPlaybook } from './testing.js';

const pb = shippedPlaybook();
const now = Date.parse('2026-11-25T04:00:00Z');
const order = (orderId: string, memberId: number, amountFen: number, orderedAt = now - 3_600_000) => ({ orderId, memberId, amountFen, orderedAt, storeCode: 'HZ01' });

function setup() {
  const db = openTestDb();
  insertStore(db);
  const id = insertMember(db);
  return { db, id, member: () => db.select().from(members).where(eq(members.id, id)).get()! };
}

describe('tiers and points (pure)', () => {
  it('maps growth to 普卡 / 银卡 / 金卡 at 3,000 and 6,000', () => {
    expect([0, 2999, 3000, 5999, 6000, 99_999].map((g) => tierFor(g, pb).name)).toEqual(['普卡', '普卡', '银卡', '银卡', '金卡', '金卡']);
  });
  it('gives 1 point per 10 RMB, floored, times the tier multiplier, without float drift', () => {
    expect(pointsForOrder(9_999, 1, pb)).toBe(9);
    expect(pointsForOrder(10_000, 1, pb)).toBe(10);
    expect(pointsForOrder(12_345, 1.5, pb)).toBe(18);
    expect(pointsForOrder(100_000, 1.2, pb)).toBe(120);
    expect(pointsForOrder(999, 1, pb)).toBe(0);
  });
});

describe('creditOrder', () => {
  it('inserts the order, appends the ledger row and updates balance, growth, tier, count and last purchase', () => {
    const { db, id, member } = setup();
    const r = creditOrder(db, pb, order('A1', id, 350_000), now);
    expect(r).toEqual({ credited: true, points: 350, growth: 3500, tierBefore: 'regular', tierAfter: 'silver', orderCount: 1, balance: 350 });
    expect(member()).toMatchObject({ points: 350, growth: 3500, tier: 'silver', orderCount: 1, lastPurchaseAt: now - 3_600_000 });
    expect(db.select().from(pointsLedger).all()).toEqual([expect.objectContaining({ memberId: id, delta: 350, reason: 'order', ref: 'order:A1', balanceAfter: 350 })]);
    // The next order earns at the silver multiplier.
    expect(creditOrder(db, pb, order('A2', id, 10_000), now)).toMatchObject({ points: 12, balance: 362, tierBefore: 'silver', tierAfter: 'silver' });
  });

  it('credits an order once: the same order again changes nothing', () => {
    const { db, id, member } = setup();
    creditOrder(db, pb, order('A1', id, 50_000), now);
    const again = creditOrder(db, pb, order('A1', id, 50_000), now);
    expect(again).toMatchObject({ credited: false, points: 0, balance: 50, orderCount: 1 });
    expect(member()).toMatchObject({ points: 50, growth: 500, orderCount: 1 });
    expect(db.select().from(pointsLedger).all()).toHaveLength(1);
  });

  it('works inside an outer transaction, and rolls back with it', () => {
    const { db, id, member } = setup();
    db.$client.transaction(() => {
      creditOrder(db, pb, order('B1', id, 10_000), now);
      creditOrder(db, pb, order('B2', id, 20_000), now);
    })();
    expect(member().points).toBe(30);
    expect(() =>
      db.$client.transaction(() => {
        creditOrder(db, pb, order('B3', id, 10_000), now);
        throw new Error('row 3 is bad');
      })(),
    ).toThrow('row 3 is bad');
    expect(member().points).toBe(30);
    expect(
      db
        .select()
        .from(orders)
        .all()
        .map((o) => o.orderId),
    ).toEqual(['B1', 'B2']);
  });

  it('refuses a missing member and a bad amount, saying what was given', () => {
    const { db } = setup();
    expect(() => creditOrder(db, pb, order('C1', 999, 100), now)).toThrow('order C1: member 999 does not exist');
    expect(() => creditOrder(db, pb, order('C2', 1, 12.5), now)).toThrow('order C2: amount must be a whole number of fen ≥ 0, found 12.5');
    expect(db.select().from(orders).all()).toHaveLength(0);
  });

  it('records care events for recent orders only (history imports stay quiet)', () => {
    const { db, id } = setup();
    creditOrder(db, pb, order('OLD', id, 10_000, now - 90 * 86_400_000), now);
    expect(db.select().from(memberEvents).all()).toHaveLength(0);
    creditOrder(db, pb, order('N1', id, 600_000), now);
    expect(
      db
        .select()
        .from(memberEvents)
        .all()
        .map((e) => e.ref),
    ).toEqual(['repurchase:N1', 'tier-upgrade:N1']);
  });
});

describe('appendLedger', () => {
  it('never lets a balance go below zero and never appends a ref twice', () => {
    const { db, id, member } = setup();
    expect(appendLedger(db, { memberId: id, delta: 100, reason: 'adjust', ref: 'adj:1' }, now)).toEqual({ ok: true, balance: 100 });
    expect(appendLedger(db, { memberId: id, delta: -150, reason: 'redeem', ref: 'r:1' }, now)).toEqual({ ok: false, reason: 'insufficient', balance: 100 });
    expect(appendLedger(db, { memberId: id, delta: 100, reason: 'adjust', ref: 'adj:1' }, now)).toEqual({ ok: false, reason: 'duplicate', balance: 100 });
    expect(member().points).toBe(100);
  });
});
