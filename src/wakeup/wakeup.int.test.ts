import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq, like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushAll } from '../../test/support/redis.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { tempDir } from '../../test/support/harness.js';
import { membersWorld, SH, type MembersWorld } from '../../test/support/members.js';
import { loadConfig } from '../config.js';
import { CardSuggestions } from '../core/card-suggestions.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { localDate, zonedTime } from '../core/time.js';
import { runCards } from '../guide-sop/cards.jobs.js';
import { GuideSopRepo } from '../guide-sop/guide-sop.repo.js';
import { SelectionRepo } from '../guide-sop/selection.repo.js';
import { shippedGuidePlaybook } from '../guide-sop/testing.js';
import { creditOrder } from '../members/ledger.js';
import { insertMember, shippedPlaybook } from '../members/testing.js';
import { coupons, outbox, staff, stores } from '../platform/db/schema.js';
import { parseWakeupPlaybook, WakeupPlaybookHolder } from './playbook.js';
import { wakeupReport, type LiftRow, type WakeupReport } from './report.js';
import { cardSuggestions, installWakeup, type WakeupRuntime } from './wakeup.capability.js';
import { runSelection, runSweep } from './wakeup.jobs.js';
import { wakeupSuggestionsFor } from './wakeup.repo.js';
import { DAY_MS, armFor, holdoutDraw } from './wakeup.rules.js';
import { wakeupEpisodes, wakeupSteps } from './wakeup.schema.js';
import { ReachRepo } from '../accounts/reach.repo.js';
import type { AccountSpec } from '../accounts/types.js';

const SEED = 'test-seed';
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: MembersWorld[] = [];

beforeAll(async () => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
  await flushAll(redis.url);
});
afterAll(async () => {
  tmp.remove();
});

/** The shipped playbook with a fixed seed and optional edits. */
function playbook(edits: [string, string][] = []) {
  let source = readFileSync('sop/wakeup.yaml', 'utf8').replace('  # seed: "2026-q4"', `  seed: "${SEED}"`);
  for (const [from, to] of edits) source = source.replace(from, to);
  return parseWakeupPlaybook(source, 'sop/wakeup.yaml');
}

const at = (day: number, h: number, m = 0) => zonedTime(2026, 11, 25 + day, h, m, SH).getTime();

async function world(edits: [string, string][] = [], board?: CardSuggestions, holder?: WakeupPlaybookHolder): Promise<{ w: MembersWorld; rt: WakeupRuntime; clock: ManualClock }> {
  const clock = new ManualClock(at(0, 10));
  const w = await membersWorld({ redisUrl: redis.url, dir: tmp.dir, clock });
  open.push(w);
  const now = clock.now().getTime();
  w.db.insert(stores).values({ code: 'HZ01', name: '杭州湖滨店', createdAt: now }).onConflictDoNothing().run();
  w.db.insert(staff).values({ code: 'G1', name: '导购小王', role: 'guide', storeCode: 'HZ01', contactId: 'wx-guide', createdAt: now, updatedAt: now }).run();
  const rt = installWakeup(
    {
      config: loadConfig({ TIMEZONE: SH }),
      db: w.db,
      clock,
      logger: silentLogger(),
      router: w.router,
      outbox: w.outbox,
      scheduler: w.scheduler,
      queues: w.queues,
      demo: null,
      ...(board ? { cardSuggestions: board } : {}),
    },
    holder ?? new WakeupPlaybookHolder(playbook(edits)),
  );
  return { w, rt, clock };
}

/** A member silent `days` days at the world's start, owned by G1. */
function dormant(w: MembersWorld, contactId: string | null, days: number, over: { name?: string; tier?: string } = {}): number {
  const now = at(0, 10);
  return insertMember(
    w.db,
    {
      contactId,
      name: over.name ?? `会员${contactId ?? 'x'}`,
      tier: over.tier ?? 'regular',
      guideCode: 'G1',
      storeCode: 'HZ01',
      joinedAt: now - 400 * DAY_MS,
      lastActiveAt: now - days * DAY_MS,
    },
    now,
  );
}

const openOf = (r: LiftRow) => r.treatment.windowOpen + r.holdout.windowOpen;
/** The per-stage rows add up to the all-stages row (windows still open), and the tier rows to their stage row. */
function expectStageRowsAddUp(report: WakeupReport): void {
  const all = report.rows.find((r) => r.stage === 'all')!;
  const stages = report.rows.filter((r) => r.stage !== 'all' && r.tier === 'all');
  for (const arm of ['treatment', 'holdout'] as const) {
    expect(
      stages.reduce((n, r) => n + r[arm].windowOpen, 0),
      `${arm} windows open: stages vs all`,
    ).toBe(all[arm].windowOpen);
    for (const st of stages) {
      const tiers = report.rows.filter((r) => r.stage === st.stage && r.tier !== 'all');
      expect(
        tiers.reduce((n, r) => n + r[arm].windowOpen, 0),
        `${arm} stage ${st.stage}: tiers vs stage`,
      ).toBe(st[arm].windowOpen);
    }
  }
}

const armOf = (id: number, days: number) => armFor(holdoutDraw(SEED, id, at(0, 10) - days * DAY_MS), 0.1);
const wakeRows = (w: MembersWorld) =>
  w.db
    .select()
    .from(outbox)
    .where(like(outbox.key, 'wakeup:%'))
    .all()
    .filter((r) => !r.key.startsWith('wakeup:handover:'));
const textOf = (r: { content: string }) => (JSON.parse(r.content) as { text: string }).text;
const episode = (w: MembersWorld, memberId: number) => w.db.select().from(wakeupEpisodes).where(eq(wakeupEpisodes.memberId, memberId)).get()!;

/** Members (created in order) until one of each arm: returns [treatment, holdout]. `contact: false`: not contacts of the bot (named `<prefix><i>`). */
function oneOfEach(w: MembersWorld, prefix: string, days: number, contact = true): { treatment: number; holdout: number; others: number[] } {
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) {
    ids.push(contact ? dormant(w, `${prefix}${i}`, days) : dormant(w, null, days, { name: `${prefix}${i}` }));
    const t = ids.find((id) => armOf(id, days) === 'treatment');
    const h = ids.find((id) => armOf(id, days) === 'holdout');
    if (t !== undefined && h !== undefined) return { treatment: t, holdout: h, others: ids.filter((id) => id !== t && id !== h) };
  }
  throw new Error('no holdout member in 200 draws');
}

describe('wake-up: a silent member goes through the stages, the holdout gets nothing', () => {
  it('stage 1 care, stage 2 coupon, stage 3 last message, then lapsed; holdout recorded, never sent; guide suggestion for a non-contact', async () => {
    const { w, rt } = await world();
    const { treatment: a, holdout: h, others } = oneOfEach(w, 'wx-s', 31);
    const b = dormant(w, null, 31, { name: '没加好友的会员' });
    const awake = dormant(w, 'wx-awake', 5);
    w.sender.start(true);

    const r1 = await runSelection(rt.deps);
    expect(r1.seed).toBe(SEED);
    const rows1 = wakeRows(w);
    const mine = rows1.find((r) => r.targetId === `wx-s${a - 1}`)!;
    expect(mine).toMatchObject({ purpose: 'wake-up', notBefore: at(0, 10), expiresAt: at(0, 12) });
    expect(textOf(mine)).toMatch(/^会员wx-s\d+，好久不见！/);
    expect(rows1.some((r) => r.targetId === `wx-s${h - 1}`)).toBe(false);
    expect(rows1).toHaveLength(1 + others.filter((id) => armOf(id, 31) === 'treatment').length);
    expect(episode(w, h)).toMatchObject({ arm: 'holdout', holdoutSeed: SEED, stage: 1, status: 'active' });
    // Every draw made in SQL is reproducible from what was recorded: seed, member and silence.
    for (const e of w.db.select().from(wakeupEpisodes).all()) {
      expect(e.holdoutDraw).toBe(holdoutDraw(e.holdoutSeed, e.memberId, e.anchorAt));
      expect(e.arm).toBe(armFor(e.holdoutDraw, e.holdoutShare));
    }
    expect(w.db.select().from(wakeupEpisodes).where(eq(wakeupEpisodes.memberId, awake)).get()).toBeUndefined();
    await w.settled(mine.id, ['sent']);

    // A member who is not a contact of the bot: a suggestion on the guide's card, nothing queued.
    const bArm = episode(w, b).arm;
    const suggestions = wakeupSuggestionsFor(w.db, 'G1', localDate(new Date(at(0, 10)), SH));
    expect(suggestions.map((s) => s.memberId)).toEqual(bArm === 'treatment' ? [b] : []);
    if (bArm === 'treatment') expect(suggestions[0]).toMatchObject({ stage: 1, days: 31, name: '没加好友的会员' });

    // Running again the same day, in the same window or the next one, sends nothing twice.
    await runSelection(rt.deps);
    w.clock.set(at(0, 19));
    await runSelection(rt.deps);
    expect(wakeRows(w)).toHaveLength(rows1.length);

    // Day 20: stage 1's windows (14 days) are over, stage 2 is not due yet: no window is open, in the
    // stage rows nor in the all-stages row (active episodes waiting for their next stage are not open).
    w.clock.set(at(20, 10));
    const waiting = wakeupReport(w.db, { now: w.clock.now().getTime(), windowDays: 14 });
    expectStageRowsAddUp(waiting);
    expect(openOf(waiting.rows.find((r) => r.stage === 'all')!)).toBe(0);

    // 30 days later: stage 2 with a coupon from the catalogue.
    w.clock.set(at(30, 10));
    await runSelection(rt.deps);
    const second = wakeupReport(w.db, { now: w.clock.now().getTime(), windowDays: 14 });
    expectStageRowsAddUp(second);
    expect(openOf(second.rows.find((r) => r.stage === 2 && r.tier === 'all')!)).toBeGreaterThan(0);
    const stage2 = wakeRows(w).find((r) => r.targetId === `wx-s${a - 1}` && r.key.startsWith(`wakeup:${a}:2:`))!;
    const coupon = w.db
      .select()
      .from(coupons)
      .where(eq(coupons.ref, `wakeup:${episode(w, a).id}:2`))
      .get()!;
    expect(coupon).toMatchObject({ memberId: a, rewardCode: 'C002', status: 'issued' });
    expect(textOf(stage2)).toContain(`20元满199可用券（券码 ${coupon.code}）`);
    expect(w.db.select().from(coupons).where(eq(coupons.memberId, h)).all()).toEqual([]);
    await w.settled(stage2.id, ['sent']);

    // 30 days later: the last stage; 14 days after it: lapsed, both arms.
    w.clock.set(at(60, 10));
    await runSelection(rt.deps);
    const stage3 = wakeRows(w).find((r) => r.key.startsWith(`wakeup:${a}:3:`))!;
    expect(textOf(stage3)).toMatch(/最后一次打扰您/);
    await w.settled(stage3.id, ['sent']);
    w.clock.set(at(74, 10));
    runSweep(rt.deps);
    expect(episode(w, a)).toMatchObject({ status: 'lapsed', stage: 3 });
    expect(episode(w, h)).toMatchObject({ status: 'lapsed', stage: 3 });
    expect(w.transport.delivered.filter((d) => d.target.id === `wx-s${h - 1}`)).toEqual([]);
    expect(w.transport.delivered.filter((d) => d.target.id === `wx-s${a - 1}`)).toHaveLength(3);

    const report = wakeupReport(w.db, { now: w.clock.now().getTime(), windowDays: 14 });
    const stage1 = report.rows.find((r) => r.stage === 1 && r.tier === 'all')!;
    expect(stage1.holdout.n).toBeGreaterThanOrEqual(1);
    expect(stage1.treatment.reactivated).toBe(0);
    expect(report.coupons.issued).toBeGreaterThanOrEqual(1);
    // Everyone lapsed but the member who was active at the start: dormant since day 25, now at stage 2.
    const notLapsed = w.db
      .select()
      .from(wakeupEpisodes)
      .all()
      .filter((e) => e.status !== 'lapsed');
    expect(notLapsed.map((e) => [e.memberId, e.stage, e.status])).toEqual([[awake, 2, 'active']]);
    expect(report.episodes.lapsed).toBe(report.episodes.treatment + report.episodes.holdout - 1);
  });
});

describe('wake-up: stop on reply, purchase or opt-out', () => {
  it('a reply stops the sequence at once (the queued message is not sent) and the guide hears who and what', async () => {
    const { w, rt } = await world();
    const { treatment: a } = oneOfEach(w, 'wx-r', 35);
    await runSelection(rt.deps);
    const row = wakeRows(w).find((r) => r.targetId === `wx-r${a - 1}`)!;
    expect(row.status).toBe('queued');
    w.clock.set(at(0, 10, 5));
    await w.say(`wx-r${a - 1}`, '在的，最近太忙了，有新款吗？');
    expect(episode(w, a)).toMatchObject({ status: 'stopped', endReason: 'message', endedAt: at(0, 10, 5), endText: '在的，最近太忙了，有新款吗？' });
    expect(w.db.select().from(outbox).where(eq(outbox.id, row.id)).get()).toMatchObject({ status: 'skipped', reason: 'wake-up stopped: message' });
    const handover = w.db
      .select()
      .from(outbox)
      .where(eq(outbox.key, `wakeup:handover:${episode(w, a).id}`))
      .get()!;
    expect(handover).toMatchObject({ purpose: 'staff-prompt', targetId: 'wx-guide' });
    expect(textOf(handover)).toBe(`【沉睡会员回复】会员wx-r${a - 1}（普卡，沉睡 35 天，第 1 轮唤醒）回复：“在的，最近太忙了，有新款吗？”。请尽快私聊跟进。`);
    w.sender.start(true);
    await w.settled(handover.id, ['sent']);
    // Only the members capability's help line reached the member (a reply), never the wake-up.
    expect(
      w.transport.delivered
        .filter((d) => d.target.id === `wx-r${a - 1}`)
        .map((d) => (d.content as { text: string }).text)
        .join(),
    ).not.toMatch(/好久不见/);

    // Counted as reactivated within the window of stage 1.
    const stage1 = wakeupReport(w.db, { now: w.clock.now().getTime(), windowDays: 14 }).rows.find((r) => r.stage === 1 && r.tier === 'all')!;
    expect(stage1.treatment.reactivated).toBe(1);
  });

  it('a message in a group stops the sequence at once too, and the guide hears which group and what was said', async () => {
    const { w, rt } = await world();
    const { treatment: a, holdout: h } = oneOfEach(w, 'wx-q', 45);
    await runSelection(rt.deps);
    const row = wakeRows(w).find((r) => r.targetId === `wx-q${a - 1}`)!;
    w.clock.set(at(0, 10, 7));
    await w.say(`wx-q${a - 1}`, '这个活动还有吗', { roomId: 'vip-hz01@chatroom', roomTopic: '湖滨店VIP福利群' });
    expect(episode(w, a)).toMatchObject({ status: 'stopped', endReason: 'message', endedAt: at(0, 10, 7), endText: '这个活动还有吗' });
    expect(w.db.select().from(outbox).where(eq(outbox.id, row.id)).get()).toMatchObject({ status: 'skipped', reason: 'wake-up stopped: message' });
    const handover = w.db
      .select()
      .from(outbox)
      .where(eq(outbox.key, `wakeup:handover:${episode(w, a).id}`))
      .get()!;
    expect(handover).toMatchObject({ purpose: 'staff-prompt', targetId: 'wx-guide' });
    expect(textOf(handover)).toBe(`【沉睡会员回复】会员wx-q${a - 1}（普卡，沉睡 45 天，第 1 轮唤醒）在群「湖滨店VIP福利群」回复：“这个活动还有吗”。请尽快私聊跟进。`);

    // A holdout member who writes in a group: the episode ends (reactivation is counted), the guide is not told (nothing was sent).
    await w.say(`wx-q${h - 1}`, '签到', { roomId: 'vip-hz01@chatroom', roomTopic: '湖滨店VIP福利群' });
    expect(episode(w, h)).toMatchObject({ status: 'stopped', endReason: 'message' });
    expect(
      w.db
        .select()
        .from(outbox)
        .where(eq(outbox.key, `wakeup:handover:${episode(w, h).id}`))
        .get(),
    ).toBeUndefined();
  });

  it('a purchase (an imported order) stops it at the next sweep; 退订 stops it without a hand-over', async () => {
    const { w, rt } = await world();
    const { treatment: p, others } = oneOfEach(w, 'wx-p', 40);
    const o = dormant(w, 'wx-optout', 40);
    await runSelection(rt.deps);
    const now = at(0, 10, 3);
    w.clock.set(now);
    creditOrder(w.db, shippedPlaybook(), { orderId: 'POS-9', memberId: p, amountFen: 19_900, orderedAt: now - 60_000 }, now);
    expect(runSweep(rt.deps).stopped).toBe(1);
    expect(episode(w, p)).toMatchObject({ status: 'stopped', endReason: 'purchase', endedAt: now - 60_000 });
    expect(wakeRows(w).find((r) => r.targetId === `wx-p${p - 1}`)).toMatchObject({ status: 'skipped' });

    await w.say('wx-optout', '退订');
    expect(episode(w, o)).toMatchObject({ status: 'stopped', endReason: 'opt-out' });
    expect(w.db.select().from(outbox).where(like(outbox.key, 'wakeup:handover:%')).all()).toEqual([]);
    expect(others.length).toBeGreaterThanOrEqual(0);
  });
});

describe("wake-up: members who are not contacts of the bot go on their guide's 3+3+3 card", () => {
  it("the treatment member is a private-chat line with the reason on the next morning's card; the holdout member is not", async () => {
    const board = new CardSuggestions();
    const { w, rt } = await world([], board);
    const { treatment: t, holdout: h } = oneOfEach(w, '未加好友', 45, false);
    const gpb = shippedGuidePlaybook();
    const deps = {
      repo: new GuideSopRepo(w.db),
      selection: new SelectionRepo(w.db),
      outbox: w.outbox,
      timezone: SH,
      playbook: () => gpb,
      logger: silentLogger(),
      suggestions: board,
    };
    const cardText = async (day: number) => {
      w.clock.set(at(day, 9, 30));
      await runCards(deps, new Date(at(day, 9, 30)), at(day, 9, 30));
      const date = localDate(new Date(at(day, 9, 30)), SH);
      return textOf(
        w.db
          .select()
          .from(outbox)
          .where(eq(outbox.key, `guide-card:${date}:G1`))
          .get()!,
      );
    };
    const nameOf = (id: number) => `未加好友${id - 1}`;
    // The 09:30 card comes before the 10:00 window: the stages decided at 10:00 are on the next morning's card.
    expect(await cardText(0)).not.toContain('轮唤醒');
    w.clock.set(at(0, 10));
    const r = await runSelection(rt.deps);
    expect(r.steps.suggested).toBeGreaterThanOrEqual(1);
    expect(wakeRows(w)).toEqual([]);
    const card = await cardText(1);
    expect(card).toMatch(new RegExp(`\\d+\\. ${nameOf(t)} · 沉睡 45 天 · 第 1 轮唤醒\\n`));
    expect(card).not.toMatch(new RegExp(`${nameOf(h)} · 沉睡`));
    // The pick is recorded like any other (rule "wake-up"), so the other rules leave the member alone for a week.
    const picks = w.db.$client.prepare("select member_id as memberId, rule from guide_chat_picks where guide_code = 'G1'").all();
    expect(picks).toContainEqual({ memberId: t, rule: 'wake-up' });
  });

  it('a coupon stage names the coupon code in the reason', async () => {
    const board = new CardSuggestions();
    const { w, rt } = await world([], board);
    const { treatment: t } = oneOfEach(w, '未加好友', 75, false);
    await runSelection(rt.deps);
    w.clock.set(at(15, 10));
    await runSelection(rt.deps);
    const coupon = w.db
      .select()
      .from(coupons)
      .where(eq(coupons.ref, `wakeup:${episode(w, t).id}:2`))
      .get()!;
    const mine = cardSuggestions(rt.repo, rt.holder.current, localDate(new Date(at(16, 9, 30)), SH))
      .get('G1')!
      .find((s) => s.memberId === t)!;
    expect(mine.reason).toBe(`沉睡 90 天 · 第 2 轮唤醒 券码 ${coupon.code}`);
  });
});

describe('wake-up: budgets and windows', () => {
  it('never more per day than the budget, only inside the windows, nothing twice', async () => {
    const { w, rt } = await world([['perAccountPerDay: 200', 'perAccountPerDay: 5']]);
    for (let i = 0; i < 30; i++) dormant(w, `wx-b${i}`, 31 + i);
    const treatmentSent = () =>
      w.db
        .select()
        .from(wakeupSteps)
        .all()
        .filter((s) => s.arm === 'treatment' && s.channel === 'outbox');

    w.clock.set(at(0, 8)); // before the first window: queued for 10:00–12:00, half the budget
    await runSelection(rt.deps);
    expect(wakeRows(w)).toHaveLength(2);
    for (const r of wakeRows(w)) expect(r).toMatchObject({ notBefore: at(0, 10), expiresAt: at(0, 12) });
    w.clock.set(at(0, 10));
    await runSelection(rt.deps);
    expect(wakeRows(w)).toHaveLength(2);

    w.clock.set(at(0, 13)); // between windows: for 19:00–21:00, the rest of the day's budget
    await runSelection(rt.deps);
    w.clock.set(at(0, 19));
    await runSelection(rt.deps);
    const day0 = wakeRows(w);
    expect(day0).toHaveLength(5);
    expect(day0.filter((r) => r.notBefore === at(0, 19) && r.expiresAt === at(0, 21))).toHaveLength(3);

    w.clock.set(at(0, 21, 30)); // after the last window: nothing
    await runSelection(rt.deps);
    expect(wakeRows(w)).toHaveLength(5);
    expect(treatmentSent()).toHaveLength(5);
    // Holdout members met on the way are throttled alike (recorded, not sent).
    const holdoutSteps = w.db
      .select()
      .from(wakeupSteps)
      .all()
      .filter((s) => s.arm === 'holdout');
    expect(holdoutSteps.every((s) => s.outboxId === null)).toBe(true);

    w.clock.set(at(1, 10));
    await runSelection(rt.deps);
    w.clock.set(at(1, 19));
    await runSelection(rt.deps);
    expect(wakeRows(w)).toHaveLength(10);
    for (const r of wakeRows(w)) {
      const local = new Date(r.notBefore!).toLocaleTimeString('en-GB', { timeZone: SH, hour12: false });
      expect(['10:00:00', '19:00:00']).toContain(local);
      expect(r.expiresAt! - r.notBefore!).toBe(2 * 3_600_000);
    }
  });

  it('the scheduler fires each window slot once', async () => {
    const { w } = await world();
    expect(await w.scheduler.fire('wakeup-select-1', new Date(at(0, 10)))).toBe(true);
    expect(await w.scheduler.fire('wakeup-select-1', new Date(at(0, 10)))).toBe(false);
  });
});

describe('wake-up windows edited while running', () => {
  it('move the selection times without a restart', async () => {
    const file = path.join(tmp.dir, `wakeup-${Date.now()}.yaml`);
    writeFileSync(file, readFileSync('sop/wakeup.yaml', 'utf8'));
    const { w, rt, clock } = await world([], undefined, new WakeupPlaybookHolder(file));
    expect(w.scheduler.cronOf('wakeup-select-1')).toBe('0 10 * * *');
    // (a comment changes the size too: two writes within one clock tick can share a modification time)
    writeFileSync(file, `${readFileSync(file, 'utf8').replace('windows: ["10:00-12:00", "19:00-21:00"]', 'windows: ["10:30-12:00", "19:15-21:00"]')}\n# windows moved\n`);
    clock.advance(61_000);
    rt.deps.playbook(); // what the minute sweep does: re-reads a changed file
    await expect.poll(() => [w.scheduler.cronOf('wakeup-select-1'), w.scheduler.cronOf('wakeup-select-2')]).toEqual(['30 10 * * *', '15 19 * * *']);
  });
});

describe('wake-up over several accounts (outbox routing)', () => {
  it("a dormant member no account is a friend of becomes a suggestion on their guide's card; a reachable one gets the message from an account that reaches them", async () => {
    const clock = new ManualClock(at(0, 10));
    const spec = (id: string): AccountSpec => ({
      id,
      name: id,
      role: 'store',
      stores: ['HZ01'],
      enabled: true,
      onDown: {} as AccountSpec['onDown'],
      budget: { ratePerMinute: 20, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 },
    });
    const specs = [spec('hz01'), spec('hz02')];
    const w = await membersWorld({
      redisUrl: redis.url,
      dir: tmp.dir,
      clock,
      accounts: (db) => ({ view: { list: () => specs, get: (id) => specs.find((s) => s.id === id), state: () => 'online' }, reach: new ReachRepo(db) }),
    });
    open.push(w);
    const now = clock.now().getTime();
    w.db.insert(stores).values({ code: 'HZ01', name: '杭州湖滨店', createdAt: now }).onConflictDoNothing().run();
    w.db.insert(staff).values({ code: 'G1', name: '导购小王', role: 'guide', storeCode: 'HZ01', contactId: 'wx-guide', createdAt: now, updatedAt: now }).run();
    const rt = installWakeup(
      {
        config: loadConfig({ TIMEZONE: SH }),
        db: w.db,
        clock,
        logger: silentLogger(),
        router: w.router,
        outbox: w.outbox,
        scheduler: w.scheduler,
        queues: w.queues,
        demo: null,
      },
      new WakeupPlaybookHolder(playbook()),
    );
    const ids = Array.from({ length: 12 }, (_, i) => dormant(w, `wx-u${i}`, 31));
    // hz02 is a friend of the even members only.
    new ReachRepo(w.db).add(
      'hz02',
      'contact',
      ids.flatMap((_, i) => (i % 2 ? [] : [`wx-u${i}`])),
      now,
    );
    await runSelection(rt.deps);

    const treated = ids.map((id, i) => ({ id, i })).filter(({ id }) => armOf(id, 31) === 'treatment');
    const reached = treated.filter(({ i }) => i % 2 === 0);
    const lost = treated.filter(({ i }) => i % 2 === 1);
    expect(reached.length && lost.length, 'both kinds among the treated').toBeTruthy();
    const rows = new Map(wakeRows(w).map((r) => [r.targetId, r]));
    for (const { i } of reached) expect(rows.get(`wx-u${i}`)).toMatchObject({ status: 'queued', account: 'hz02' });
    for (const { i } of lost) expect(rows.get(`wx-u${i}`)).toMatchObject({ status: 'unreachable' });
    const suggested = wakeupSuggestionsFor(w.db, 'G1', localDate(new Date(now), SH))
      .map((s) => s.memberId)
      .sort((a, b) => a - b);
    expect(suggested).toEqual(lost.map((x) => x.id).sort((a, b) => a - b));
  });
});
