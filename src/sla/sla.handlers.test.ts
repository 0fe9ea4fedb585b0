import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { zonedTime } from '../core/time.js';
import { memberCommandDeclarations } from '../members/commands.rules.js';
import { Router } from '../inbound/router.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { openTestDb } from '../platform/db/client.js';
import { addBusinessMs } from './business-time.rules.js';
import { SlaDirectory } from './sla.directory.js';
import { backlogCron, sendBacklogDigest } from './sla.digest.js';
import { slaCommands, slaMessageHandler } from './sla.handlers.js';
import { SlaInbox } from './sla.inbox.js';
import { SlaRepo } from './sla.repo.js';
import { SlaTracker } from './sla.tracker.js';
import { inbound, seedSlaStore, testPlaybook } from './testing.js';

const SH = 'Asia/Shanghai';
const MIN = 60_000;

/** The SLA handler on a router over an in-memory store; deadlines and the outbox are recorded, not run. */
function setup(at = zonedTime(2026, 11, 25, 12, 0, SH), pb = testPlaybook()) {
  const db = openTestDb();
  seedSlaStore(db);
  const clock = new ManualClock(at);
  const repo = new SlaRepo(db);
  const directory = new SlaDirectory(repo, clock);
  const scheduled: number[] = [];
  const deadlines = {
    schedule: (dueAt: number) => {
      scheduled.push(dueAt);
    },
    dueAt: (q: { openedAt: number; storeCode: string | null }, tier: number) =>
      pb.tiers[tier] ? addBusinessMs(q.openedAt, pb.tiers[tier].after, pb.hoursFor(q.storeCode), SH) : null,
  };
  const sent: EnqueueRequest[] = [];
  const outbox = {
    enqueue: async (r: EnqueueRequest) => {
      sent.push(r);
      return { id: sent.length, created: true, status: 'queued' as const };
    },
  };
  const logger = silentLogger();
  const router = new Router(logger, directory);
  // the member commands, as the members capability declares them (the SLA reads the registry)
  router.commands.declare(...memberCommandDeclarations().map((d) => ({ ...d, handle: () => undefined })));
  const tracker = new SlaTracker({
    repo,
    directory,
    deadlines,
    timezone: SH,
    playbook: () => pb,
    clock,
    logger,
    isCommand: (t) => router.commands.claimant(t, 'member') !== undefined,
  });
  const inbox = new SlaInbox(db, slaMessageHandler({ repo, directory, tracker, clock, timezone: SH, playbook: () => pb, logger }), outbox, logger);
  router.commands.declare(...slaCommands(inbox, () => pb));
  router.use('sla', inbox.handler(), { self: true });
  const say = async (over: Partial<InboundMessage>) => {
    const m = inbound({ providerAt: clock.now().getTime(), ...over });
    await router.dispatch({ message: m, receivedAt: clock.now().getTime() });
    await inbox.idle();
    return m.id;
  };
  const textOf = (key: string) => {
    const r = sent.find((s) => s.key === key);
    return r?.content.kind === 'text' ? r.content.text : undefined;
  };
  return { db, clock, repo, directory, scheduled, sent, say, textOf, pb };
}

describe('the question tracker through the router', () => {
  it('opens one question for consecutive messages of a member and schedules its first deadline in business time', async () => {
    const { say, repo, scheduled, clock } = setup(zonedTime(2026, 11, 25, 20, 58, SH));
    await say({ text: '请问有二段的吗？' });
    clock.advance(30_000);
    await say({ text: '要两罐' });
    await say({ text: '谢谢' }); // no reply needed: does not even extend it
    const [q] = repo.openQuestions({ all: true });
    expect(q).toMatchObject({
      memberId: 'm2',
      memberName: '王小丫',
      messageCount: 2,
      storeCode: 'HZ01',
      guideCode: 'G1',
      conversationName: '湖滨店宝妈1群',
      preview: '请问有二段的吗？',
    });
    // Asked at 20:58, service ends at 21:00: the 5-minute tier is due at 09:03 the next morning.
    expect(scheduled).toEqual([zonedTime(2026, 11, 26, 9, 3, SH).getTime()]);
    expect(q!.targetDueAt).toBe(zonedTime(2026, 11, 26, 9, 3, SH).getTime());
    expect(q!.nextDueAt).toBe(zonedTime(2026, 11, 26, 9, 3, SH).getTime());
    // 48 business hours: 2 minutes on the 25th, then four 12-hour days minus 2 minutes.
    expect(q!.backlogAt).toBe(zonedTime(2026, 11, 29, 20, 58, SH).getTime());
  });

  it('opens nothing for stickers, thanks and bot commands, nor for staff', async () => {
    const { say, repo } = setup();
    await say({ type: 'emoticon', text: '[emoticon]' });
    await say({ text: '好的👌' });
    await say({ text: '积分', roomId: null, roomTopic: null });
    await say({ talkerId: 'guide-1', talkerName: '王晓燕', text: '大家好，今天有新品' });
    expect(repo.openQuestions({ all: true })).toEqual([]);
  });

  it('a staff message without mention closes all questions of the group, with raw and business times', async () => {
    const { say, repo, clock } = setup(zonedTime(2026, 11, 25, 20, 50, SH));
    await say({ talkerId: 'm2', text: '几点发货？' });
    await say({ talkerId: 'm3', talkerName: '赵敏', text: '有优惠吗？' });
    await say({ talkerId: 'm4', talkerName: '钱多多', roomId: 'g2@chatroom', text: '另一个群的问题' });
    clock.set(zonedTime(2026, 11, 26, 9, 10, SH));
    await say({ talkerId: 'guide-1', talkerName: '王晓燕', text: '今天下午发货，满199减20' });
    const rows = repo.getMany([1, 2, 3]);
    expect(rows.map((r) => [r.memberId, r.status, r.closedBy])).toEqual([
      ['m2', 'answered', 'G1'],
      ['m3', 'answered', 'G1'],
      ['m4', 'open', null],
    ]);
    expect(rows[0]).toMatchObject({ responseBusinessMs: 20 * MIN, responseMs: (12 * 60 + 20) * MIN });
  });

  it('a staff reply @-mentioning a member closes only that member; one mentioning only staff closes nothing', async () => {
    const { say, repo } = setup();
    await say({ talkerId: 'm2', text: '几点发货？' });
    await say({ talkerId: 'm3', talkerName: '赵敏', text: '有优惠吗？' });
    await say({ talkerId: 'guide-1', text: '@李静 帮忙看下', mentionIds: ['guide-2'] });
    expect(repo.openQuestions({ all: true })).toHaveLength(2);
    await say({ talkerId: 'guide-1', text: '@赵敏 满199减20', mentionIds: ['m3'] });
    expect(repo.openQuestions({ all: true }).map((q) => q.memberId)).toEqual(['m2']);
  });

  it("a person typing on the bot account's phone answers a private question; a new message opens a new one", async () => {
    const { say, repo } = setup();
    await say({ talkerId: 'm1', talkerName: '张丽娜', roomId: null, roomTopic: null, text: '我的快递到哪了' });
    expect(repo.openQuestions({ all: true })[0]).toMatchObject({ conversationId: 'm1', storeCode: 'HZ01', guideCode: 'G2', roomId: null });
    await say({ self: true, talkerId: 'wxid_bot', roomId: null, roomTopic: null, listenerId: 'm1', text: '您好，今天送达' });
    expect(repo.get(1)).toMatchObject({ status: 'answered', closedBy: 'account' });
    await say({ talkerId: 'm1', talkerName: '张丽娜', roomId: null, roomTopic: null, text: '还有个问题' });
    expect(repo.openQuestions({ all: true }).map((q) => q.id)).toEqual([2]);
  });
});

describe('staff commands', () => {
  it('已处理 #id closes a question as handled elsewhere and replies', async () => {
    const { say, repo, textOf } = setup();
    await say({ talkerId: 'm2', text: '几点发货？' });
    const id = await say({ talkerId: 'mgr-1', talkerName: '陈建华', roomId: null, roomTopic: null, text: '已处理 #1' });
    expect(repo.get(1)).toMatchObject({ status: 'handled', closedBy: 'MGR', closedByMessageId: id });
    expect(textOf(`sla-reply:${id}`)).toBe('已关闭：\n#1 王小丫（湖滨店宝妈1群）');
  });

  it("已处理 by name closes the member's questions in the staff member's scope, asks when names clash, and says what was not found", async () => {
    const { say, repo, textOf } = setup();
    await say({ talkerId: 'm2', text: '几点发货？' });
    await say({ talkerId: 'm2', roomId: 'g2@chatroom', text: '这个群也问下' });
    await say({ talkerId: 'm5', talkerName: '王小丫', roomId: 'g2@chatroom', text: '同名的人' });
    const clash = await say({ talkerId: 'admin-1', roomId: null, roomTopic: null, text: '已处理 王小丫' });
    expect(textOf(`sla-reply:${clash}`)).toContain('「王小丫」对应多位会员');
    // A guide sees their own groups only: in g1 there is one 王小丫.
    const ok = await say({ talkerId: 'guide-1', text: '@小思\u2005已处理 王小丫 #99', mentionSelf: true, mentionIds: ['wxid_bot'] });
    expect(repo.get(1)?.status).toBe('handled');
    expect(repo.get(2)?.status).toBe('open');
    expect(textOf(`sla-reply:${ok}`)).toBe('已关闭：\n#1 王小丫（湖滨店宝妈1群）\n没有找到等待中的问题：#99。回复「待处理」查看编号');
    // The command in the group was not an answer to the group.
    expect(repo.get(1)?.closedBy).toBe('G1');
    const usage = await say({ talkerId: 'guide-1', roomId: null, text: '已处理' });
    expect(textOf(`sla-reply:${usage}`)).toContain('用法');
  });

  it("待处理 lists the questions waiting in the staff member's stores with their numbers", async () => {
    const { say, clock, textOf } = setup();
    await say({ talkerId: 'm2', text: '几点发货？' });
    clock.advance(6 * MIN);
    const id = await say({ talkerId: 'mgr-1', roomId: null, text: '待处理' });
    expect(textOf(`sla-reply:${id}`)).toBe('等待回复的问题（1个）：\n#1 王小丫（湖滨店宝妈1群）已等6分钟：几点发货？');
    const none = await say({ talkerId: 'guide-2', roomId: null, text: '待处理' });
    expect(textOf(`sla-reply:${none}`)).toBe('目前没有等待回复的问题 👍');
  });
});

describe('satisfaction', () => {
  it('asks after a private question is answered, records the rating, and never asks twice in a week', async () => {
    const pb = testPlaybook((s) => s.replace('sampleRate: 0.3', 'sampleRate: 1'));
    const { say, repo, sent, clock } = setup(zonedTime(2026, 11, 25, 12, 0, SH), pb);
    const priv = { talkerId: 'm1', talkerName: '张丽娜', roomId: null, roomTopic: null };
    await say({ ...priv, text: '我的快递到哪了' });
    await say({ self: true, talkerId: 'bot', roomId: null, roomTopic: null, listenerId: 'm1', text: '今天送达' });
    const ask = sent.find((s) => s.key === 'sla-survey:1');
    expect(ask).toMatchObject({ purpose: 'service', target: { kind: 'contact', id: 'm1' }, notBefore: clock.now().getTime() + 5 * MIN });
    clock.advance(10 * MIN);
    await say({ ...priv, text: '5分' });
    expect(sent.find((s) => s.key === 'sla-survey-thanks:1')).toBeDefined();
    expect(repo.openQuestions({ all: true })).toEqual([]); // the rating is not a question
    await say({ ...priv, text: '再问一个' });
    await say({ self: true, talkerId: 'bot', roomId: null, roomTopic: null, listenerId: 'm1', text: '好的' });
    expect(sent.find((s) => s.key === 'sla-survey:2')).toBeUndefined();
    // A digit with no survey waiting is an ordinary message.
    await say({ ...priv, text: '5' });
    expect(repo.openQuestions({ all: true })).toHaveLength(1);
  });
});

describe('the daily backlog message', () => {
  it('lists questions open past 48 business hours to the manager and the admin, once per day', async () => {
    const { say, clock, db, repo, directory, sent, pb } = setup(zonedTime(2026, 11, 20, 12, 0, SH));
    expect(backlogCron(pb.backlog.dailyAt)).toBe('30 9 * * *');
    await say({ talkerId: 'm2', text: '几点发货？' });
    clock.set(zonedTime(2026, 11, 23, 12, 0, SH)); // 36 business hours later: not yet backlog
    await say({ talkerId: 'm3', talkerName: '赵敏', text: '有优惠吗？' });
    const deps = {
      repo,
      directory,
      outbox: {
        enqueue: async (r: EnqueueRequest) => {
          sent.push(r);
          return { id: 1, created: true, status: 'queued' as const };
        },
      },
      clock,
      timezone: SH,
      playbook: () => pb,
      logger: silentLogger(),
    };
    expect(await sendBacklogDigest(deps, clock.now())).toBe(0);
    clock.set(zonedTime(2026, 11, 24, 12, 30, SH)); // 48 h 30 min of service since the first question
    expect(await sendBacklogDigest(deps, clock.now())).toBe(2);
    const digest = sent.filter((s) => s.key.startsWith('sla-backlog:2026-11-24:'));
    expect(digest.map((d) => [d.key, d.target.id, d.purpose])).toEqual([
      ['sla-backlog:2026-11-24:MGR', 'mgr-1', 'staff-prompt'],
      ['sla-backlog:2026-11-24:ADM', 'admin-1', 'staff-prompt'],
    ]);
    expect(digest[0]!.content).toMatchObject({ text: expect.stringContaining('#1 王小丫（湖滨店宝妈1群）48小时：几点发货？') });
    expect(digest[0]!.content).toMatchObject({ text: expect.not.stringContaining('赵敏') });
    // The slot runs again (a restart): the same keys, so nothing new goes out.
    await sendBacklogDigest(deps, clock.now());
    expect(new Set(sent.filter((s) => s.key.startsWith('sla-backlog:')).map((s) => s.key)).size).toBe(2);
    expect(db).toBeDefined();
  });
});
