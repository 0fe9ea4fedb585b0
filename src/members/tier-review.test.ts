import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { openTestDb } from '../platform/db/client.js';
import { CareRepo } from './care.repo.js';
import { runEventCare, type CareDeps } from './care.jobs.js';
import { MembersRepo } from './members.repo.js';
import { isReviewDay, reviewTier } from './members.rules.js';
import { parseMembershipPlaybook, type MembershipPlaybook } from './playbook.js';
import { runTierReview } from './tier-review.js';
import { insertMember, shippedPlaybook } from './testing.js';
import { memberEvents, members, orders } from '../platform/db/schema.js';
import { eq } from 'drizzle-orm';

const SH = 'Asia/Shanghai';
const shipped = shippedPlaybook();
const yearly: MembershipPlaybook = {
  ...shipped,
  tierDowngrade: 'yearly',
  texts: {
    ...shipped.texts,
    care: { ...shipped.texts.care, tierDowngrade: '{name}，您的会员等级已调整为{tier}（原{tierBefore}），近 12 个月成长值 {growth}，再获得 {needed} 即可恢复。' },
  },
};

describe('tier review rules', () => {
  it('reviews on each anniversary of joining, from the first; 29 February joiners on 28 February of common years', () => {
    expect(isReviewDay('2025-11-25', '2025-11-25')).toBe(false);
    expect(isReviewDay('2025-11-25', '2026-11-25')).toBe(true);
    expect(isReviewDay('2025-11-25', '2026-11-24')).toBe(false);
    expect(isReviewDay('2020-11-25', '2026-11-25')).toBe(true);
    expect(isReviewDay('2024-02-29', '2025-02-28')).toBe(true);
    expect(isReviewDay('2024-02-29', '2028-02-28')).toBe(false);
    expect(isReviewDay('2024-02-29', '2028-02-29')).toBe(true);
  });

  it('keeps the tier the last 12 months earn, never higher than the current one', () => {
    expect(reviewTier('gold', 3200, shipped)).toMatchObject({ tier: { code: 'silver' }, growth: 3200, downgraded: true });
    expect(reviewTier('gold', 6000, shipped)).toMatchObject({ tier: { code: 'gold' }, downgraded: false });
    expect(reviewTier('silver', 9000, shipped)).toMatchObject({ tier: { code: 'silver' }, growth: 9000, downgraded: false });
    expect(reviewTier('retired-tier', 0, shipped)).toMatchObject({ tier: { code: 'regular' }, downgraded: false });
  });

  it('is a playbook setting: never (the default) or yearly, anything else named with what is allowed', () => {
    expect(shipped.tierDowngrade).toBe('never');
    const source = readFileSync('sop/membership.yaml', 'utf8');
    expect(source).toMatch(/^tierDowngrade: never$/m);
    expect(parseMembershipPlaybook(source.replace(/^tierDowngrade: never$/m, 'tierDowngrade: yearly'), 'sop/membership.yaml').tierDowngrade).toBe('yearly');
    expect(() => parseMembershipPlaybook(source.replace(/^tierDowngrade: never$/m, 'tierDowngrade: monthly'), 'sop/membership.yaml')).toThrow(
      /^sop\/membership\.yaml: tierDowngrade: .*never.*yearly/s,
    );
  });
});

describe('yearly tier review', () => {
  function store() {
    const db = openTestDb();
    const repo = new MembersRepo(db);
    repo.syncRewards(shipped.rewards, 0);
    const sent: EnqueueRequest[] = [];
    const deps = (pb: MembershipPlaybook): CareDeps => ({
      repo,
      care: new CareRepo(db),
      timezone: SH,
      playbook: () => pb,
      logger: silentLogger(),
      outbox: {
        enqueueMany: async (reqs) => {
          sent.push(...reqs);
        },
      },
    });
    const order = (id: string, memberId: number, yuan: number, at: Date) =>
      db
        .insert(orders)
        .values({ orderId: id, memberId, amountFen: yuan * 100, orderedAt: at.getTime(), importedAt: 0 })
        .run();
    const member = (id: number) => db.select().from(members).where(eq(members.id, id)).get()!;
    return { db, deps, sent, order, member };
  }

  it('on the anniversary, in the local day whatever the machine TZ, lowers the tier to what the last 12 months earned and sends care once', async () => {
    const { db, deps, sent, order, member } = store();
    // Joined at 00:30 on 25 November 2025 in Shanghai: 24 November in UTC.
    const joined = zonedTime(2025, 11, 25, 0, 30, SH).getTime();
    const gold = insertMember(db, { name: '王芳', contactId: 'wx-gold', tier: 'gold', growth: 9000, joinedAt: joined });
    const kept = insertMember(db, { name: '赵敏', contactId: 'wx-kept', tier: 'gold', growth: 7000, joinedAt: joined });
    const tomorrow = insertMember(db, { name: '孙悦', contactId: 'wx-next', tier: 'gold', growth: 9000, joinedAt: joined + 86_400_000 });
    order('OLD', gold, 6000, new Date(zonedTime(2025, 11, 24, 12, 0, SH))); // more than 12 months before the review
    order('NEW', gold, 3200, new Date(zonedTime(2026, 3, 1, 12, 0, SH)));
    order('K1', kept, 6500, new Date(zonedTime(2026, 5, 1, 12, 0, SH)));

    const clock = new ManualClock(zonedTime(2026, 11, 25, 3, 30, SH));
    expect(runTierReview(db, shipped, clock.now(), SH)).toEqual({ reviewed: 0, downgraded: 0 }); // tierDowngrade: never
    expect(runTierReview(db, yearly, clock.now(), SH)).toEqual({ reviewed: 2, downgraded: 1 });
    expect(member(gold)).toMatchObject({ tier: 'silver', growth: 3200 });
    expect(member(kept)).toMatchObject({ tier: 'gold', growth: 6500 });
    expect(member(tomorrow)).toMatchObject({ tier: 'gold', growth: 9000 });

    expect(await runEventCare(deps(yearly), clock.now().getTime())).toBe(1);
    expect(sent.map((r) => [r.key, r.target.id, r.purpose, (r.content as { text: string }).text])).toEqual([
      [`care:tier-downgrade:2026-11-25:${gold}`, 'wx-gold', 'care', '王芳，您的会员等级已调整为银卡（原金卡），近 12 个月成长值 3200，再获得 2800 即可恢复。'],
    ]);

    clock.advance(3_600_000); // the same day again (a catch-up, a second process)
    expect(runTierReview(db, yearly, clock.now(), SH)).toEqual({ reviewed: 2, downgraded: 0 });
    expect(db.select().from(memberEvents).all()).toHaveLength(1);

    clock.advance(86_400_000);
    expect(runTierReview(db, yearly, clock.now(), SH)).toEqual({ reviewed: 1, downgraded: 1 });
    expect(member(tomorrow)).toMatchObject({ tier: 'regular', growth: 0 });
  });

  it('lowers tiers silently when no care text is configured', async () => {
    const { db, deps, sent, member } = store();
    const id = insertMember(db, { contactId: 'wx-1', tier: 'silver', growth: 3000, joinedAt: zonedTime(2024, 2, 29, 10, 0, SH).getTime() });
    const silent: MembershipPlaybook = { ...yearly, texts: { ...yearly.texts, care: { ...yearly.texts.care, tierDowngrade: undefined } } };
    expect(runTierReview(db, silent, zonedTime(2025, 2, 28, 3, 30, SH), SH)).toEqual({ reviewed: 1, downgraded: 1 });
    expect(member(id)).toMatchObject({ tier: 'regular', growth: 0 });
    expect(await runEventCare(deps(silent), 0)).toBe(1);
    expect(sent).toEqual([]);
  });
});
