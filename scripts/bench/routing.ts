/**
 * Routing benchmark: what choosing an account costs on the enqueue path. 100,000 campaign messages
 * to members (enqueued in chunks of 5,000, as the planner does) and 500 replies one by one, first with
 * one account (routing off: today's path), then routed over three accounts whose reach overlaps
 * (a: members 0–50%, b: 40–90%, c: 85–99%; 1% reached by nobody; every 20th member also known by a
 * second contact id). Each variant runs twice on a fresh store; Redis is a throwaway server.
 *
 *   npx tsx scripts/bench/routing.ts [--members 100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReachRepo } from '../../src/accounts/reach.repo.js';
import type { AccountSpec } from '../../src/accounts/types.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { Outbox, type EnqueueRequest } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { PURPOSES, type Purpose } from '../../src/outbox/purposes.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { NO_QUIET_HOURS, testOutboxOptions } from '../../test/support/harness.js';
import { startTestRedis } from '../../test/support/redis.js';

const CHUNK = 5000;

function seed(db: Db, n: number): void {
  const c = db.$client;
  c.transaction(() => {
    c.prepare(`insert into stores (code, name, created_at) values ('S1', 'S1', 0), ('S2', 'S2', 0)`).run();
    const ins = c.prepare(`insert into members (contact_id, name, store_code, tier, referral_code, created_at, updated_at) values (?, '', ?, 'regular', ?, 0, 0)`);
    for (let i = 0; i < n; i++) ins.run(`wx${i}`, i % 2 ? 'S1' : 'S2', `R${i}`);
    const link = c.prepare(`insert into member_links (contact_id, member_id, source, linked_at) values (?, ?, 'merge', 0)`);
    for (let i = 0; i < n; i += 20) link.run(`wx${i}-b`, i + 1);
  })();
  const reach = new ReachRepo(db);
  const ids = (from: number, to: number) => Array.from({ length: Math.max(0, Math.floor(to) - Math.floor(from)) }, (_, k) => `wx${Math.floor(from) + k}`);
  reach.add('a', 'contact', ids(0, n * 0.5), 0);
  reach.add('b', 'contact', ids(n * 0.4, n * 0.9), 0);
  reach.add('c', 'contact', ids(n * 0.85, n * 0.99), 0);
}

async function run(redisUrl: string, n: number, routed: boolean): Promise<{ enqueueMs: number; replyMs: number; unreachable: number; byAccount: Record<string, number> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-routing-'));
  const db = openDb(path.join(dir, 'bench.db'));
  const queues = new Queues(redisOptionsFromUrl(redisUrl), `routing${process.pid}${routed ? 'r' : 'p'}${Date.now() % 100000}`);
  try {
    seed(db, n);
    const budget = { ratePerMinute: 20, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 };
    const onDown = Object.fromEntries(Object.keys(PURPOSES).map((p) => [p, 'reroute'])) as Record<Purpose, 'reroute'>;
    const specs: AccountSpec[] = ['a', 'b', 'c'].map((id, i) => ({ id, name: id, role: 'store', stores: [i ? 'S1' : 'S2'], budget, enabled: true, onDown }));
    const accounts = routed
      ? { accounts: { view: { list: () => specs, get: (id: string) => specs.find((s) => s.id === id), state: () => 'online' as const }, reach: new ReachRepo(db) } }
      : {};
    const outbox = new Outbox(
      new OutboxRepo(db),
      queues,
      systemClock,
      silentLogger(),
      testOutboxOptions({ defaultAccount: 'a', quietHours: NO_QUIET_HOURS, pacedJobsFor: () => 60, ...accounts }),
    );
    const reqs: EnqueueRequest[] = Array.from({ length: n }, (_, i) => ({
      key: `campaign:${i}`,
      target: { kind: 'contact', id: `wx${i}` },
      content: { kind: 'text', text: '会员日快乐' },
      purpose: 'campaign',
    }));
    const t0 = performance.now();
    for (let i = 0; i < n; i += CHUNK) await outbox.enqueueMany(reqs.slice(i, i + CHUNK));
    const enqueueMs = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 500; i++)
      await outbox.enqueue({ key: `reply:${i}`, target: { kind: 'contact', id: `wx${(i * 7) % n}` }, content: { kind: 'text', text: '积分 120' }, purpose: 'reply' });
    const replyMs = performance.now() - t1;
    const rows = db.$client.prepare(`select account, status, count(*) as n from outbox group by 1, 2`).all() as { account: string; status: string; n: number }[];
    return {
      enqueueMs,
      replyMs,
      unreachable: rows.filter((r) => r.status === 'unreachable').reduce((a, r) => a + r.n, 0),
      byAccount: Object.fromEntries(rows.filter((r) => r.status === 'queued').map((r) => [r.account, r.n])),
    };
  } finally {
    await queues.close();
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const mi = args.indexOf('--members');
const n = mi >= 0 ? Number(args[mi + 1]) : 100_000;
if (!Number.isInteger(n) || n < 100) throw new Error(`--members: expected a whole number ≥ 100, found ${args[mi + 1]}`);
const redis = await startTestRedis();
try {
  for (const routed of [false, true, false, true]) {
    const r = await run(redis.url, n, routed);
    console.log(
      `${routed ? 'routed over 3 accounts' : 'one account (no routing)'}: ${n.toLocaleString('en-US')} campaign rows in ${Math.round(r.enqueueMs)} ms ` +
        `(${((r.enqueueMs * 1000) / n).toFixed(1)} µs/row); 500 replies one by one ${Math.round(r.replyMs)} ms; queued ${JSON.stringify(r.byAccount)}, unreachable ${r.unreachable}`,
    );
  }
} finally {
  await redis.stop();
}
