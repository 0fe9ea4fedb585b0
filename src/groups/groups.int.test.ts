import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { ManualClock, systemClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage, RoomMemberEvent } from '../core/messages.js';
import { seedDemoStore } from '../members/demo-seed.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { closeDb, openTestDb } from '../platform/db/client.js';
import { Queues } from '../platform/queue/queues.js';
import { redisOptionsFromUrl } from '../platform/redis/url.js';
import { loadSeed } from '../platform/wechaty/world/seed.js';
import { GroupsRepo } from './groups.repo.js';
import { GroupsService, spamAlertKey, spamDigestJobId, spamDigestKey, welcomeJobId, welcomeKey, type GroupsServiceDeps } from './groups.service.js';
import { loadSlaPlaybook } from '../sla/sla.playbook.js';
import { parseGroupsPlaybook } from './playbook.js';
import { joinsAndLeaves, spamList } from './report.js';

const PLAYBOOK = parseGroupsPlaybook(
  `
membership: { checkAt: null }
welcome: { batchSize: 3, within: 5m, notAgainWithin: 1d, text: "欢迎{names}（{count}位）加入{group}，导购{guide}" }
spam: { quietFor: 10m, alert: "{group}：{name} 发了{what} {detail} {ref}" }
`,
  'test-groups.yaml',
);

const A = 'hz01-a@chatroom';
const B = 'hz01-b@chatroom';
const BOT = 'wxid_siyu_hz01';

type Processor = (job: { data: { batchId: number } | { digestKey: string } }) => Promise<void>;

/** A service over a seeded store, fake queues (jobs recorded), a recording outbox and a room double. */
function setup(extra: Partial<GroupsServiceDeps> = {}) {
  const db = openTestDb();
  const clock = new ManualClock('2026-11-20T02:00:00Z'); // 10:00 in Shanghai
  seedDemoStore(db, loadSeed(), { now: clock.now().getTime(), baseTier: 'regular', timezone: 'Asia/Shanghai' });
  const jobs: { jobId: string; delay: number }[] = [];
  let processor: Processor | undefined;
  const queues = {
    queue: () => ({
      addBulk: async (list: { opts: { jobId: string; delay: number } }[]) => {
        jobs.push(...list.map((j) => ({ jobId: j.opts.jobId, delay: j.opts.delay })));
      },
    }),
    worker: (_name: string, fn: Processor) => {
      processor = fn;
      return { on: () => undefined, close: async () => undefined };
    },
  } as unknown as Queues;
  const sent: EnqueueRequest[] = [];
  const keys = new Set<string>();
  const waiters: (() => void)[] = [];
  const outbox = {
    enqueue: async (r: EnqueueRequest) => {
      const created = !keys.has(r.key);
      keys.add(r.key);
      if (created) sent.push(r);
      waiters.splice(0).forEach((w) => w());
      return { id: sent.length, created, status: 'queued' as const };
    },
  };
  const members = new Map<string, string[]>();
  let online = true;
  const rooms = {
    isReady: () => online,
    selfId: () => BOT,
    memberIds: async (roomId: string) => {
      const list = members.get(roomId);
      if (!list) throw new Error(`no payload found for id ${roomId}`);
      return list;
    },
  };
  const repo = new GroupsRepo(db);
  const service = new GroupsService({ repo, outbox, queues, rooms, clock, timezone: 'Asia/Shanghai', account: 'main', playbook: () => PLAYBOOK, logger: silentLogger(), ...extra });
  service.start();
  const at = () => clock.now().getTime();
  const join = (roomId: string, ids: string[], byId: string | null = 'm001') => service.onEvent(ev('join', roomId, ids, byId, at()));
  const leave = (roomId: string, ids: string[], byId: string | null = null) => service.onEvent(ev('leave', roomId, ids, byId ?? ids[0]!, at()));
  const nextSend = () => new Promise<void>((resolve) => waiters.push(resolve));
  return {
    db,
    clock,
    repo,
    service,
    jobs,
    sent,
    members,
    join,
    leave,
    nextSend,
    runJob: (batchId: number) => processor!({ data: { batchId } }),
    runDigest: (digestKey: string) => processor!({ data: { digestKey } }),
    setOnline: (v: boolean) => {
      online = v;
    },
  };
}

function ev(kind: 'join' | 'leave', roomId: string, ids: string[], byId: string | null, at: number): RoomMemberEvent {
  return { kind, account: 'main', roomId, roomTopic: '', contacts: ids.map((id) => ({ id, name: `客人${id}` })), byId, at };
}

function groupMessage(over: Partial<InboundMessage>): InboundMessage {
  return {
    id: randomUUID(),
    account: 'main',
    talkerId: 'm002',
    talkerName: '刘芳',
    roomId: A,
    roomTopic: '湖滨店宝妈交流1群',
    type: 'text',
    text: '',
    mentionSelf: false,
    mentionIds: [],
    self: false,
    providerAt: Date.parse('2026-11-20T02:00:00Z'),
    ...over,
  };
}

describe('joins, leaves and batched welcomes', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });
  afterEach(() => closeDb(t.db));

  it('puts joins in one batch with a delayed job, and sends one welcome naming them when it is due', async () => {
    await t.join(A, ['new-1']);
    t.clock.advance(60_000);
    await t.join(A, ['new-2']);
    const batch = t.repo.openBatch(A)!;
    expect(batch).toMatchObject({ status: 'open', dueAt: Date.parse('2026-11-20T02:05:00Z') });
    expect(t.jobs).toEqual([
      { jobId: welcomeJobId(batch.id), delay: 300_000 },
      { jobId: welcomeJobId(batch.id), delay: 240_000 },
    ]);
    expect(t.sent).toHaveLength(0);
    t.clock.advance(240_000);
    await t.runJob(batch.id);
    await t.runJob(batch.id); // a redelivered job changes nothing
    expect(t.sent).toEqual([
      expect.objectContaining({
        key: welcomeKey(batch.id),
        target: { kind: 'room', id: A },
        purpose: 'service',
        content: { kind: 'text', text: '欢迎客人new-1、客人new-2（2位）加入湖滨店宝妈交流1群，导购王晓燕', mentionIds: ['new-1', 'new-2'] },
      }),
    ]);
    expect(t.repo.batch(batch.id)).toMatchObject({ status: 'queued', size: 2 });
  });

  it('sends at once when the batch is full (N joins), and the next join opens a new batch', async () => {
    await t.join(A, ['new-1', 'new-2']);
    await t.join(A, ['new-3']);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]!.content).toMatchObject({ mentionIds: ['new-1', 'new-2', 'new-3'] });
    await t.join(A, ['new-4']);
    expect(t.repo.batchSpells(t.repo.openBatch(A)!.id).map((s) => s.contactId)).toEqual(['new-4']);
  });

  it('never welcomes the same join twice: a redelivered join is ignored; staff, non-brand rooms and recent returners get none', async () => {
    await t.join(A, ['new-1']);
    await t.join(A, ['new-1']); // redelivery: one spell, one batch entry
    await t.join(A, ['guide-hz01-03']); // staff
    await t.join('other@chatroom', ['new-9']); // not one of the brand's groups
    expect(t.repo.batchSpells(t.repo.openBatch(A)!.id).map((s) => s.contactId)).toEqual(['new-1']);
    expect(t.repo.openBatch('other@chatroom')).toBeUndefined();
    t.clock.advance(300_000);
    await t.runJob(t.repo.openBatch(A)!.id);
    expect(t.sent).toHaveLength(1);
    await t.leave(A, ['new-1']);
    t.clock.advance(3_600_000);
    await t.join(A, ['new-1']); // back within notAgainWithin (1 day)
    expect(t.repo.openBatch(A)).toBeUndefined();
    expect(joinsAndLeaves(t.db, [A], Date.parse('2026-11-20T00:00:00Z'), t.clock.now().getTime() + 1)).toEqual({ joins: 3, leaves: 1 });
  });

  it('leaves out of the welcome people who left before it went; skips a batch everyone left', async () => {
    await t.join(A, ['new-1', 'new-2']);
    await t.leave(A, ['new-2']);
    await t.join(B, ['new-5']);
    await t.leave(B, ['new-5'], 'guide-hz01-03');
    t.clock.advance(300_000);
    for (const b of t.repo.openBatches()) await t.runJob(b.id);
    expect(t.sent.map((s) => s.content)).toEqual([expect.objectContaining({ mentionIds: ['new-1'] })]);
    const spells = t.db.$client.prepare('select room_id, contact_id, how, left_how, remover_id from group_memberships order by id').all();
    expect(spells).toEqual([
      { room_id: A, contact_id: 'new-1', how: 'join', left_how: null, remover_id: null },
      { room_id: A, contact_id: 'new-2', how: 'join', left_how: 'left', remover_id: 'new-2' },
      { room_id: B, contact_id: 'new-5', how: 'join', left_how: 'removed', remover_id: 'guide-hz01-03' },
    ]);
    expect(t.db.$client.prepare('select status, size, reason from group_welcome_batches where room_id = ?').get(B)).toEqual({
      status: 'skipped',
      size: 0,
      reason: 'everyone in it left before the welcome',
    });
  });
});

describe('member-list checks at login', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });
  afterEach(() => closeDb(t.db));

  it('records members present as seen at start (not joins), ends spells of members gone, leaves unreadable rooms alone; repeats change nothing', async () => {
    t.members.set(A, [BOT, 'm001', 'm002', 'guide-hz01-01']);
    t.members.set(B, [BOT, 'm020']);
    const first = await t.service.onReady(BOT);
    expect(first).toMatchObject({ rooms: 2, failed: 1, seen: 4, gone: 0 }); // hz01-vip has no list here
    expect(t.repo.selfIds()).toEqual([BOT]);
    expect(await t.service.onReady(BOT)).toMatchObject({ seen: 0, gone: 0 });
    t.clock.advance(60_000);
    t.members.set(A, [BOT, 'm001', 'guide-hz01-01', 'm003']);
    expect(await t.service.checkAll()).toMatchObject({ seen: 1, gone: 1 });
    expect(t.db.$client.prepare('select contact_id, how, left_how from group_memberships where room_id = ? order by id').all(A)).toEqual([
      { contact_id: 'm001', how: 'seen-at-start', left_how: null },
      { contact_id: 'm002', how: 'seen-at-start', left_how: 'gone-at-check' },
      { contact_id: 'guide-hz01-01', how: 'seen-at-start', left_how: null },
      { contact_id: 'm003', how: 'seen-at-start', left_how: null },
    ]);
    expect(joinsAndLeaves(t.db, [A, B], 0, Date.parse('2030-01-01'))).toEqual({ joins: 0, leaves: 1 });
    t.setOnline(false);
    expect(await t.service.checkAll()).toMatchObject({ rooms: 0 });
  });

  it('coalesces logins that come while a check runs into one more check', async () => {
    t.members.set(A, [BOT, 'm001']);
    const runs = [t.service.onReady(BOT), t.service.onReady(BOT), t.service.onReady(BOT)];
    const results = await Promise.all(runs);
    expect(results[0]).toBe(results[2]);
    expect(t.db.$client.prepare('select count(*) n from group_memberships').get()).toEqual({ n: 1 });
  });
});

describe('spam in groups', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });
  afterEach(() => closeDb(t.db));

  it("alerts the owner guide about a non-staff member's link card, keeps it for review, and is quiet about their next post", async () => {
    const card = groupMessage({ type: 'url', text: '领券', card: { url: 'https://spam.example.cn/x', title: '领券' } });
    await t.service.onMessage(card, card.providerAt);
    const next = groupMessage({ text: '加我 www.spam.cn', providerAt: card.providerAt + 60_000 });
    await t.service.onMessage(next, next.providerAt);
    expect(t.sent).toEqual([
      expect.objectContaining({
        key: spamAlertKey(card.id, 'guide-hz01-01'),
        target: { kind: 'contact', id: 'guide-hz01-01' },
        purpose: 'alert',
        content: { kind: 'text', text: `湖滨店宝妈交流1群：刘芳 发了链接卡片 领券 https://spam.example.cn/x ${card.id}` },
      }),
    ]);
    const list = spamList(t.db, { from: '2026-11-20', to: '2026-11-20', timezone: 'Asia/Shanghai' });
    expect(list).toEqual([
      expect.objectContaining({
        messageId: next.id,
        kind: 'link',
        detail: 'www.spam.cn',
        alertedTo: null,
        noAlertReason: 'an alert about this person in this group went out lately',
      }),
      expect.objectContaining({
        messageId: card.id,
        kind: 'link-card',
        alertedTo: 'guide-hz01-01',
        raw: expect.objectContaining({ card: { url: 'https://spam.example.cn/x', title: '领券' } }),
      }),
    ]);
  });

  it('ignores staff, the bot, plain chatter and images without a QR hint; a redelivered message is kept once', async () => {
    for (const m of [
      groupMessage({ talkerId: 'guide-hz01-01', type: 'url', text: '会员日' }),
      groupMessage({ self: true, talkerId: BOT, text: 'https://shop.example.com' }),
      groupMessage({ text: '今天几点开门？3.5折吗' }),
      groupMessage({ type: 'image', text: 'IMG_2031.jpg' }),
    ])
      await t.service.onMessage(m, m.providerAt);
    const qr = groupMessage({ type: 'image', text: '扫码进群-二维码.png', roomId: 'hz01-vip@chatroom' });
    await t.service.onMessage(qr, qr.providerAt);
    await t.service.onMessage(qr, qr.providerAt);
    expect(t.sent.map((s) => s.target)).toEqual([{ kind: 'contact', id: 'guide-hz01-04' }]);
    expect(spamList(t.db, { from: '2026-11-20', to: '2026-11-20', timezone: 'Asia/Shanghai' }).map((e) => e.kind)).toEqual(['qr-code']);
  });

  it('falls back to the store manager when the group has no guide', async () => {
    t.db.$client.prepare('update groups set guide_code = null where room_id = ?').run(B);
    const m = groupMessage({ roomId: B, type: 'mini-program', text: '拼团', card: { appid: 'wx123', title: '拼团', pagePath: 'pages/x' } });
    await t.service.onMessage(m, m.providerAt);
    expect(t.sent.map((s) => s.target.id)).toEqual(['mgr-hz01']);
    expect(t.sent[0]!.content).toMatchObject({ text: expect.stringContaining('发了小程序 拼团 wx123 pages/x') });
  });
});

describe('spam outside service hours', () => {
  const hours = loadSlaPlaybook('sop/sla.yaml').hoursFor('HZ01'); // 09:00–21:00 every day
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup({ serviceHours: () => hours });
    t.clock.set('2026-11-20T15:30:00Z'); // 23:30 in Shanghai
  });
  afterEach(() => closeDb(t.db));

  it('wakes nobody at night: the alerts wait for one digest per person at the next opening (09:00)', async () => {
    const link = groupMessage({ text: '点击领取红包 hb88.vip/get', providerAt: t.clock.now().getTime() });
    await t.service.onMessage(link, link.providerAt);
    t.clock.advance(3_600_000); // 00:30
    const qr = groupMessage({ talkerId: 'm003', talkerName: '陈思琪', type: 'image', text: '进群二维码.png', providerAt: t.clock.now().getTime() });
    await t.service.onMessage(qr, qr.providerAt);
    expect(t.sent).toEqual([]);

    const opening = Date.parse('2026-11-21T01:00:00Z'); // 09:00 in Shanghai
    const key = spamDigestKey('guide-hz01-01', opening);
    expect(t.jobs.map((j) => j.jobId)).toEqual([spamDigestJobId(key), spamDigestJobId(key)]);
    expect(t.jobs[1]!.delay).toBe(opening - t.clock.now().getTime());

    t.clock.set(opening);
    await t.runDigest(key);
    await t.runDigest(key);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]).toMatchObject({ key, target: { kind: 'contact', id: 'guide-hz01-01' }, purpose: 'alert' });
    expect((t.sent[0]!.content as { text: string }).text).toBe(
      '🌙 非服务时间收到疑似广告 2 条：\n23:30 「湖滨店宝妈交流1群」刘芳 发了链接：hb88.vip/get\n00:30 「湖滨店宝妈交流1群」陈思琪 发了二维码图片：进群二维码.png\n' +
        '请确认后处理（移出群或提醒）。原消息已留存，可用 report groups --spam 查看。',
    );
    expect(spamList(t.db, { from: '2026-11-20', to: '2026-11-21', timezone: 'Asia/Shanghai' }).map((e) => e.alertedTo)).toEqual(['guide-hz01-01', 'guide-hz01-01']);
  });

  it('alerts at once inside service hours, and when the playbook says afterHours: alert', async () => {
    t.clock.set('2026-11-20T02:00:00Z'); // 10:00
    const day = groupMessage({ text: '加我 www.spam.cn' });
    await t.service.onMessage(day, day.providerAt);
    expect(t.sent.map((s) => s.key)).toEqual([spamAlertKey(day.id, 'guide-hz01-01')]);

    const loud = setup({
      serviceHours: () => hours,
      playbook: () => parseGroupsPlaybook('welcome: { batchSize: 3, within: 5m, text: "x" }\nspam: { alert: "{name} {detail}", afterHours: alert }', 'loud.yaml'),
    });
    loud.clock.set('2026-11-20T15:30:00Z');
    const night = groupMessage({ text: '加我 www.spam.cn' });
    await loud.service.onMessage(night, night.providerAt);
    expect(loud.sent.map((s) => s.key)).toEqual([spamAlertKey(night.id, 'guide-hz01-01')]);
    closeDb(loud.db);
  });
});

describe('batched welcomes over a real Redis', () => {
  const redis = useTestRedis();

  it('survives a restart: the batch opened before it is sent once by the next process', async () => {
    const prefix = `g${randomUUID().slice(0, 8)}`;
    const db = openTestDb();
    seedDemoStore(db, loadSeed(), { now: Date.now(), baseTier: 'regular', timezone: 'Asia/Shanghai' });
    const fast = parseGroupsPlaybook('welcome: { batchSize: 5, within: 1s, text: "欢迎{names}" }\nspam: { alert: "x" }', 'fast.yaml');
    const rooms = { isReady: () => true, selfId: () => BOT, memberIds: async () => [] };
    const service = (queues: Queues, outbox: GroupsServiceDeps['outbox']) =>
      new GroupsService({
        repo: new GroupsRepo(db),
        outbox,
        queues,
        rooms,
        clock: systemClock,
        timezone: 'Asia/Shanghai',
        account: 'main',
        playbook: () => fast,
        logger: silentLogger(),
      });
    // The first process records the join and its delayed job, then stops before the batch is due.
    const q1 = new Queues({ ...redisOptionsFromUrl(redis.url) }, prefix);
    const first = service(q1, {
      enqueue: async () => {
        throw new Error('the first process never sends');
      },
    });
    await first.onEvent(ev('join', A, ['new-1'], 'm001', Date.now()));
    await first.close();
    await q1.close();

    const q2 = new Queues({ ...redisOptionsFromUrl(redis.url) }, prefix);
    const sent: EnqueueRequest[] = [];
    const second = service(q2, {
      enqueue: async (r) => {
        sent.push(r);
        return { id: sent.length, created: true, status: 'queued' };
      },
    });
    second.start();
    expect(await second.reconcileWelcomes()).toBe(1); // same job id as the first process's: still one job
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(1);
    expect(sent).toEqual([expect.objectContaining({ key: welcomeKey(1), content: { kind: 'text', text: '欢迎客人new-1', mentionIds: ['new-1'] } })]);
    expect(await second.reconcileWelcomes()).toBe(0);
    await expect.poll(async () => Object.values(await q2.queue('groups-welcome').getJobCounts('delayed', 'waiting', 'active')).reduce((a, b) => a + b, 0)).toBe(0);
    expect(sent).toHaveLength(1);
    await second.close();
    await q2.close();
    closeDb(db);
  });
});
