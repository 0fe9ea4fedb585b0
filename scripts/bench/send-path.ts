/**
 * The send path with its budget ON at the shipped defaults (20 sends in any 60 s, gaps 1–3 s, 1,000
 * an hour): a 10,000-message campaign waits while a member's reply is queued every 10 s (the load). Real time
 * (the budget is what is measured), so it runs `seconds` (default 150). Prints reply latency
 * (queued → handed to the transport) p50/p99, sends per full minute, the most in any sliding 60 s,
 * the jobs Redis held, and what a cancel of the backlog leaves in Redis and costs the next reply.
 */
import path from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { OutboundContent, Target, Transport } from '../../src/core/messages.js';
import { Outbox, type EnqueueRequest } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { Sender } from '../../src/outbox/sender.js';
import { closeDb, openDb } from '../../src/platform/db/client.js';
import { Queues, queueNames } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { NO_QUIET_HOURS, testOutboxOptions, testSenderOptions } from '../../test/support/harness.js';
import type { CapabilityCheck } from './capabilities.js';

const BACKLOG = 10_000;
const RATE = 20;
const REPLY_EVERY_MS = 10_000;

class TimedTransport implements Transport {
  readonly sends: { at: number; target: string }[] = [];
  private readonly waiters = new Map<string, () => void>();
  isReady(): boolean {
    return true;
  }
  async send(target: Target, _content: OutboundContent): Promise<{ messageId?: string }> {
    this.sends.push({ at: Date.now(), target: target.id });
    this.waiters.get(target.id)?.();
    this.waiters.delete(target.id);
    return { messageId: `m${this.sends.length}` };
  }
  next(targetId: string): Promise<number> {
    return new Promise((resolve) => this.waiters.set(targetId, () => resolve(Date.now())));
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? NaN;

export async function benchSendPath(redisUrl: string, dir: string, seconds: number, log: (l: string) => void): Promise<CapabilityCheck[]> {
  const db = openDb(path.join(dir, 'send-path.db'));
  const queues = new Queues(redisOptionsFromUrl(redisUrl), `sendpath${process.pid}`);
  const repo = new OutboxRepo(db);
  const logger = silentLogger();
  const outbox = new Outbox(repo, queues, systemClock, logger, testOutboxOptions({ quietHours: NO_QUIET_HOURS, pacedJobsFor: () => RATE * 3 }));
  const transport = new TimedTransport();
  const sender = new Sender(
    repo,
    queues,
    outbox,
    transport,
    systemClock,
    logger,
    testSenderOptions({
      ratePerMinute: RATE,
      capPerHour: 1000,
      gapMinMs: 1000,
      gapMaxMs: 3000,
      quietHours: NO_QUIET_HOURS,
      marketingCapPerDay: 1,
    }),
    `bench-${process.pid}`,
  );
  const paced = queues.queue(queueNames.outbox('main', 'paced'));
  const inRedis = async () => Object.values(await paced.getJobCounts('waiting', 'prioritized', 'delayed', 'active')).reduce((a, b) => a + b, 0);
  try {
    const backlog: EnqueueRequest[] = Array.from({ length: BACKLOG }, (_, i) => ({
      key: `bench:camp:${i}`,
      target: { kind: 'room', id: `g${i}@chatroom` },
      content: { kind: 'text', text: '会员日' },
      purpose: 'campaign',
    }));
    for (let i = 0; i < backlog.length; i += 1000) await outbox.enqueueMany(backlog.slice(i, i + 1000));
    await outbox.feed();
    const heldBefore = await inRedis();
    sender.start(true);
    const started = Date.now();
    const latencies: number[] = [];
    let k = 0;
    while (Date.now() - started < seconds * 1000) {
      const target = `member-${k}`;
      const at = Date.now();
      const arrived = transport.next(target);
      await outbox.enqueue({ key: `bench:reply:${k++}`, target: { kind: 'contact', id: target }, content: { kind: 'text', text: '您的积分：120' }, purpose: 'reply' });
      latencies.push((await arrived) - at);
      const wait = at + REPLY_EVERY_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const heldDuring = await inRedis();
    // Cancel the backlog (as `campaign cancel` does), then one more reply.
    const cancelAt = Date.now();
    db.$client.prepare(`update outbox set status = 'skipped', reason = 'cancelled' where key like 'bench:camp:%' and status = 'queued'`).run();
    await outbox.sweep();
    const heldAfterCancel = await inRedis();
    const sweepMs = Date.now() - cancelAt;
    const arrived = transport.next('after-cancel');
    const askAt = Date.now();
    await outbox.enqueue({ key: 'bench:reply:after-cancel', target: { kind: 'contact', id: 'after-cancel' }, content: { kind: 'text', text: '您的积分：120' }, purpose: 'reply' });
    const afterCancelMs = (await arrived) - askAt;

    const at = transport.sends.map((s) => s.at).filter((t) => t >= started && t <= cancelAt);
    let maxSliding = 0;
    for (let i = 0, j = 0; i < at.length; i++) {
      while (at[i]! - at[j]! >= 60_000) j++;
      maxSliding = Math.max(maxSliding, i - j + 1);
    }
    let minGap = Infinity;
    for (let i = 1; i < at.length; i++) minGap = Math.min(minGap, at[i]! - at[i - 1]!);
    const minutes: number[] = [];
    for (let t = at[0]!; t + 60_000 <= cancelAt; t += 60_000) minutes.push(at.filter((x) => x >= t && x < t + 60_000).length);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = pct(sorted, 0.5);
    const p99 = pct(sorted, 0.99);
    log(
      `  send path (budget on: ${RATE}/min, gaps 1–3 s, 1,000/h), ${BACKLOG.toLocaleString('en-US')} campaign messages waiting, a reply every ${REPLY_EVERY_MS / 1000} s for ${seconds} s:`,
    );
    log(`    reply latency p50 ${p50} ms, p99 ${p99} ms, max ${sorted[sorted.length - 1]} ms over ${sorted.length} replies`);
    log(`    sends per full minute ${minutes.join(', ')}; most in any sliding 60 s ${maxSliding}; smallest gap ${minGap} ms`);
    log(
      `    paced jobs in Redis: ${heldBefore} before start, ${heldDuring} while ${BACKLOG - transport.sends.length + latencies.length} waited in SQLite; ${heldAfterCancel} after cancelling the backlog (sweep ${sweepMs} ms); next reply ${afterCancelMs} ms`,
    );
    return [
      { label: 'send path: reply p99 ≤ 4 s under a 10,000 backlog (budget on)', shown: `p50 ${p50} ms, p99 ${p99} ms`, ok: p99 <= 4000 },
      {
        label: 'send path: ≤ 20 in any sliding 60 s, ≥ 19 every full minute',
        shown: `max ${maxSliding}; per minute ${minutes.join(', ')}`,
        ok: maxSliding <= RATE && minutes.every((m) => m >= RATE - 1),
      },
      { label: 'send path: gaps ≥ 1 s', shown: `smallest ${minGap} ms`, ok: minGap >= 1000 },
      {
        label: 'send path: Redis holds minutes, not the backlog',
        shown: `${heldDuring} paced jobs for ${BACKLOG.toLocaleString('en-US')} queued; ${heldAfterCancel} after cancel`,
        ok: heldDuring <= RATE * 3 && heldAfterCancel === 0,
      },
      { label: 'send path: reply after a cancel ≤ 4 s', shown: `${afterCancelMs} ms`, ok: afterCancelMs <= 4000 },
    ];
  } finally {
    await sender.close();
    await queues.close();
    closeDb(db);
  }
}
