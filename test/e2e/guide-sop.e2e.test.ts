import path from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { localDate, localParts, zonedTime } from '../../src/core/time.js';
import { guideSopCapability } from '../../src/guide-sop/guide-sop.capability.js';
import { guideDays } from '../../src/guide-sop/guide-sop.schema.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { outbox } from '../../src/platform/db/schema.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import type { BotMessage } from '../../src/platform/wechaty/world/server.js';
import { testConfig } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

const SH = 'Asia/Shanghai';
const GUIDE = 'guide-hz01-01';
const SOP = path.resolve('sop');

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;

/**
 * Real time, moved to a fixed local morning of today's date in Asia/Shanghai: the routine's times
 * are then the same whenever the suite runs. (node-cron ticks on the machine clock, so the test fires
 * the slots itself, as the ticks would.)
 */
function morningClock(hour: number, minute: number): Clock & { slot(hhmm: string): Date } {
  const p = localParts(new Date(), SH);
  const offset = zonedTime(p.year, p.month, p.day, hour, minute, SH).getTime() - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    slot: (hhmm: string) => {
      const [h, m] = hhmm.split(':').map(Number) as [number, number];
      return zonedTime(p.year, p.month, p.day, h, m, SH);
    },
  };
}

async function start(clock: Clock): Promise<App> {
  const app = await startApp({
    // Inbound age is checked against the moved clock: no limit here.
    config: testConfig(`${tmp.dir}/data`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'guide-e2e', INBOUND_MAX_AGE_SECONDS: '0' }),
    logger: silentLogger(),
    clock,
    capabilities: [membersCapability(path.join(SOP, 'membership.yaml')), guideSopCapability(path.join(SOP, 'guide-daily.yaml'))],
  });
  await app.ready;
  return app;
}

const isCard = (m: BotMessage) => m.target.id === GUIDE && m.text.startsWith('【今日 3+3+3】');

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-guide-e2e-');
});
afterAll(async () => {
  tmp.remove();
  restoreHome();
});

describe('guide 3+3+3 end to end in the simulated world', () => {
  const clock = morningClock(9, 29);
  const date = localDate(clock.slot('09:30'), SH);
  const cardKey = `guide-card:${date}:${GUIDE}`;

  it('a demo guide gets exactly one card with named members, checks in, a group post counts, and a restart sends no second card', async () => {
    let app = await start(clock);
    try {
      const world = app.world!;
      expect(await app.scheduler.fire('guide-cards', clock.slot('09:30'))).toBe(true);
      const card = await world.waitForBotMessage(isCard, 20_000);
      expect(card.text).toContain('王晓燕');
      expect(card.text).toMatch(/\n4\. \S+（尾号\d{4}） · (生日 \d\d-\d\d|\d 周未互动|\d+ 天未互动)/);
      expect(card.text).toContain('湖滨店宝妈交流1群');
      // every demo guide got one card, each as a single message
      for (const g of ['guide-hz01-01', 'guide-hz01-02', 'guide-hz01-03', 'guide-hz01-04']) {
        await world.waitForBotMessage((m) => m.target.id === g && m.text.startsWith('【今日 3+3+3】'), 20_000);
      }

      await world.memberSays(GUIDE, '私聊 1 3');
      const reply = await world.waitForBotMessage((m) => m.target.id === GUIDE && m.text.startsWith('已记录'), 20_000);
      expect(reply.text).toBe('已记录 ✅ 朋友圈 0/3 · 私聊 2/3 · 社群 0/1 · 今日 2/7');

      await world.memberSays(GUIDE, '早上好，今天店里到了新款，欢迎来看看～', { roomId: 'hz01-a@chatroom' });
      await expect
        .poll(
          () =>
            app.db
              .select()
              .from(guideDays)
              .where(and(eq(guideDays.date, date), eq(guideDays.guideCode, GUIDE)))
              .get(),
          { timeout: 10_000 },
        )
        .toMatchObject({ groupsDone: 1, done: 3, total: 7 });
      await world.memberSays(GUIDE, '朋友圈 3');
      await world.waitForBotMessage((m) => m.target.id === GUIDE && m.text === '已记录 ✅ 朋友圈 3/3 · 私聊 2/3 · 社群 1/1 · 今日 6/7', 20_000);
      // no members' help hint for a guide's check-ins
      expect(world.sent.filter((m) => m.target.id === GUIDE && !isCard(m) && m.text.includes('积分'))).toEqual([]);
      await expect.poll(() => app.db.select().from(outbox).where(eq(outbox.key, cardKey)).get()?.status, { timeout: 10_000 }).toBe('sent');
    } finally {
      await app.stop();
    }

    // Restart between the card and the summary: no second card, the progress is kept.
    app = await start(clock);
    try {
      const world = app.world!;
      expect(await app.scheduler.fire('guide-cards', clock.slot('09:30'))).toBe(false);
      await world.memberSays(GUIDE, '我的进度');
      const progress = await world.waitForBotMessage((m) => m.target.id === GUIDE && m.text.startsWith('📋'), 20_000);
      expect(progress.text).toContain('今日 朋友圈 3/3 · 私聊 2/3 · 社群 1/1（6/7）');

      // the nudge skips a guide who finished; the manager's summary matches the records
      await world.memberSays(GUIDE, '全部完成');
      await world.waitForBotMessage((m) => m.target.id === GUIDE && m.text.startsWith('🎉 今日 7/7'), 20_000);
      await app.scheduler.fire('guide-nudge', clock.slot('15:00'));
      await world.waitForBotMessage((m) => m.target.id === 'guide-hz01-03' && m.text.startsWith('⏰'), 20_000);
      await app.scheduler.fire('guide-summary', clock.slot('20:30'));
      const summary = await world.waitForBotMessage((m) => m.target.id === 'mgr-hz01', 20_000);
      const rows = app.db.select().from(guideDays).where(eq(guideDays.date, date)).all();
      const done = rows.reduce((s, r) => s + r.done, 0);
      const total = rows.reduce((s, r) => s + r.total, 0);
      expect(summary.text).toContain(`（${done}/${total}）`);
      expect(summary.text).toContain('✅ 已完成：王晓燕 7/7');

      expect(world.sent.filter(isCard)).toEqual([]);
      expect(world.sent.filter((m) => m.target.id === GUIDE && m.text.startsWith('⏰'))).toEqual([]);
      expect(
        app.db
          .select()
          .from(outbox)
          .where(like(outbox.key, `guide-card:${date}:%`))
          .all()
          .filter((r) => !r.key.includes(':img:')),
      ).toHaveLength(4);
    } finally {
      await app.stop();
    }
  });
});
