import { describe, expect, it } from 'vitest';
import { openTestDb } from '../platform/db/client.js';
import { runDoctor } from './doctor.js';
import { creditOrder } from './ledger.js';
import { MembersRepo } from './members.repo.js';
import { insertMember, shippedPlaybook } from './testing.js';

const pb = shippedPlaybook();
const now = Date.parse('2026-11-25T04:00:00Z');

describe('MembersRepo.redeemSoon', () => {
  it('redeems a burst in one transaction, in order, each as if alone; a failing one fails only itself', async () => {
    const db = openTestDb();
    const repo = new MembersRepo(db);
    repo.syncRewards(pb.rewards, now);
    const rich = insertMember(db, { contactId: 'wx-rich' });
    const poor = insertMember(db, { contactId: 'wx-poor' });
    creditOrder(db, pb, { orderId: 'O1', memberId: rich, amountFen: 120_000, orderedAt: now }, now); // 120 points: 2 × C001
    const burst = [
      repo.redeemSoon(rich, 'C001', 'redeem:1', pb, now),
      repo.redeemSoon(poor, 'C001', 'redeem:2', pb, now),
      repo.redeemSoon(999, 'C001', 'redeem:3', pb, now),
      repo.redeemSoon(rich, 'C001', 'redeem:1', pb, now),
      repo.redeemSoon(rich, 'C001', 'redeem:4', pb, now),
      repo.redeemSoon(rich, 'C001', 'redeem:5', pb, now),
    ];
    const results = await Promise.allSettled(burst);
    expect(results.map((r) => (r.status === 'fulfilled' ? (r.value.ok ? 'ok' : r.value.reason) : (r.reason as Error).message))).toEqual([
      'ok',
      'not-enough',
      'redeem redeem:3: member 999 does not exist',
      'duplicate',
      'ok',
      'not-enough',
    ]);
    expect(repo.byId(rich)!.points).toBe(20);
    expect(db.$client.prepare("select stock from rewards where code = 'C001'").pluck().get()).toBe(9998);
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
  });
});
