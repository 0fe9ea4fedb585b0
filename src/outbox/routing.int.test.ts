import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReachRepo } from '../accounts/reach.repo.js';
import type { AccountSpec, AccountState, AccountsView } from '../accounts/types.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import { validateCampaign } from '../campaigns/campaign.file.js';
import { CampaignsRepo } from '../campaigns/campaigns.repo.js';
import { CampaignService } from '../campaigns/campaigns.service.js';
import { campaignReport, renderReport } from '../campaigns/report.js';
import { seedGroups } from '../campaigns/testing.js';
import { closeDb, openDb, type Db } from '../platform/db/client.js';
import { memberLinks, members, staff, stores } from '../platform/db/schema.js';
import { Liveness } from '../platform/queue/liveness.js';
import { Queues, queueNames } from '../platform/queue/queues.js';
import { redisOptionsFromUrl } from '../platform/redis/url.js';
import { tempDir, testOutboxOptions, testSenderOptions } from '../../test/support/harness.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { RecordingTransport } from '../../test/support/transport.js';
import { Outbox, type EnqueueRequest } from './outbox.js';
import { OutboxRepo } from './outbox.repo.js';
import { PURPOSES, type Purpose } from './purposes.js';
import { Sender, type SettledEvent } from './sender.js';

const SH = 'Asia/Shanghai';
const SLOT = zonedTime(2026, 11, 27, 10, 0, SH);
const text = (t: string) => ({ kind: 'text' as const, text: t });

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('siyu-routing-int-');
});
afterAll(() => tmp.remove());

const allPolicy = (p: 'reroute' | 'wait') => Object.fromEntries(Object.keys(PURPOSES).map((k) => [k, p])) as Record<Purpose, 'reroute' | 'wait'>;
const spec = (id: string, over: Partial<AccountSpec> = {}): AccountSpec => ({
  id,
  name: `${id} 店助`,
  role: 'store',
  stores: [],
  enabled: true,
  onDown: allPolicy('reroute'),
  budget: { ratePerMinute: 20, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 },
  ...over,
});

/** Three (or any) accounts over one store, one Redis: one Outbox routing through a plain AccountsView, a Sender and a recording transport per account. */
interface World {
  db: Db;
  repo: OutboxRepo;
  reach: ReachRepo;
  queues: Queues;
  clock: ManualClock;
  outbox: Outbox;
  states: Map<string, AccountState>;
  transports: Map<string, RecordingTransport>;
  senders: Map<string, Sender>;
  settled(id: number, statuses: SettledEvent['status'][]): Promise<SettledEvent>;
  /** Every delivery, with the account that made it. */
  delivered(): { account: string; target: string; text: string }[];
  close(): Promise<void>;
}

let n = 0;
const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

async function world(specs: AccountSpec[], graceMs = 60_000): Promise<World> {
  const db = openDb(path.join(tmp.dir, `routing-${n++}.sqlite`));
  const repo = new OutboxRepo(db);
  const reach = new ReachRepo(db);
  const clock = new ManualClock(SLOT);
  const queues = new Queues(redisOptionsFromUrl(redis.url), `rt${randomUUID().slice(0, 8)}`);
  const liveness = new Liveness(queues, 2000);
  await liveness.start();
  const states = new Map<string, AccountState>(specs.map((s) => [s.id, 'online']));
  const view: AccountsView = { list: () => specs, get: (id) => specs.find((s) => s.id === id), state: (id) => states.get(id) ?? 'offline' };
  const logger = silentLogger();
  const outbox = new Outbox(repo, queues, clock, logger, testOutboxOptions({ defaultAccount: specs[0]!.id, accounts: { view, reach, downGraceMs: graceMs } }));
  const transports = new Map<string, RecordingTransport>();
  const senders = new Map<string, Sender>();
  const events: SettledEvent[] = [];
  const waiters: { id: number; statuses: SettledEvent['status'][]; resolve: (e: SettledEvent) => void }[] = [];
  for (const s of specs) {
    const t = new RecordingTransport();
    const sender = new Sender(repo, queues, outbox, t, clock, logger, testSenderOptions({ account: s.id, marketingCapPerDay: 5 }), liveness.instanceId);
    sender.on('settled', (e: SettledEvent) => {
      events.push(e);
      for (const w of waiters.filter((x) => x.id === e.id && x.statuses.includes(e.status))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    });
    transports.set(s.id, t);
    senders.set(s.id, sender);
  }
  const w: World = {
    db,
    repo,
    reach,
    queues,
    clock,
    outbox,
    states,
    transports,
    senders,
    settled: (id, statuses) => {
      const seen = events.find((e) => e.id === id && statuses.includes(e.status));
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ id, statuses, resolve }));
    },
    delivered: () => [...transports].flatMap(([account, t]) => t.delivered.map((d) => ({ account, target: d.target.id, text: (d.content as { text: string }).text }))),
    close: async () => {
      outbox.stopFeeding();
      for (const s of senders.values()) await s.close();
      await liveness.stop();
      await queues.close();
      closeDb(db);
    },
  };
  open.push(w);
  return w;
}

/** Stores HZ01 and HZ02, members m0…m11 (even: HZ01, odd: HZ02), an HQ admin. */
function seedPeople(db: Db): void {
  const now = SLOT.getTime();
  db.insert(stores)
    .values([
      { code: 'HZ01', name: '湖滨店', createdAt: now },
      { code: 'HZ02', name: '西溪店', createdAt: now },
    ])
    .run();
  db.insert(staff).values({ code: 'hq1', name: '总部小王', role: 'hq', contactId: 'wx-hq1', createdAt: now, updatedAt: now }).run();
  for (let i = 0; i < 12; i++) {
    db.insert(members)
      .values({
        contactId: `wx-m${i}`,
        name: `会员${i}`,
        storeCode: i % 2 ? 'HZ02' : 'HZ01',
        tier: 'regular',
        referralCode: `R${i}`,
        lastActiveAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .run();
  }
}

/** Rows of a batch of private messages to members `ids`. */
const toMembers = (prefix: string, ids: number[], purpose: Purpose = 'campaign'): EnqueueRequest[] =>
  ids.map((i) => ({ key: `${prefix}:${i}`, target: { kind: 'contact', id: `wx-m${i}` }, content: text(`${prefix} ${i}`), purpose }));

const reaches = (w: World, account: string, kind: 'contact' | 'room', id: string) => w.reach.accountsReaching(kind, [id]).some((r) => r.account === account);

describe('routing: each message through an account that reaches its target', () => {
  it('a members campaign over three accounts with overlapping reach: every reachable member gets exactly one message from an account that is their friend; the unreachable are counted', async () => {
    const w = await world([spec('hz01', { stores: ['HZ01'] }), spec('hz02', { stores: ['HZ02'] }), spec('hq', { role: 'hq' })]);
    seedPeople(w.db);
    const t = SLOT.getTime();
    // hz01: m0–m5, hz02: m4–m9, hq: m8–m10 (m10 only by the contact id of their second WeChat); m11: nobody.
    w.reach.add(
      'hz01',
      'contact',
      [0, 1, 2, 3, 4, 5].map((i) => `wx-m${i}`),
      t,
    );
    w.reach.add(
      'hz02',
      'contact',
      [4, 5, 6, 7, 8, 9].map((i) => `wx-m${i}`),
      t,
    );
    w.reach.add('hq', 'contact', ['wx-m8', 'wx-m9', 'wx-m10b'], t);
    const m10 = w.db.$client.prepare("select id from members where contact_id = 'wx-m10'").pluck().get() as number;
    w.db.insert(memberLinks).values({ contactId: 'wx-m10b', memberId: m10, source: 'merge', linkedAt: t }).run();

    const repo = new CampaignsRepo(w.db);
    const service = new CampaignService({ repo, outbox: w.outbox, clock: w.clock, timezone: SH, logger: silentLogger(), queues: null, resumeStepMs: 0 });
    service.upsert(
      validateCampaign(
        {
          id: 'md',
          name: '会员日',
          audience: { members: { stores: ['HZ01', 'HZ02'] } },
          content: [{ kind: 'text', text: '{name} 会员日' }],
          schedule: { cron: '0 10 * * 5' },
          spreadMinutes: 0,
        },
        path.join(tmp.dir, 'md.yaml'),
      ),
      'file',
      null,
      'file',
    );
    const [plan] = await service.tick(SLOT);
    expect(plan).toMatchObject({ targeted: 12, enqueued: 12 });

    for (const s of w.senders.values()) s.start(true);
    const rows = w.db.$client.prepare("select id, account, target_id as targetId, status, reason from outbox where key like 'campaign:md:%' order by id").all() as {
      id: number;
      account: string;
      targetId: string;
      status: string;
      reason: string | null;
    }[];
    const queued = rows.filter((r) => r.status === 'queued');
    await Promise.all(queued.map((r) => w.settled(r.id, ['sent'])));

    const unreachable = rows.filter((r) => r.status === 'unreachable');
    expect(unreachable.map((r) => r.targetId)).toEqual(['wx-m11']);
    expect(unreachable[0]!.reason).toBe("no enabled account is a friend of contact wx-m11 (nor of the member's other contact ids)");
    for (const r of queued) expect(reaches(w, r.account, 'contact', r.targetId), `${r.account} reaches ${r.targetId}`).toBe(true);
    const byTarget = new Map(rows.map((r) => [r.targetId, r.account]));
    // Members seen by two accounts go through their own store's account (m4, m5, m9); m8's store account
    // (hz01) is not their friend, so the less loaded of the two that are (hq) sends.
    expect([byTarget.get('wx-m4'), byTarget.get('wx-m5'), byTarget.get('wx-m9'), byTarget.get('wx-m8')]).toEqual(['hz01', 'hz02', 'hz02', 'hq']);
    expect(byTarget.get('wx-m10b'), 'm10 by their second contact id').toBe('hq');

    const delivered = w.delivered();
    expect(delivered).toHaveLength(11);
    expect(new Set(delivered.map((d) => d.target)).size, 'one message per member').toBe(11);
    for (const d of delivered) expect(byTarget.get(d.target), `${d.target} delivered by the account its row names`).toBe(d.account);
    const report = campaignReport(repo, 'md')[0]!;
    expect(report).toMatchObject({ targeted: 12, sent: 11, unreachable: 1, pending: 0 });
    expect(renderReport([report], SH)).toContain('unreachable 1, pending 0');
  });

  it('a group campaign: each group gets one post, from an account in it; a group no account is in is counted unreachable', async () => {
    const w = await world([spec('hz01', { stores: ['HZ01'] }), spec('hz02'), spec('hq', { role: 'hq' })]);
    const rooms = seedGroups(w.db, 9, SLOT.getTime());
    // hz01 in groups 0–4, hz02 in 3–7, hq in 6–7; group 8: nobody.
    w.reach.add('hz01', 'room', rooms.slice(0, 5), SLOT.getTime());
    w.reach.add('hz02', 'room', rooms.slice(3, 8), SLOT.getTime());
    w.reach.add('hq', 'room', rooms.slice(6, 8), SLOT.getTime());
    const repo = new CampaignsRepo(w.db);
    const service = new CampaignService({ repo, outbox: w.outbox, clock: w.clock, timezone: SH, logger: silentLogger(), queues: null, resumeStepMs: 0 });
    service.upsert(
      validateCampaign(
        {
          id: 'gp',
          name: '群发',
          audience: { groups: { stores: ['HZ01'] } },
          content: [{ kind: 'text', text: '{name} 周末见' }],
          schedule: { cron: '0 10 * * 5' },
          spreadMinutes: 0,
        },
        path.join(tmp.dir, 'gp.yaml'),
      ),
      'file',
      null,
      'file',
    );
    await service.tick(SLOT);
    for (const s of w.senders.values()) s.start(true);
    const rows = w.db.$client.prepare("select id, account, target_id as targetId, status from outbox where key like 'campaign:gp:%'").all() as {
      id: number;
      account: string;
      targetId: string;
      status: string;
    }[];
    await Promise.all(rows.filter((r) => r.status === 'queued').map((r) => w.settled(r.id, ['sent'])));
    const delivered = w.delivered();
    expect(delivered.map((d) => d.target).sort()).toEqual(rooms.slice(0, 8));
    for (const d of delivered) expect(reaches(w, d.account, 'room', d.target), `${d.account} is in ${d.target}`).toBe(true);
    // The groups of store HZ01 that its account is in go through it.
    for (const room of rooms.slice(0, 5)) expect(delivered.find((d) => d.target === room)?.account).toBe('hz01');
    expect(campaignReport(repo, 'gp')[0]).toMatchObject({ targeted: 9, sent: 8, unreachable: 1 });
  });

  it('answers a member from the account they wrote to, and posts to a group from an account in it', async () => {
    const w = await world([spec('hz01', { stores: ['HZ01'] }), spec('hz02', { stores: ['HZ02'] }), spec('hq', { role: 'hq' })]);
    seedPeople(w.db);
    const t = SLOT.getTime();
    w.reach.add('hz01', 'contact', ['wx-m4'], t);
    w.reach.add('hz02', 'contact', ['wx-m4'], t);
    w.reach.noteInbound('hz02', 'contact', 'wx-m4', t + 1000);
    w.reach.add('hq', 'room', ['r1@chatroom'], t);
    for (const s of w.senders.values()) s.start(true);
    const reply = await w.outbox.enqueue({ key: 'reply:1', target: { kind: 'contact', id: 'wx-m4' }, content: text('积分 120'), purpose: 'reply' });
    const post = await w.outbox.enqueue({ key: 'post:1', target: { kind: 'room', id: 'r1@chatroom' }, content: text('会员日'), purpose: 'campaign' });
    const lost = await w.outbox.enqueue({ key: 'post:2', target: { kind: 'room', id: 'r2@chatroom' }, content: text('会员日'), purpose: 'campaign' });
    await w.settled(reply.id, ['sent']);
    await w.settled(post.id, ['sent']);
    expect(lost).toMatchObject({ created: true, status: 'unreachable' });
    expect(w.transports.get('hz02')!.delivered.map((d) => d.target.id)).toEqual(['wx-m4']);
    expect(w.transports.get('hq')!.delivered.map((d) => d.target.id)).toEqual(['r1@chatroom']);
    expect(w.repo.get(lost.id)).toMatchObject({ status: 'unreachable', account: '', reason: 'no enabled account is in group r2@chatroom' });
    // A disabled account is never chosen, even as the one written to.
    w.states.set('hz02', 'disabled');
    const again = await w.outbox.enqueue({ key: 'reply:2', target: { kind: 'contact', id: 'wx-m4' }, content: text('好的'), purpose: 'reply' });
    expect(w.repo.get(again.id)?.account).toBe('hz01');
  });

  it('an account logged out mid-campaign: after the grace its campaign messages re-route and its service messages wait; admins told once; nothing sent twice', async () => {
    const onDown = { ...allPolicy('reroute'), service: 'wait' as const };
    const w = await world([spec('hz01', { stores: ['HZ01'], onDown }), spec('hz02', { stores: ['HZ02'] }), spec('hq', { role: 'hq' })]);
    seedPeople(w.db);
    const t = SLOT.getTime();
    w.reach.add(
      'hz01',
      'contact',
      [0, 1, 2, 3, 4, 5].map((i) => `wx-m${i}`),
      t,
    );
    w.reach.add('hz02', 'contact', ['wx-m2', 'wx-m4', 'wx-hq1'], t);
    const camp = await w.outbox.enqueueMany(toMembers('camp', [0, 1, 2, 3, 4, 5]));
    const svc = await w.outbox.enqueueMany(toMembers('svc', [4], 'service'));
    const late = await w.outbox.enqueue({ ...toMembers('late', [1], 'service')[0]!, expiresAt: t + 150_000 });
    await w.outbox.feed('hz01');
    expect(
      camp.map((r) => w.repo.get(r.id)!.account),
      'all on their store account, jobs in its queue',
    ).toEqual(Array(6).fill('hz01'));
    expect(w.repo.get(camp[4]!.id)).toMatchObject({ fedGen: 1 });

    // hz01 logs out: its sender holds (not ready); the others send.
    const hz01 = w.transports.get('hz01')!;
    hz01.ready = false;
    w.senders.get('hz01')!.start(true);
    w.senders.get('hz02')!.start(true);
    w.outbox.accountDown('hz01', 'logged out');
    w.states.set('hz01', 'offline');
    expect(await w.outbox.checkDown(), 'within the grace nothing moves').toEqual([]);
    w.clock.advance(61_000);
    const [report] = await w.outbox.checkDown();
    expect(report).toMatchObject({ account: 'hz01', reason: 'logged out', rerouted: 2, waiting: 6, told: 1 });
    w.outbox.accountDown('hz01', 'logged out');
    w.clock.advance(120_000);
    expect(await w.outbox.checkDown(), 'told once per outage').toEqual([]);
    // A waiting message past its expiry is settled while the account is still down.
    expect(w.repo.get(late.id)).toMatchObject({ status: 'expired', reason: 'expired at 2026-11-27T02:02:30.000Z while its account was down' });

    await w.settled(camp[2]!.id, ['sent']);
    await w.settled(camp[4]!.id, ['sent']);
    // Generation 1: its job in hz01's queue; 2: moved (that job is stale from then on); 3: its job in hz02's queue.
    expect(w.repo.get(camp[4]!.id)).toMatchObject({ account: 'hz02', rerouted: 1, fedGen: 3, status: 'sent' });
    const alert = w.repo.getByKey(`account-down:hz01:${t}:hq1`)!;
    expect(alert).toMatchObject({ account: 'hz02', targetId: 'wx-hq1', purpose: 'alert' });
    await w.settled(alert.id, ['sent']);
    expect(w.outbox.downAccounts()).toEqual([{ account: 'hz01', since: t, reason: 'logged out', applied: true }]);
    expect(JSON.parse(alert.content).text).toBe('【账号离线】hz01 店助（hz01）自 2026-11-27 10:00 离线：logged out。2 条待发消息已改由其他账号发送，6 条等待它恢复。');
    expect(w.repo.get(svc[0]!.id), 'service waits for its account').toMatchObject({ account: 'hz01', status: 'queued', rerouted: 0 });

    // New campaign rows pass over the down account while another reaches the member.
    const fresh = await w.outbox.enqueue(toMembers('fresh', [2])[0]!);
    expect(w.repo.get(fresh.id)?.account).toBe('hz02');

    // hz01 is back: what waited goes from it; the stale jobs of the re-routed rows are dropped unsent.
    w.states.set('hz01', 'online');
    hz01.ready = true;
    await w.outbox.accountUp('hz01');
    for (const r of [camp[0]!, camp[1]!, camp[3]!, camp[5]!, ...svc]) await w.settled(r.id, ['sent']);
    await w.settled(fresh.id, ['sent']);
    const left = async () =>
      Object.values(await w.queues.queue(queueNames.outbox('hz01', 'paced')).getJobCounts('waiting', 'prioritized', 'delayed', 'active')).reduce((a, b) => a + b, 0);
    await expect.poll(left, { timeout: 5000 }).toBe(0);
    expect(hz01.delivered.map((d) => (d.content as { text: string }).text).sort()).toEqual(['camp 0', 'camp 1', 'camp 3', 'camp 5', 'svc 4']);
    expect(w.outbox.downAccounts()).toEqual([]);
    expect(w.repo.routingCounts()).toEqual({ reroutedTo: { hz02: 2 }, unreachable: 0 });
    const texts = w.delivered().map((d) => d.text);
    expect(texts).toHaveLength(new Set(texts).size);
    expect(texts.sort()).toEqual(['camp 0', 'camp 1', 'camp 2', 'camp 3', 'camp 4', 'camp 5', 'fresh 2', 'svc 4', JSON.parse(alert.content).text].sort());
  });

  it('a job of the old account cannot claim a row moved to another account, even if it read the row just before the move', async () => {
    const w = await world([spec('hz01'), spec('hz02')]);
    w.reach.add('hz01', 'contact', ['wx-m1'], SLOT.getTime());
    w.reach.add('hz02', 'contact', ['wx-m1'], SLOT.getTime());
    const [r] = await w.outbox.enqueueMany(toMembers('race', [1]));
    await w.outbox.feed(w.repo.get(r!.id)!.account);
    const before = w.repo.get(r!.id)!;
    expect(before).toMatchObject({ status: 'queued', fedGen: 1 });
    const other = before.account === 'hz01' ? 'hz02' : 'hz01';
    expect(w.repo.reroute([{ id: r!.id, from: before.account, to: other, targetId: 'wx-m1' }], SLOT.getTime())).toBe(1);
    expect(w.repo.claim(r!.id, SLOT.getTime(), 'old-account-sender', 1), 'the old job (generation 1)').toBe(false);
    expect(w.repo.claim(r!.id, SLOT.getTime(), 'new-account-sender', 2)).toBe(true);
  });

  it('estimates where messages would go without queuing anything (capacity): shares per account with their budgets, and the unreachable', async () => {
    const w = await world([
      spec('hz01', { stores: ['HZ01'] }),
      spec('hz02', { stores: ['HZ02'], budget: { ratePerMinute: 10, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 } }),
      spec('hq', { role: 'hq' }),
    ]);
    seedPeople(w.db);
    w.reach.add(
      'hz01',
      'contact',
      [0, 1, 2, 3].map((i) => `wx-m${i}`),
      SLOT.getTime(),
    );
    w.reach.add(
      'hz02',
      'contact',
      [2, 3, 4, 5].map((i) => `wx-m${i}`),
      SLOT.getTime(),
    );
    const targets = [0, 1, 2, 3, 4, 5, 6].map((i) => ({ purpose: 'staff-prompt' as const, kind: 'contact' as const, id: `wx-m${i}` }));
    const est = w.outbox.routeShares(targets, 2)!;
    expect(est.unreachable).toBe(1);
    expect(est.shares.sort((a, b) => a.account.localeCompare(b.account))).toEqual([
      { account: 'hz01', messages: 6, budget: { ratePerMinute: 20, gapMinMs: 0, gapMaxMs: 0 } },
      { account: 'hz02', messages: 6, budget: { ratePerMinute: 10, gapMinMs: 0, gapMaxMs: 0 } },
    ]);
    expect(w.db.$client.prepare('select count(*) from outbox').pluck().get(), 'nothing queued').toBe(0);
  });

  it('with one account in the registry and an empty reach table, everything goes through it as before', async () => {
    const w = await world([spec('main')]);
    w.senders.get('main')!.start(true);
    const [a, b] = await w.outbox.enqueueMany([
      { key: 'x', target: { kind: 'contact', id: 'anyone' }, content: text('您好'), purpose: 'reply' },
      { key: 'y', target: { kind: 'room', id: 'r9@chatroom' }, content: text('通知'), purpose: 'service' },
    ]);
    await w.settled(a!.id, ['sent']);
    await w.settled(b!.id, ['sent']);
    expect(w.delivered().map((d) => [d.account, d.target])).toEqual([
      ['main', 'anyone'],
      ['main', 'r9@chatroom'],
    ]);
  });

  it('unreachable is not final: on a first start, rows queued before any list was read go out once accounts read their lists, gain the target or are enabled; expired ones end expired', async () => {
    const w = await world([spec('hz01', { stores: ['HZ01'] }), spec('hz02', { stores: ['HZ02'] }), spec('hq', { role: 'hq' })]);
    seedPeople(w.db);
    const t = SLOT.getTime();
    w.states.set('hz02', 'disabled');
    // Nothing read yet: every row is unreachable.
    const first = await w.outbox.enqueueMany(toMembers('first', [0, 1, 2, 3]));
    const late = await w.outbox.enqueue({ ...toMembers('late', [5], 'service')[0]!, expiresAt: t + 60_000 });
    expect([...first, late].map((r) => r.status)).toEqual(Array(5).fill('unreachable'));

    // A disabled account gaining m1 does not make m1 reachable.
    w.reach.add('hz02', 'contact', ['wx-m1'], t);
    await w.outbox.reachSettled();
    expect(w.repo.get(first[1]!.id)).toMatchObject({
      status: 'unreachable',
      reason: "no enabled account is a friend of contact wx-m1 (nor of the member's other contact ids)",
    });

    // hz01 logs in after the service row's expiry: its list is read (m0, m2, m5).
    w.clock.advance(61_000);
    w.reach.replaceAll('hz01', 'contact', ['wx-m0', 'wx-m2', 'wx-m5'], w.clock.now().getTime());
    await w.outbox.reachSettled();
    expect(w.repo.get(first[0]!.id)).toMatchObject({ status: 'queued', account: 'hz01', reason: null });
    expect(w.repo.get(first[0]!.id)!.fedAt, 'fed: its job is in the queue of hz01').not.toBeNull();
    expect(w.repo.get(first[2]!.id)).toMatchObject({ status: 'queued', account: 'hz01' });
    expect(w.repo.get(late.id)).toMatchObject({ status: 'expired', reason: 'expired at 2026-11-27T02:01:00.000Z while no enabled account reached its target' });

    // m3 writes to hq from their second WeChat: reached by that contact id.
    const m3 = w.db.$client.prepare("select id from members where contact_id = 'wx-m3'").pluck().get() as number;
    w.db.insert(memberLinks).values({ contactId: 'wx-m3b', memberId: m3, source: 'merge', linkedAt: t }).run();
    w.reach.noteInbound('hq', 'contact', 'wx-m3b', w.clock.now().getTime());
    await w.outbox.reachSettled();
    expect(w.repo.get(first[3]!.id)).toMatchObject({ status: 'queued', account: 'hq', targetId: 'wx-m3b' });

    // hz02 is enabled and comes up: every unreachable row is looked at again.
    expect(w.repo.get(first[1]!.id)?.status).toBe('unreachable');
    w.states.set('hz02', 'online');
    await w.outbox.accountUp('hz02');
    expect(w.repo.get(first[1]!.id)).toMatchObject({ status: 'queued', account: 'hz02', reason: null });

    for (const s of w.senders.values()) s.start(true);
    for (const r of first) await w.settled(r.id, ['sent']);
    expect(w.delivered().sort((a, b) => a.text.localeCompare(b.text))).toEqual([
      { account: 'hz01', target: 'wx-m0', text: 'first 0' },
      { account: 'hz02', target: 'wx-m1', text: 'first 1' },
      { account: 'hz01', target: 'wx-m2', text: 'first 2' },
      { account: 'hq', target: 'wx-m3b', text: 'first 3' },
    ]);
    expect(w.repo.routingCounts()).toEqual({ reroutedTo: {}, unreachable: 0 });
  });

  it('a queued row whose account lost the friend is not sent from it: it moves to another account that reaches the member, or becomes unreachable until one does', async () => {
    const w = await world([spec('hz01', { stores: ['HZ01'] }), spec('hz02', { stores: ['HZ02'] })]);
    seedPeople(w.db);
    const t = SLOT.getTime();
    w.reach.add('hz01', 'contact', ['wx-m0', 'wx-m2'], t);
    w.reach.add('hz02', 'contact', ['wx-m2'], t);
    const [r0, r2] = await w.outbox.enqueueMany(toMembers('lost', [0, 2]));
    await w.outbox.feed('hz01');
    expect([w.repo.get(r0!.id), w.repo.get(r2!.id)]).toMatchObject([
      { account: 'hz01', fedGen: 1 },
      { account: 'hz01', fedGen: 1 },
    ]);

    // m2 removes hz01 (a friendship event); hz01's next login list no longer has m0.
    w.reach.remove('hz01', 'contact', 'wx-m2');
    w.reach.replaceAll('hz01', 'contact', ['wx-m9'], t + 1000);
    await w.outbox.reachSettled();
    expect(w.repo.get(r2!.id)).toMatchObject({ status: 'queued', account: 'hz02', targetId: 'wx-m2', rerouted: 1, fedGen: 3 });
    expect(w.repo.get(r0!.id)).toMatchObject({
      status: 'unreachable',
      account: '',
      fedGen: 2,
      reason: "no enabled account is a friend of contact wx-m0 (nor of the member's other contact ids)",
    });

    // Their jobs in hz01's queue are stale: hz01 (ready) sends nothing.
    for (const s of w.senders.values()) s.start(true);
    await w.settled(r2!.id, ['sent']);
    const left = async () =>
      Object.values(await w.queues.queue(queueNames.outbox('hz01', 'paced')).getJobCounts('waiting', 'prioritized', 'delayed', 'active')).reduce((a, b) => a + b, 0);
    await expect.poll(left, { timeout: 5000 }).toBe(0);
    expect(w.transports.get('hz01')!.delivered).toEqual([]);

    // m0 adds hz01 again: their message goes, once.
    w.reach.add('hz01', 'contact', ['wx-m0'], t + 2000);
    await w.outbox.reachSettled();
    await w.settled(r0!.id, ['sent']);
    expect(w.delivered()).toEqual([
      { account: 'hz01', target: 'wx-m0', text: 'lost 0' },
      { account: 'hz02', target: 'wx-m2', text: 'lost 2' },
    ]);
  });
});
