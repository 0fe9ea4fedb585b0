import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { FriendRequest } from '../core/messages.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { closeDb, openTestDb } from '../platform/db/client.js';
import { members } from '../platform/db/schema.js';
import type { Queues } from '../platform/queue/queues.js';
import { loadSeed } from '../platform/wechaty/world/seed.js';
import { seedDemoStore } from '../members/demo-seed.js';
import { MembersRepo } from '../members/members.repo.js';
import { loadMembershipPlaybook } from '../members/playbook.js';
import { SOP_DIR } from '../capabilities.js';
import { friendAttributionOf } from './attribution.js';
import { FriendsRepo } from './friends.repo.js';
import { FriendsService, welcomeKey } from './friends.service.js';
import { parseFriendsPlaybook } from './playbook.js';
import { friendsReport } from './report.js';

const PLAYBOOK = parseFriendsPlaybook(
  `
accept: { dailyCap: 2, delay: { min: 10s, max: 20s } }
attribution: { defaultStore: HZ01, inviteCodes: { ZTT03: guide-hz01-03 } }
welcome: { text: "欢迎{name}来到{store}，我是{guide}", groupHint: "群：{group}", returning: "" }
`,
  'test.yaml',
);

type Processor = (job: { data: { id: string }; attemptsMade: number }) => Promise<void>;

function setup() {
  const db = openTestDb();
  const clock = new ManualClock('2026-11-20T02:00:00Z'); // 10:00 in Shanghai
  seedDemoStore(db, loadSeed(), { now: clock.now().getTime(), baseTier: 'regular', timezone: 'Asia/Shanghai' });
  const jobs: { jobId: string; delay: number }[] = [];
  let processor: Processor | undefined;
  const queues = {
    queue: () => ({
      addBulk: async (list: { opts: { jobId: string; delay: number } }[]) => {
        jobs.push(...list.map((j) => j.opts));
      },
    }),
    worker: (_name: string, fn: Processor) => {
      processor = fn;
      return { on: () => undefined, close: async () => undefined };
    },
  } as unknown as Queues;
  const sent: EnqueueRequest[] = [];
  const keys = new Set<string>();
  const outbox = {
    enqueue: async (r: EnqueueRequest) => {
      const created = !keys.has(r.key);
      keys.add(r.key);
      if (created) sent.push(r);
      return { id: sent.length, created, status: 'queued' as const };
    },
  };
  const accepted: string[] = [];
  let online = true;
  const gateway = {
    isReady: () => online,
    accept: async (id: string) => {
      if (!online) throw new Error('offline');
      accepted.push(id);
    },
  };
  const repo = new FriendsRepo(db);
  const service = new FriendsService({
    repo,
    outbox,
    queues,
    friendships: gateway,
    clock,
    timezone: 'Asia/Shanghai',
    account: 'main',
    playbook: () => PLAYBOOK,
    logger: silentLogger(),
    random: () => 0.5,
  });
  service.start();
  let n = 0;
  const receive = (contactId: string, hello: string, over: Partial<FriendRequest> = {}) =>
    service
      .handle({
        id: `fr-${++n}`,
        account: 'main',
        contactId,
        contactName: `客人${contactId}`,
        hello,
        type: 'receive',
        at: clock.now().getTime(),
        ...over,
      })
      .then(() => `fr-${n}`);
  const runJob = (id: string, attemptsMade = 0) => processor!({ data: { id }, attemptsMade });
  return {
    db,
    clock,
    repo,
    service,
    jobs,
    sent,
    accepted,
    receive,
    runJob,
    setOnline: (v: boolean) => {
      online = v;
    },
  };
}

let t: ReturnType<typeof setup>;
beforeEach(() => {
  t = setup();
});
afterEach(() => closeDb(t.db));

describe('friend requests: decide, accept after the delay, attribute, welcome once', () => {
  it('schedules a request with the delayed job, then accepts, attributes, welcomes once and counts it', async () => {
    const id = await t.receive('s1', 'HZ01-g03');
    expect(t.repo.request(id)).toMatchObject({ status: 'scheduled', channel: 'HZ01-g03', storeCode: 'HZ01', guideCode: 'guide-hz01-03', dueAt: t.clock.now().getTime() + 15_000 });
    expect(t.jobs).toEqual([
      { jobId: `friend-accept-${id}`, delay: 15_000, attempts: 12, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true, removeOnFail: true },
    ]);
    t.clock.advance(15_000);
    await t.runJob(id);
    await t.runJob(id); // a redelivered job does nothing
    expect(t.accepted).toEqual([id]);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]).toMatchObject({ key: welcomeKey('main', 's1'), purpose: 'reply', target: { kind: 'contact', id: 's1' } });
    expect((t.sent[0]!.content as { text: string }).text).toBe('欢迎客人s1来到杭州湖滨店，我是赵婷婷\n群：湖滨店宝妈交流2群');
    expect(t.repo.friend('s1')).toMatchObject({ status: 'friend', storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03', addCount: 1 });
    const report = friendsReport(t.db, PLAYBOOK, { from: '2026-11-20', to: '2026-11-20', store: null });
    expect(report.days).toEqual([expect.objectContaining({ day: '2026-11-20', storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03', accepted: 1 })]);
    expect(report.month).toEqual([{ storeCode: 'HZ01', storeName: '杭州湖滨店', month: '2026-11', newFriends: 1, target: 800, progress: 1 / 800 }]);
  });

  it("caps requests over the day's cap, lists them, and schedules them on a later day within that day's cap", async () => {
    const a = await t.receive('s1', 'hi');
    await t.receive('s2', 'hi');
    const c = await t.receive('s3', 'hi');
    expect(t.repo.request(c)).toMatchObject({ status: 'capped', reason: 'daily cap of 2 reached' });
    expect(t.jobs).toHaveLength(2);
    // an accepted request still counts toward today's cap
    await t.runJob(a);
    expect(await t.service.retryCapped()).toBe(0);
    const report = friendsReport(t.db, PLAYBOOK, { from: '2026-11-20', to: '2026-11-20', store: null });
    expect(report.pending.map((p) => [p.contactId, p.status])).toEqual([
      ['s2', 'scheduled'],
      ['s3', 'capped'],
    ]);
    t.clock.set('2026-11-21T01:30:00Z');
    expect(await t.service.retryCapped()).toBe(1);
    expect(t.repo.request(c)).toMatchObject({ status: 'scheduled', capDay: '2026-11-21' });
  });

  it("handles every account's requests, each within its own daily cap and welcomed under its own key", async () => {
    await t.receive('s1', 'hi');
    await t.receive('s2', 'hi');
    const b = await t.receive('s3', 'hi', { account: 'hz02' });
    const c = await t.receive('s4', 'hi', { account: 'hz02' });
    expect(t.repo.request(b)).toMatchObject({ account: 'hz02', status: 'scheduled' });
    expect(t.repo.request(c)).toMatchObject({ account: 'hz02', status: 'scheduled' });
    await t.receive('s5', 'hi', { account: 'hz02' });
    expect(t.repo.capped('hz02').map((r) => r.contactId)).toEqual(['s5']);
    await t.runJob(b);
    expect(t.sent.map((r) => r.key)).toEqual([welcomeKey('hz02', 's3')]);
  });

  it('sends unknown codes to the default store and keeps the code', async () => {
    const id = await t.receive('s1', 'BJ09-g01');
    expect(t.repo.request(id)).toMatchObject({ storeCode: 'HZ01', guideCode: null, channel: 'default', unknownCode: 'BJ09-g01' });
  });

  it('does not welcome a returning contact again, keeps their attribution, counts them as returning', async () => {
    const first = await t.receive('s1', 'ZTT03');
    await t.runJob(first);
    await t.service.handle({ id: 'rm-1', account: 'main', contactId: 's1', contactName: '', hello: '', type: 'removed', at: 0 });
    expect(t.repo.friend('s1')).toMatchObject({ status: 'removed' });
    const again = await t.receive('s1', 'HZ01-g01');
    expect(t.repo.request(again)).toMatchObject({ returning: true, guideCode: 'guide-hz01-03', channel: 'HZ01-g01' });
    await t.runJob(again);
    expect(t.sent).toHaveLength(1);
    expect(t.repo.friend('s1')).toMatchObject({ status: 'friend', addCount: 2, removedAt: null });
    const day = friendsReport(t.db, PLAYBOOK, { from: '2026-11-20', to: '2026-11-20', store: null });
    expect(day.month[0]!.newFriends).toBe(1);
  });

  it('marks a second request while the first is in flight as a duplicate (no second accept)', async () => {
    await t.receive('s1', 'hi');
    const dup = await t.receive('s1', 'hi again');
    expect(t.repo.request(dup)).toMatchObject({ status: 'duplicate' });
    expect(t.jobs).toHaveLength(1);
  });

  it('ignores a redelivered event with the same id', async () => {
    await t.receive('s1', 'hi', { id: 'same' });
    await t.receive('s1', 'hi', { id: 'same' });
    expect(t.jobs).toHaveLength(1);
  });

  it('waits while the account is offline (the job retries) and records nothing', async () => {
    const id = await t.receive('s1', 'hi');
    t.setOnline(false);
    await expect(t.runJob(id)).rejects.toThrow(/offline/);
    expect(t.repo.request(id)?.status).toBe('scheduled');
    t.setOnline(true);
    await t.runJob(id, 1);
    expect(t.repo.request(id)?.status).toBe('accepted');
  });

  it('records a friendship made outside the bot (confirm only) with the default store and welcomes it', async () => {
    await t.service.handle({ id: 'cf-1', account: 'main', contactId: 's9', contactName: '路人', hello: '', type: 'confirm', at: 0 });
    expect(t.repo.friend('s9')).toMatchObject({ channel: 'manual', storeCode: 'HZ01' });
    expect(t.sent.map((s) => s.key)).toEqual([welcomeKey('main', 's9')]);
  });

  it('gives a member who replies 入会 later the attribution of their friend request', async () => {
    const id = await t.receive('s1', 'HZ01-g03');
    await t.runJob(id);
    expect(friendAttributionOf(t.db, 's1')).toEqual({ storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03' });
    const pb = loadMembershipPlaybook(`${SOP_DIR}/membership.yaml`);
    new MembersRepo(t.db).join({ contactId: 's1', name: '客人', roomId: 'hz01-a@chatroom', referralCode: null }, pb, t.clock.now().getTime());
    expect(t.db.select().from(members).where(eq(members.contactId, 's1')).get()).toMatchObject({ storeCode: 'HZ01', guideCode: 'guide-hz01-03' });
  });
});
