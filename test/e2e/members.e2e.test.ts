import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { SOP_DIR } from '../../src/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { runDoctor } from '../../src/members/doctor.js';
import { runImport } from '../../src/members/import/engine.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { coupons, members, pointsLedger } from '../../src/platform/db/schema.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const fx = useTestApp('siyu-members-e2e-', (dir, redisUrl) => ({
  config: testConfig(dir, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'mem' }),
  logger: silentLogger(),
  capabilities: [membersCapability(path.join(SOP_DIR, 'membership.yaml'))],
}));

const replyTo = (who: string, match: RegExp) => fx.world.waitForBotMessage((m) => m.target.id === who && match.test(m.text), 20_000);

describe('members reply to act, in the simulated world', () => {
  it('入会, an imported order (twice), 积分, 兑换 C001: the replies and the store agree', async () => {
    // m045 is in the world but not in the demo store: 入会 creates the member.
    await fx.world.memberSays('m045', '入会');
    await replyTo('m045', /欢迎加入会员/);
    const member = fx.app.db.select().from(members).where(eq(members.contactId, 'm045')).get()!;
    expect(member).toMatchObject({ tier: 'regular', points: 0 });

    const csv = path.join(fx.tmp.dir, 'orders.csv');
    writeFileSync(csv, `订单号,会员ID,实付金额,下单时间,门店\nE2E-0001,${member.id},1280.00,2026-11-20 14:00,HZ01\n`);
    const playbook = loadMembershipPlaybook(path.join(SOP_DIR, 'membership.yaml'));
    const opts = { kind: 'orders' as const, file: csv, timeZone: 'Asia/Shanghai', now: new Date(), playbook };
    const first = await runImport(fx.app.db, opts);
    const second = await runImport(fx.app.db, opts);
    expect(first.bad).toBe(0);
    expect(second.bad).toBe(0);
    expect(
      fx.app.db
        .select()
        .from(pointsLedger)
        .where(eq(pointsLedger.memberId, member.id))
        .all()
        .map((l) => [l.reason, l.delta]),
    ).toEqual([['order', 128]]);

    await fx.world.memberSays('m045', '积分');
    await replyTo('m045', /积分：128/);

    await fx.world.memberSays('m045', '兑换 C001');
    const redeemed = await replyTo('m045', /C001|5元无门槛券/);
    expect(redeemed.text).toMatch(/78/); // 128 − 50
    const after = fx.app.db.select().from(members).where(eq(members.id, member.id)).get()!;
    expect(after).toMatchObject({ points: 78, growth: 1280, orderCount: 1 });
    expect(
      fx.app.db
        .select()
        .from(coupons)
        .where(eq(coupons.memberId, member.id))
        .all()
        .map((c) => c.rewardCode)
        .sort(),
    ).toEqual(['C001', 'NEW10']);
    expect(runDoctor(fx.app.db)).toEqual({ ok: true, problems: [] });
  });
});
