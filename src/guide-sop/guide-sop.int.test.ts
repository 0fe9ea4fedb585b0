import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq, like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outboxHarness, tempDir, testOutboxOptions, type OutboxHarness } from '../../test/support/harness.js';
import { flushAll } from '../../test/support/redis.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { loadConfig } from '../config.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { zonedTime } from '../core/time.js';
import { RoomEvents } from '../inbound/rooms.js';
import { Router } from '../inbound/router.js';
import { recordingLogger } from '../platform/wechaty/testing.js';
import { peopleOf } from '../core/directory.js';
import { outbox } from '../platform/db/schema.js';
import { ScheduleRepo } from '../schedules/schedule.repo.js';
import { Scheduler } from '../schedules/scheduler.js';
import { cardCapacity, guideSopCapability } from './guide-sop.capability.js';
import { GuideSopRepo } from './guide-sop.repo.js';
import { ReachRepo } from '../accounts/reach.repo.js';
import type { AccountSpec } from '../accounts/types.js';
import { Outbox } from '../outbox/outbox.js';
import { guideDays, guideQuestions } from './guide-sop.schema.js';
import { GuidePlaybookHolder } from './playbook.js';
import { insertStaff, shippedGuidePlaybook, smallStore } from './testing.js';
import { guideReport } from './report.js';
import { saveSettings } from '../console/settings.js';

const SH = 'Asia/Shanghai';
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: { h: OutboxHarness; scheduler: Scheduler }[] = [];
let seq = 0;

beforeAll(async () => {
  tmp = tempDir('siyu-guide-int-');
});
afterEach(async () => {
  for (const { h, scheduler } of open.splice(0)) {
    await scheduler.stop();
    await h.close();
  }
  await flushAll(redis.url);
});
afterAll(async () => {
  tmp.remove();
});

/** The guide capability on a Router over a real outbox (SQLite file + Redis), its scheduler started. */
async function guideWorld(start: Date, holder = new GuidePlaybookHolder(shippedGuidePlaybook())) {
  const clock = new ManualClock(start);
  const h = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, `guide-${seq++}.sqlite`), clock });
  const logger = silentLogger();
  const router = new Router(logger, peopleOf(h.db));
  const scheduler = new Scheduler(new ScheduleRepo(h.db), h.queues, clock, logger, SH);
  open.push({ h, scheduler });
  const store = smallStore(h.db, clock.now().getTime());
  const cap = guideSopCapability(holder);
  cap.install({ config: loadConfig({ TIMEZONE: SH }), db: h.db, clock, logger, router, outbox: h.outbox, scheduler, queues: h.queues, demo: null });
  let n = 0;
  const say = async (talkerId: string, text: string, over: Partial<InboundMessage> = {}) => {
    const id = `gm-${seq}-${++n}`;
    await router.dispatch({
      message: {
        id,
        account: 'main',
        talkerId,
        talkerName: talkerId,
        roomId: null,
        roomTopic: null,
        type: 'text',
        text,
        mentionSelf: false,
        mentionIds: [],
        self: false,
        providerAt: clock.now().getTime(),
        ...over,
      },
      receivedAt: clock.now().getTime(),
    });
    return id;
  };
  const textOf = (key: string) => {
    const row = h.db.select().from(outbox).where(eq(outbox.key, key)).get();
    return row ? (JSON.parse(row.content) as { text: string }).text : undefined;
  };
  const rows = (prefix: string) =>
    h.db
      .select()
      .from(outbox)
      .where(like(outbox.key, `${prefix}%`))
      .all();
  return { ...h, clock, router, scheduler, cap, store, say, textOf, rows, reply: (id: string) => textOf(`guide-reply:${id}`) };
}

describe('guide 3+3+3 times edited while running', () => {
  it('moves the schedules within a minute, without a restart; a new card time already past today is caught up once', async () => {
    const sop = path.join(tmp.dir, `sop-${seq}`);
    cpSync('sop', sop, { recursive: true });
    const file = path.join(sop, 'guide-daily.yaml');
    const w = await guideWorld(zonedTime(2026, 11, 25, 8, 0, SH), new GuidePlaybookHolder(file));
    await w.scheduler.start();
    expect(w.scheduler.cronOf('guide-cards')).toBe('30 9 * * *');
    // (a comment changes the size too: two writes within one clock tick can share a modification time)
    writeFileSync(file, `${readFileSync(file, 'utf8').replace('card: "09:30"', 'card: "07:45"').replace('nudge: "15:00"', 'nudge: "16:10"')}\n# times moved\n`);
    w.clock.advance(61_000);
    await w.scheduler.fire('guide-playbook-times', w.clock.now());
    await expect.poll(() => w.scheduler.cronOf('guide-cards'), { timeout: 10_000 }).toBe('45 7 * * *');
    // the times move one after another (cards, then nudge): wait for the nudge too
    await expect.poll(() => w.scheduler.cronOf('guide-nudge'), { timeout: 10_000 }).toBe('10 16 * * *');
    // 07:45 passed 16 minutes ago: today's cards go now, once
    const cards = () => w.rows('guide-card:2026-11-25:').filter((r) => !r.key.includes(':img:'));
    await expect.poll(() => cards().length, { timeout: 15_000 }).toBe(2);
    expect(await w.scheduler.fire('guide-cards', zonedTime(2026, 11, 25, 7, 45, SH))).toBe(false);
    // a bad edit keeps the times in force
    writeFileSync(file, `${readFileSync(file, 'utf8').replace('card: "07:45"', 'card: "25:99"')}\n# a bad edit\n`);
    w.clock.advance(61_000);
    const slot = new Date(Math.floor(w.clock.now().getTime() / 1000) * 1000);
    await w.scheduler.fire('guide-playbook-times', slot);
    await expect.poll(() => new ScheduleRepo(w.db).get('guide-playbook-times', slot.getTime())?.status, { timeout: 10_000 }).toBe('done');
    expect(w.scheduler.cronOf('guide-cards')).toBe('45 7 * * *');
  });
});

describe('guide 3+3+3 settings saved from the console form', () => {
  it('a saved card time and quota take effect in the running bot within a minute, without a restart', async () => {
    const sop = path.join(tmp.dir, `sop-form-${seq}`);
    cpSync('sop', sop, { recursive: true });
    const holder = new GuidePlaybookHolder(path.join(sop, 'guide-daily.yaml'));
    const w = await guideWorld(zonedTime(2026, 11, 25, 8, 0, SH), holder);
    await w.scheduler.start();
    expect(w.scheduler.cronOf('guide-cards')).toBe('30 9 * * *');
    expect(saveSettings(sop, 'guide-daily', { 'times.card': '10:15', 'quotas.chats': '4' })).toEqual({ ok: true, changed: ['quotas.chats', 'times.card'], notes: [] });
    w.clock.advance(61_000);
    await w.scheduler.fire('guide-playbook-times', w.clock.now());
    await expect.poll(() => w.scheduler.cronOf('guide-cards'), { timeout: 10_000 }).toBe('15 10 * * *');
    expect(holder.current.quotas.chats).toBe(4);
    // a refused save changes nothing in the running bot
    expect(saveSettings(sop, 'guide-daily', { 'times.card': '16:00' })).toMatchObject({ ok: false, problems: [{ path: 'times.nudge' }] });
    w.clock.advance(61_000);
    const slot = new Date(Math.floor(w.clock.now().getTime() / 1000) * 1000);
    await w.scheduler.fire('guide-playbook-times', slot);
    await expect.poll(() => new ScheduleRepo(w.db).get('guide-playbook-times', slot.getTime())?.status, { timeout: 10_000 }).toBe('done');
    expect(w.scheduler.cronOf('guide-cards')).toBe('15 10 * * *');
  });
});

describe('guide 3+3+3 through the router, the scheduler and a real outbox', () => {
  it("a late start still sends today's cards once; check-ins, group posts, nudge, summary and ranking follow the records", async () => {
    const w = await guideWorld(zonedTime(2026, 11, 25, 12, 0, SH));
    await w.scheduler.start(); // 09:30 was missed by 2.5 h: within the catch-up window
    const cards = () => w.rows('guide-card:').filter((r) => !r.key.includes(':img:'));
    await expect.poll(() => cards().length, { timeout: 15_000 }).toBe(2);
    // the day's Moments images follow each card as image messages (1 + 2 in the shipped calendar)
    expect(w.rows('guide-card:2026-11-25:G1:img:').map((r) => [r.key, JSON.parse(r.content).kind])).toEqual([
      ['guide-card:2026-11-25:G1:img:1:1', 'image'],
      ['guide-card:2026-11-25:G1:img:2:1', 'image'],
      ['guide-card:2026-11-25:G1:img:2:2', 'image'],
    ]);
    expect(w.textOf('guide-card:2026-11-25:G1')).toContain('配图 2 张，随后发给你');
    const card = w.textOf('guide-card:2026-11-25:G1')!;
    expect(card).toContain('4. 张丽娜（尾号0001） · 生日 11-25');
    expect(card).toContain('5. 陈思琪（尾号0003） · 昨天购买，售后关怀');
    expect(card).toContain('6. 刘芳（尾号0002） · 3 周未互动');
    expect(card).toMatch(/7\. g1a群 · 24 小时 0 条消息\n8\. g1b群/);
    expect(w.rows('guide-card:2026-11-25:G1')[0]).toMatchObject({ targetId: 'wx-G1', purpose: 'staff-prompt', status: expect.stringMatching(/queued|sending|sent/) });
    expect(await w.scheduler.fire('guide-cards', zonedTime(2026, 11, 25, 9, 30, SH))).toBe(false);

    // check-ins answer in one line
    expect(w.reply(await w.say('wx-G1', '私聊 1 3'))).toBe('已记录 ✅ 朋友圈 0/3 · 私聊 2/3 · 社群 0/2 · 今日 2/8');
    expect(w.reply(await w.say('wx-G1', '朋友圈２'))).toBe('已记录 ✅ 朋友圈 2/3 · 私聊 2/3 · 社群 0/2 · 今日 4/8');
    expect(w.reply(await w.say('wx-G1', '私聊 9'))).toBe('私聊只有 3 项，请回复 1–3');
    expect(w.reply(await w.say('wx-G1', '明天再说'))).toMatch(/^没看懂/);
    expect(w.reply(await w.say('wx-G1', '积分'))).toBeUndefined(); // a member command: the members capability's
    // a member asks in a group, the guide posts there: the post counts and answers the question
    await w.say('m002', '请问周末有活动吗？', { roomId: 'g1b@chatroom' });
    expect(w.db.select().from(guideQuestions).get()).toMatchObject({ contactId: 'm002', answeredAt: null });
    w.clock.advance(60_000);
    await w.say('wx-G1', '有的，周六会员日全场9折', { roomId: 'g1b@chatroom' });
    await w.say('wx-G1', '再补充一句', { roomId: 'g1b@chatroom' });
    expect(w.db.select().from(guideQuestions).get()!.answeredAt).toBe(w.clock.now().getTime());
    expect(w.db.select().from(guideDays).where(eq(guideDays.guideCode, 'G1')).get()).toMatchObject({ groupsDone: 0b10, done: 5 });
    expect(w.reply(await w.say('wx-G1', '我的进度'))).toBe('📋 今日 朋友圈 2/3 · 私聊 2/3 · 社群 1/2（5/8）\n本周 完成 0/1 天 · 完成率 63% · 连续 0 天 · 店内第 1/2');
    expect(w.reply(await w.say('wx-G1', '全部完成'))).toBe('🎉 今日 8/8 全部完成！已连续 1 天');

    // the nudge skips the guide who is done
    w.clock.set(zonedTime(2026, 11, 25, 15, 0, SH));
    await w.scheduler.fire('guide-nudge', w.clock.now());
    await expect.poll(() => w.rows('guide-nudge:').map((r) => r.key), { timeout: 15_000 }).toEqual(['guide-nudge:2026-11-25:G2']);
    expect(w.textOf('guide-nudge:2026-11-25:G2')).toBe('⏰ 李静，今日 3+3+3 进度 0/6，还差 朋友圈 3 条、私聊 3 位。完成后回复编号打卡。');

    // the manager's summary matches the records
    w.clock.set(zonedTime(2026, 11, 25, 20, 30, SH));
    await w.scheduler.fire('guide-summary', w.clock.now());
    await expect
      .poll(() => w.textOf('guide-summary:2026-11-25:MGR'), { timeout: 15_000 })
      .toBe('【杭州湖滨店 11月25日 3+3+3】完成率 57%（8/14）\n✅ 已完成：王晓燕 8/8\n⏳ 未完成：李静 0/6');
    expect(w.rows('guide-summary:')[0]).toMatchObject({ targetId: 'wx-MGR' });

    await w.scheduler.fire('guide-ranking', zonedTime(2026, 11, 25, 21, 0, SH));
    await expect
      .poll(() => w.textOf('guide-ranking:2026-11-25:HZ01:wx-MGR'), { timeout: 15_000 })
      .toBe('【杭州湖滨店 3+3+3 周排行 11月19日–11月25日】\n1. 王晓燕 完成率 100% · 连续 1 天 · 完成 1/1 天\n2. 李静 完成率 0% · 连续 0 天 · 完成 0/1 天\n门店完成率 57%');
    expect(w.cap.health()).toMatchObject({ capacity: { cards: 2, ok: true } });
  });

  it("two guides of the same name are told apart by 工号 in the manager's summary, the ranking and the report", async () => {
    const w = await guideWorld(zonedTime(2026, 11, 25, 9, 0, SH));
    insertStaff(w.db, 'G3', { name: '李静' });
    await w.scheduler.start();
    w.clock.set(zonedTime(2026, 11, 25, 9, 30, SH));
    await w.scheduler.fire('guide-cards', w.clock.now());
    await expect.poll(() => w.rows('guide-card:').filter((r) => !r.key.includes(':img:')).length, { timeout: 15_000 }).toBe(3);
    w.clock.set(zonedTime(2026, 11, 25, 20, 30, SH));
    await w.scheduler.fire('guide-summary', w.clock.now());
    await expect.poll(() => w.textOf('guide-summary:2026-11-25:MGR'), { timeout: 15_000 }).toMatch(/未完成：/);
    const summary = w.textOf('guide-summary:2026-11-25:MGR')!;
    expect(summary).toContain('李静（G2） 0/6');
    expect(summary).toContain('李静（G3） 0/');
    expect(summary).toContain('王晓燕 0/8');
    await w.scheduler.fire('guide-ranking', zonedTime(2026, 11, 25, 21, 0, SH));
    await expect.poll(() => w.textOf('guide-ranking:2026-11-25:HZ01:wx-MGR'), { timeout: 15_000 }).toMatch(/李静（G2）[\s\S]*李静（G3）|李静（G3）[\s\S]*李静（G2）/);
    expect(
      guideReport(w.db, { from: '2026-11-25', to: '2026-11-25' })
        .byGuide.map((g) => g.label)
        .sort(),
    ).toEqual(['李静（G2）', '李静（G3）', '王晓燕']);
  });

  it('before the card, on a day off, and from staff who are not guides', async () => {
    const w = await guideWorld(zonedTime(2026, 11, 29, 8, 0, SH)); // a Sunday: G2 is off
    expect(w.reply(await w.say('wx-G1', '私聊 1'))).toBe('今天的任务卡 09:30 发出，收到后再打卡哦');
    expect(w.reply(await w.say('wx-G2', '私聊 1'))).toBe('今天没有你的任务卡（休息日），好好休息');
    expect(w.reply(await w.say('wx-MGR', '私聊 1'))).toBeUndefined();
    expect(w.reply(await w.say('m001', '私聊 1'))).toBeUndefined();
    expect(w.reply(await w.say('wx-G2', '我的进度'))).toBe('📋 今日 无任务卡\n本周 完成 0/0 天 · 完成率 0% · 连续 0 天 · 店内第 -/0');
  });
});

describe('3+3+3 capacity across accounts (outbox routing)', () => {
  it("routes the busiest day's cards as the outbox would: when the last goes out via the accounts, and the guides no account reaches", async () => {
    const w = await guideWorld(zonedTime(2026, 11, 25, 8, 0, SH));
    const spec = (id: string, over: Partial<AccountSpec> = {}): AccountSpec => ({
      id,
      name: id,
      role: 'store',
      stores: ['HZ01'],
      enabled: true,
      onDown: {} as AccountSpec['onDown'],
      budget: { ratePerMinute: 20, capPerHour: 0, capPerDay: 0, gapMinMs: 1000, gapMaxMs: 3000 },
      ...over,
    });
    const specs = [spec('hz01'), spec('hq', { role: 'hq', stores: [] }), spec('sh01', { stores: ['SH01'] })];
    const reach = new ReachRepo(w.db);
    const routed = new Outbox(
      w.repo,
      w.queues,
      w.clock,
      silentLogger(),
      testOutboxOptions({
        accounts: { view: { list: () => specs, get: (id) => specs.find((s) => s.id === id), state: () => 'online' }, reach },
      }),
    );
    const config = loadConfig({ TIMEZONE: SH });
    const pb = shippedGuidePlaybook();
    // Nobody reaches a guide yet: every card would be unreachable.
    expect(cardCapacity(new GuideSopRepo(w.db), pb, config, '2026-11-25', routed)).toMatchObject({ accounts: 0, unreachable: 2 });
    // G1 through their store's account (hz01) though hq is idler; G2 only through hq.
    reach.add('hz01', 'contact', ['wx-G1'], 0);
    reach.add('hq', 'contact', ['wx-G1', 'wx-G2'], 0);
    expect(routed.routeShares([{ purpose: 'staff-prompt', kind: 'contact', id: 'wx-G1' }])?.shares.map((x) => x.account)).toEqual(['hz01']);
    const e = cardCapacity(new GuideSopRepo(w.db), pb, config, '2026-11-25', routed);
    expect(e).toMatchObject({ cards: 2, accounts: 2, unreachable: 0, ok: true });
    expect(e.message).toMatch(/^2 guide cards( \(each followed by \d images?\))? via 2 accounts: the last goes out about 09:3\d, within 11:30$/);
    expect(w.db.$client.prepare('select count(*) from outbox').pluck().get(), 'an estimate queues nothing').toBe(0);
  });

  it('at start, before any account has read who it reaches, logs the estimate after the first login instead of calling every guide unreachable', async () => {
    const w = await guideWorld(zonedTime(2026, 11, 25, 8, 0, SH));
    const spec = (id: string, stores: string[]): AccountSpec => ({
      id,
      name: id,
      role: 'store',
      stores,
      enabled: true,
      onDown: {} as AccountSpec['onDown'],
      budget: { ratePerMinute: 20, capPerHour: 0, capPerDay: 0, gapMinMs: 1000, gapMaxMs: 3000 },
    });
    const specs = [spec('hz01', ['HZ01']), spec('hz02', ['HZ02'])];
    const reach = new ReachRepo(w.db);
    const routed = new Outbox(
      w.repo,
      w.queues,
      w.clock,
      silentLogger(),
      testOutboxOptions({ accounts: { view: { list: () => specs, get: (id) => specs.find((s) => s.id === id), state: () => 'online' }, reach } }),
    );
    const { logger, lines } = recordingLogger('info');
    const rooms = new RoomEvents(logger);
    const scheduler = new Scheduler(new ScheduleRepo(w.db), w.queues, w.clock, logger, SH);
    const uninstall = guideSopCapability(new GuidePlaybookHolder(shippedGuidePlaybook())).install({
      config: loadConfig({ TIMEZONE: SH }),
      db: w.db,
      clock: w.clock,
      logger,
      router: new Router(logger, peopleOf(w.db)),
      rooms,
      outbox: routed,
      scheduler,
      queues: w.queues,
      demo: null,
    });
    const capacityLines = () => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('guide cards'));
    expect(capacityLines(), 'nothing said before a login').toEqual([]);
    // The account logs in and reads its friends (the hub reads reach before it reports ready).
    reach.add('hz01', 'contact', ['wx-G1', 'wx-G2'], 0);
    await rooms.ready('wxid_hz01');
    await rooms.ready('wxid_hz01'); // a reconnect says nothing more
    expect(capacityLines().map((l) => l.msg)).toEqual([
      expect.stringMatching(/^2 guide cards( \(each followed by \d images?\))? at 19\/min: the last goes out about 09:3\d, within 11:30$/),
    ]);
    if (typeof uninstall === 'function') await uninstall();
  });
});
