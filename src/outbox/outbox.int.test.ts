import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ManualClock } from '../core/clock.js';
import { zonedTime } from '../core/time.js';
import { optOuts } from '../platform/db/schema.js';
import { queueNames } from '../platform/queue/queues.js';
import { flushAll } from '../../test/support/redis.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { outboxHarness, tempDir, type OutboxHarness } from '../../test/support/harness.js';
import { sendJobId } from './outbox.js';

const SH = 'Asia/Shanghai';
const noon = () => new ManualClock(zonedTime(2026, 11, 25, 12, 0, SH));
const text = (t: string) => ({ kind: 'text' as const, text: t });
const member = (id: string) => ({ kind: 'contact' as const, id });

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: OutboxHarness[] = [];
let n = 0;

async function harness(clock = noon(), sender = {}, outbox = {}) {
  const h = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, `db-${n++}.sqlite`), clock, sender, outbox });
  open.push(h);
  return h;
}

beforeAll(() => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => {
  tmp.remove();
});

describe('outbox: one way out', () => {
  it('sends a key enqueued twice exactly once', async () => {
    const h = await harness();
    const a = await h.outbox.enqueue({ key: 'reply:m1', target: member('c1'), content: text('您好'), purpose: 'reply' });
    const b = await h.outbox.enqueue({ key: 'reply:m1', target: member('c1'), content: text('您好'), purpose: 'reply' });
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ id: a.id, created: false });
    h.sender.start(true);
    await h.settled(a.id, ['sent']);
    const c = await h.outbox.enqueue({ key: 'reply:m1', target: member('c1'), content: text('您好'), purpose: 'reply' });
    expect(c).toMatchObject({ id: a.id, created: false, status: 'sent' });
    await h.outbox.enqueue({ key: 'reply:m2', target: member('c1'), content: text('second'), purpose: 'reply' }).then((r) => h.settled(r.id, ['sent']));
    expect(h.transport.delivered.map((d) => (d.content as { text: string }).text)).toEqual(['您好', 'second']);
    expect(h.repo.get(a.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('keeps within the account budget and the gap between sends, counted where the messages arrive', async () => {
    const h = await harness(noon(), { ratePerMinute: 2, rateWindowMs: 1000, gapMinMs: 100, gapMaxMs: 150 });
    const rows = await h.outbox.enqueueMany(Array.from({ length: 6 }, (_, i) => ({ key: `b${i}`, target: member(`c${i}`), content: text(`m${i}`), purpose: 'reply' as const })));
    h.sender.start(true);
    await Promise.all(rows.map((r) => h.settled(r.id, ['sent'])));
    const at = h.transport.delivered.map((d) => d.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(100);
    for (let i = 2; i < at.length; i++) expect(at[i]! - at[i - 2]!, 'at most 2 sends in any 1 s window').toBeGreaterThanOrEqual(1000);
    expect(rows.map((r) => h.repo.get(r.id)?.status)).toEqual(Array(6).fill('sent'));
  });

  it('shares one budget between two processes of the account', async () => {
    const prefix = `shared${n}`;
    const opts = { ratePerMinute: 3, rateWindowMs: 1000, gapMinMs: 50, gapMaxMs: 50 };
    const a = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, `shared-${n}.sqlite`), clock: noon(), prefix, sender: opts });
    open.push(a);
    const b = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, `shared-${n++}.sqlite`), clock: noon(), prefix, sender: opts });
    open.push(b);
    const rows = await a.outbox.enqueueMany(Array.from({ length: 9 }, (_, i) => ({ key: `s${i}`, target: member(`c${i}`), content: text(`m${i}`), purpose: 'reply' as const })));
    a.sender.start(true);
    b.sender.start(true);
    await Promise.all(rows.map((r) => Promise.race([a.settled(r.id, ['sent']), b.settled(r.id, ['sent'])])));
    const at = [...a.transport.delivered, ...b.transport.delivered].map((d) => d.at).sort((x, y) => x - y);
    expect(at).toHaveLength(9);
    expect(b.transport.delivered.length, 'both processes sent').toBeGreaterThan(0);
    for (let i = 3; i < at.length; i++) expect(at[i]! - at[i - 3]!, 'at most 3 sends in any 1 s window across both').toBeGreaterThanOrEqual(1000);
  });

  it('sends every one of 2,000 messages queued in a burst while the sender runs: no job finds its row on the old generation', async () => {
    const h = await harness(noon(), { concurrency: 20 });
    h.sender.start(true);
    const rows: { id: number }[] = [];
    for (let c = 0; c < 20; c++) {
      rows.push(
        ...(await h.outbox.enqueueMany(
          Array.from({ length: 100 }, (_, i) => ({
            key: `burst:${c}:${i}`,
            target: member(`c${c}-${i}`),
            content: text('x'),
            purpose: (i % 2 ? 'reply' : 'service') as 'reply' | 'service',
          })),
        )),
      );
    }
    await Promise.all(rows.map((r) => h.settled(r.id, ['sent'])));
    expect(h.repo.countByStatus()).toEqual({ sent: 2000 });
  });

  it('moves a row to its new generation before its job exists, so a job never finds its row on the old one', async () => {
    const h = await harness();
    const q = h.queues.queue(queueNames.outbox('main'));
    const seen: [number, number][] = [];
    const addBulk = q.addBulk.bind(q);
    q.addBulk = (async (jobs: Parameters<typeof q.addBulk>[0]) => {
      for (const j of jobs) seen.push([(j.data as { gen: number }).gen, h.repo.get((j.data as { id: number }).id)!.fedGen]);
      return addBulk(jobs);
    }) as typeof q.addBulk;
    await h.outbox.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ key: `gen:${i}`, target: member(`c${i}`), content: text('x'), purpose: 'reply' as const })));
    expect(seen).toHaveLength(50);
    for (const [jobGen, rowGen] of seen) expect(rowGen).toBe(jobGen);
  });

  it('sends a reply before a campaign queued ahead of it', async () => {
    // With a budget (as every real account has), the sender takes a reply before any paced message.
    const h = await harness(noon(), { ratePerMinute: 1000, gapMinMs: 0, gapMaxMs: 0 });
    await h.outbox.enqueueMany(
      Array.from({ length: 30 }, (_, i) => ({ key: `camp${i}`, target: { kind: 'room' as const, id: `g${i}@chatroom` }, content: text('会员日'), purpose: 'campaign' as const })),
    );
    await h.outbox.enqueue({ key: 'reply:urgent', target: member('c1'), content: text('reply'), purpose: 'reply' });
    h.sender.start(true);
    await h.transport.waitFor(31);
    expect((h.transport.delivered[0]!.content as { text: string }).text).toBe('reply');
  });

  it('holds marketing in SQLite through quiet hours (no job, no slot) and sends it when they end, replies still go', async () => {
    const clock = new ManualClock(zonedTime(2026, 11, 25, 23, 0, SH));
    const h = await harness(clock);
    const camp = await h.outbox.enqueue({ key: 'care:1', target: member('c1'), content: text('生日快乐'), purpose: 'care', expiresAt: clock.now().getTime() + 7_200_000 });
    const reply = await h.outbox.enqueue({ key: 'reply:1', target: member('c2'), content: text('积分 120'), purpose: 'reply' });
    h.sender.start(true);
    await h.settled(reply.id, ['sent']);
    await h.outbox.feed();
    const morning = zonedTime(2026, 11, 26, 8, 30, SH).getTime();
    expect(h.repo.get(camp.id)).toMatchObject({ status: 'queued', deferredUntil: morning, deferredWhy: 'quiet-hours', fedAt: null, expiresAt: morning + 7_200_000 });
    const paced = await h.queues.queue(queueNames.outbox('main', 'paced')).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    expect(
      Object.values(paced).reduce((x, y) => x + y, 0),
      'nothing in Redis for the night',
    ).toBe(0);
    clock.set(morning);
    await h.outbox.feed();
    await h.settled(camp.id, ['sent']);
    expect(h.transport.delivered.map((d) => d.target.id)).toEqual(['c2', 'c1']);
  });

  it('skips marketing to opted-out members and over the daily cap, with the reason', async () => {
    const h = await harness();
    h.db.insert(optOuts).values({ contactId: 'quiet', at: 1, source: 'test' }).run();
    const out = await h.outbox.enqueue({ key: 'camp:quiet', target: member('quiet'), content: text('x'), purpose: 'campaign' });
    const first = await h.outbox.enqueue({ key: 'camp:a1', target: member('a'), content: text('x'), purpose: 'campaign' });
    const service = await h.outbox.enqueue({ key: 'svc:quiet', target: member('quiet'), content: text('您的问题已处理'), purpose: 'service' });
    h.sender.start(true);
    await h.settled(first.id, ['sent']);
    const second = await h.outbox.enqueue({ key: 'camp:a2', target: member('a'), content: text('y'), purpose: 'wake-up' });
    expect(await h.settled(out.id, ['skipped'])).toMatchObject({ reason: 'opted-out' });
    expect(await h.settled(second.id, ['skipped'])).toMatchObject({ reason: 'member-cap 1/day reached' });
    await h.settled(service.id, ['sent']);
    expect(h.repo.get(second.id)).toMatchObject({ status: 'skipped', reason: 'member-cap 1/day reached' });
  });

  it('expires what cannot go before its deadline instead of sending late', async () => {
    const clock = noon();
    const h = await harness(clock);
    const r = await h.outbox.enqueue({ key: 'alert:late', target: member('mgr'), content: text('x'), purpose: 'alert', expiresAt: clock.now().getTime() + 1000 });
    clock.advance(2000);
    h.sender.start(true);
    await h.settled(r.id, ['expired']);
    expect(h.transport.delivered).toHaveLength(0);
  });

  it('retries a transient failure and records a permanent one', async () => {
    const h = await harness();
    h.transport.failures.set('flaky', ['transient']);
    h.transport.failures.set('gone', ['permanent']);
    const flaky = await h.outbox.enqueue({ key: 'f', target: member('flaky'), content: text('x'), purpose: 'reply' });
    const gone = await h.outbox.enqueue({ key: 'g', target: member('gone'), content: text('x'), purpose: 'reply' });
    h.sender.start(true);
    await h.settled(flaky.id, ['sent']);
    await h.settled(gone.id, ['failed']);
    expect(h.repo.get(flaky.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(h.repo.get(gone.id)).toMatchObject({ status: 'failed', reason: 'no such contact gone' });
  });

  it('waits while the account is logged out and sends when it is back', async () => {
    const h = await harness();
    h.transport.ready = false;
    const r = await h.outbox.enqueue({ key: 'w', target: member('c'), content: text('x'), purpose: 'reply' });
    h.sender.start(true);
    const job = await h.queues.queue(queueNames.outbox('main')).getJob(sendJobId(r.id, 1));
    expect(await job?.getState()).toMatch(/waiting|prioritized/);
    expect(h.repo.get(r.id)?.status).toBe('queued');
    h.transport.ready = true;
    await h.settled(r.id, ['sent']);
  });

  it('loses no message when Redis loses its data: reconcile re-queues from SQLite', async () => {
    const h = await harness();
    const rows = await h.outbox.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ key: `r${i}`, target: member(`c${i}`), content: text(`m${i}`), purpose: 'reply' as const })));
    await flushAll(redis.url);
    const rec = await h.outbox.reconcile('unknown', (o) => h.liveness.isAlive(o));
    expect(rec, 'the marker key went with the data: every row re-queued').toEqual({ inFlight: 0, queued: 20 });
    await h.outbox.reconcile('unknown', (o) => h.liveness.isAlive(o)); // twice is harmless
    h.sender.start(true);
    await h.transport.waitFor(20);
    await Promise.all(rows.map((r) => h.settled(r.id, ['sent'])));
    expect(h.transport.delivered).toHaveLength(20);
    expect(new Set(h.transport.delivered.map((d) => d.target.id)).size).toBe(20);
  });

  it('keeps far-future rows in SQLite only, and gives them a job once they come within the horizon', async () => {
    const clock = noon();
    const h = await harness(clock);
    const later = await h.outbox.enqueue({ key: 'later', target: member('c1'), content: text('x'), purpose: 'campaign', notBefore: clock.now().getTime() + 3_600_000 });
    const queue = h.queues.queue(queueNames.outbox('main', 'paced'));
    expect(await h.outbox.feed()).toBe(0);
    expect(await queue.getJob(sendJobId(later.id, 1))).toBeUndefined();
    clock.advance(57 * 60_000);
    expect(await h.outbox.feed()).toBe(1);
    const job = await queue.getJob(sendJobId(later.id, 1));
    expect(await job?.getState()).toBe('delayed');
    expect(job!.delay).toBe(3 * 60_000);
  });

  it('holds in Redis only what the account can send soon, and feeds more as it drains', async () => {
    const h = await harness(noon(), {}, { pacedJobsFor: () => 10 });
    const rows = await h.outbox.enqueueMany(
      Array.from({ length: 50 }, (_, i) => ({ key: `c${i}`, target: { kind: 'room' as const, id: `g${i}@chatroom` }, content: text('x'), purpose: 'campaign' as const })),
    );
    await h.outbox.feed();
    const queue = h.queues.queue(queueNames.outbox('main', 'paced'));
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(10);
    expect(h.repo.fedCount('main')).toBe(10);
    h.sender.start(true);
    await Promise.all(rows.map((r) => h.settled(r.id, ['sent'])));
    expect(new Set(h.transport.delivered.map((d) => d.target.id)).size).toBe(50);
  });

  it('drops the jobs of rows settled meanwhile without sending or waiting (a cancelled campaign)', async () => {
    const h = await harness(noon(), { ratePerMinute: 1, rateWindowMs: 60_000 });
    const rows = await h.outbox.enqueueMany(
      Array.from({ length: 30 }, (_, i) => ({ key: `camp:x:${i}`, target: { kind: 'room' as const, id: `g${i}@chatroom` }, content: text('x'), purpose: 'campaign' as const })),
    );
    await h.outbox.feed();
    for (const r of rows) h.repo.settleQueued(r.id, 'skipped', 1, 'cancelled');
    const queue = h.queues.queue(queueNames.outbox('main', 'paced'));
    const inRedis = async () => Object.values(await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active')).reduce((x, y) => x + y, 0);
    expect(await inRedis()).toBe(30);
    expect(await h.outbox.sweep()).toBe(30);
    expect(await inRedis()).toBe(0);
    h.sender.start(true);
    const reply = await h.outbox.enqueue({ key: 'reply:after', target: member('c1'), content: text('积分 120'), purpose: 'reply' });
    await h.settled(reply.id, ['sent']);
    expect(h.transport.delivered.map((d) => d.target.id)).toEqual(['c1']);
  });

  it('after a crash, a message a dead process held goes within seconds of the next start, not after the stalled-job lock', async () => {
    const prefix = `crash${n}`;
    const dbFile = path.join(tmp.dir, `crash-${n++}.sqlite`);
    const a = await outboxHarness({ redisUrl: redis.url, dbFile, clock: noon(), prefix });
    const row = await a.outbox.enqueue({ key: 'held', target: member('c1'), content: text('您好'), purpose: 'reply' });
    // Process A takes the job (it is active, its lock good for 30 s) and dies before deciding anything.
    const grabber = a.queues.manualWorker(queueNames.outbox('main'));
    const job = await grabber.getNextJob('dead-token', { block: false });
    expect(job?.data).toEqual({ id: row.id, gen: 1 });
    await a.liveness.stop();
    await grabber.disconnect();
    await a.close();
    // The next process on the same store and Redis.
    const c = await outboxHarness({ redisUrl: redis.url, dbFile, clock: noon(), prefix });
    open.push(c);
    const started = Date.now();
    await c.outbox.reconcile('unknown', (o) => c.liveness.isAlive(o), { refeed: true });
    c.sender.start(true);
    await c.settled(row.id, ['sent']);
    expect(Date.now() - started, 'ms from start to sent').toBeLessThan(5000);
    expect(c.transport.delivered).toHaveLength(1);
    expect(c.repo.get(row.id)).toMatchObject({ status: 'sent', fedGen: 2 });
  });

  it('marks a row a dead process left in sending as unknown, and leaves a live one alone', async () => {
    const h = await harness();
    const dead = await h.outbox.enqueue({ key: 'dead', target: member('c1'), content: text('x'), purpose: 'reply' });
    const live = await h.outbox.enqueue({ key: 'live', target: member('c2'), content: text('x'), purpose: 'reply' });
    expect(h.repo.claim(dead.id, 1, 'gone-process')).toBe(true);
    expect(h.repo.claim(live.id, 1, h.liveness.instanceId)).toBe(true);
    const rec = await h.outbox.reconcile('unknown', (o) => h.liveness.isAlive(o));
    expect(rec.inFlight).toBe(1);
    expect(h.repo.get(dead.id)).toMatchObject({ status: 'unknown' });
    expect(h.repo.get(live.id)).toMatchObject({ status: 'sending' });
  });
});
