import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import { queueNames } from '../platform/queue/queues.js';
import { outboxHarness, tempDir, type OutboxHarness } from '../../test/support/harness.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { outboxOperations, recordOnlyOutbox } from './operations.js';
import type { SendJobData } from './outbox.js';

/**
 * The outbox's operations on a real SQLite file and a real Redis: what a held, released, re-queued or
 * cancelled row becomes in the record, in the queue and at the transport.
 */

const SH = 'Asia/Shanghai';
const text = (t: string) => ({ kind: 'text' as const, text: t });

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: OutboxHarness[] = [];
let n = 0;

beforeAll(() => {
  tmp = tempDir('siyu-ops-');
});
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => tmp.remove());

async function world() {
  const clock = new ManualClock(zonedTime(2026, 11, 25, 12, 0, SH));
  const h = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, `ops-${n++}.sqlite`), clock });
  open.push(h);
  const ops = outboxOperations(h.db, h.outbox, clock, silentLogger());
  const now = clock.now().getTime();
  /** Campaign rows `campaign:<id>:o1:c<i>`, one per member, due (already) one millisecond apart in reverse key order. */
  const plan = async (id: string, count: number) =>
    h.outbox.enqueueMany(
      Array.from({ length: count }, (_, i) => ({
        key: `campaign:${id}:o1:c${i}`,
        target: { kind: 'contact' as const, id: `${id}-c${i}` },
        content: text(`${id} ${i}`),
        purpose: 'campaign' as const,
        notBefore: now - (count - i),
      })),
    );
  /** Ids of the rows that hold a paced job in Redis now. */
  const jobIds = async () => {
    const jobs = await h.queues.queue(queueNames.outbox('main', 'paced')).getJobs(['waiting', 'prioritized', 'delayed'], 0, 1000);
    return jobs
      .filter(Boolean)
      .map((j) => (j.data as SendJobData).id)
      .sort((a, b) => a - b);
  };
  return { h, ops, plan, jobIds, clock, now };
}

describe('outbox operations by key prefix', () => {
  it('hold sets a prefix aside in its place (no job left), release puts it back in the same place and feeds it; other rows are untouched', async () => {
    const { h, ops, plan, jobIds, now } = await world();
    const spring = await plan('spring', 4);
    const summer = await plan('summer', 2);
    await expect.poll(jobIds).toEqual([...spring, ...summer].map((r) => r.id).sort((a, b) => a - b));
    const before = spring.map((r) => h.repo.get(r.id)!);

    expect(ops.hold('campaign:spring:', 'paused')).toBe(4);
    for (const r of spring) expect(h.repo.get(r.id)).toMatchObject({ status: 'skipped', reason: 'paused' });
    for (const r of summer) expect(h.repo.get(r.id)).toMatchObject({ status: 'queued', reason: null });
    // the hold drops their jobs (a sweep after this turn): only summer's remain
    await expect.poll(jobIds).toEqual(summer.map((r) => r.id));
    expect(ops.held('campaign:spring:', 'paused').map((r) => r.id)).toEqual(spring.map((r) => r.id));

    expect(await ops.release('campaign:spring:', 'paused')).toBe(4);
    for (const [i, r] of spring.entries()) {
      expect(h.repo.get(r.id)).toMatchObject({ status: 'queued', reason: null, notBefore: before[i]!.notBefore, priority: before[i]!.priority });
      expect(h.repo.get(r.id)!.notBefore).toBe(now - (4 - i));
    }
    // fed at once: every row has its job again
    expect(await jobIds()).toEqual([...spring, ...summer].map((r) => r.id).sort((a, b) => a - b));
    // nothing held is left; a second release changes nothing
    expect(await ops.release('campaign:spring:', 'paused')).toBe(0);

    // sent in their planned order (not-before), each once
    h.sender.start(true);
    await Promise.all([...spring, ...summer].map((r) => h.settled(r.id, ['sent'])));
    const delivered = h.transport.delivered.map((d) => (d.content as { text: string }).text).filter((t) => t.startsWith('spring'));
    expect(delivered).toEqual(['spring 0', 'spring 1', 'spring 2', 'spring 3']);
  });

  it('requeue gives held rows new times from the plan, in held order, and feeds them; a sent row is never touched', async () => {
    const { h, ops, plan, jobIds, now } = await world();
    const rows = await plan('autumn', 3);
    // one of them went before the hold
    h.repo.finish(rows[0]!.id, 'sent', now);
    expect(ops.hold('campaign:autumn:', 'paused')).toBe(2);
    expect(h.repo.get(rows[0]!.id)).toMatchObject({ status: 'sent', reason: null });
    const at = [now + 60_000, now + 120_000];
    expect(await ops.requeue('campaign:autumn:', 'paused', (held) => held.map((_, i) => at[i]!))).toBe(2);
    // held order is planned order: c1 (due first) then c2
    expect(h.repo.get(rows[1]!.id)).toMatchObject({ status: 'queued', notBefore: at[0] });
    expect(h.repo.get(rows[2]!.id)).toMatchObject({ status: 'queued', notBefore: at[1] });
    expect(h.repo.get(rows[0]!.id)).toMatchObject({ status: 'sent' });
    expect(await jobIds()).toEqual([rows[1]!.id, rows[2]!.id]);
    await expect(ops.requeue('campaign:autumn:', 'paused', () => [])).resolves.toBe(0);
  });

  it('cancel settles what is queued under a prefix and turns held rows into cancelled ones; by id for single rows', async () => {
    const { h, ops, plan, jobIds } = await world();
    const rows = await plan('winter', 3);
    const other = await plan('spring', 1);
    expect(ops.hold('campaign:winter:o1:c0', 'paused')).toBe(1);
    expect(ops.cancel({ prefix: 'campaign:winter:' }, 'cancelled', { held: 'paused' })).toBe(3);
    for (const r of rows) expect(h.repo.get(r.id)).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    await expect.poll(jobIds).toEqual([other[0]!.id]);
    expect(await ops.release('campaign:winter:', 'paused')).toBe(0);
    // a wake-up's stage row, by id: once
    expect(ops.cancel({ ids: [other[0]!.id] }, 'wake-up stopped: message')).toBe(1);
    expect(ops.cancel({ ids: [other[0]!.id] }, 'again')).toBe(0);
    expect(h.repo.get(other[0]!.id)).toMatchObject({ status: 'skipped', reason: 'wake-up stopped: message' });
    await expect.poll(jobIds).toEqual([]);
    expect(() => ops.cancel({ prefix: '' }, 'everything')).toThrow('an outbox key prefix is required');
  });

  it('without Redis (the CLI) the records change and the running bot feeds them later', async () => {
    const { h, plan, jobIds, clock } = await world();
    const cli = outboxOperations(h.db, null, clock, silentLogger());
    const rows = await plan('cli', 2);
    expect(cli.hold('campaign:cli:', 'paused')).toBe(2);
    expect(await cli.release('campaign:cli:', 'paused')).toBe(2);
    for (const r of rows) expect(h.repo.get(r.id)).toMatchObject({ status: 'queued', fedAt: null });
    // the bot's feed gives them their jobs
    await h.outbox.sweep();
    expect(await jobIds()).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
    // rows the CLI records (wake-up run) carry the outbox's priorities and wait for the feed too
    const [made] = await recordOnlyOutbox(h.db, 'main', clock).enqueueMany([
      { key: 'wakeup:1:1:1', target: { kind: 'contact', id: 'w1' }, content: text('想你了'), purpose: 'wake-up' },
    ]);
    expect(h.repo.get(made!.id)).toMatchObject({ status: 'queued', priority: 6, account: 'main', fedAt: null });
  });
});
