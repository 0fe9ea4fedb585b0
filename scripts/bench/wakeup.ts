/**
 * Wake-up benchmark: the daily selection (sweep, new dormant episodes with the holdout draw, due stages
 * within the budget, steps and coupons recorded) over 1,000,000 members of whom 10% are dormant.
 * Target ≤ 1 s; with --big also 10,000,000 members (target ≤ 10 s, RSS ≤ 500 MB).
 *
 *   npx tsx scripts/bench/wakeup.ts [--members 1000000] [--big]
 *
 * The store is generated first (not timed). The selection runs twice on the same slot (the first run
 * starts ~100,000 episodes; the second finds nothing new) and once on the next day. Messages go to an
 * outbox stand-in that only counts (the outbox itself has its own benchmark). `benchWakeup()` is what
 * `npm run bench` can call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { zonedTime } from '../../src/core/time.js';
import type { EnqueueRequest, EnqueueResult } from '../../src/outbox/outbox.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { loadWakeupPlaybook } from '../../src/wakeup/playbook.js';
import { runSelection, type WakeupDeps } from '../../src/wakeup/wakeup.jobs.js';
import { WakeupRepo } from '../../src/wakeup/wakeup.repo.js';
import { DAY_MS } from '../../src/wakeup/wakeup.rules.js';

const TZ = 'Asia/Shanghai';
const PLAYBOOK = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'sop', 'wakeup.yaml');

/** One measured figure. */
export interface WakeupBenchFigure {
  members: number;
  dormant: number;
  firstRunMs: number;
  secondRunMs: number;
  nextDayMs: number;
  started: number;
  steps: number;
  peakRssMb: number;
}

function populate(db: Db, n: number, now: number): number {
  const c = db.$client;
  const rnd = seededRandom(7);
  const guides = Math.max(1, Math.floor(n / 1000));
  c.prepare("insert into stores (code, name, created_at) values ('S1', 'bench', 0)").run();
  const staff = c.prepare("insert into staff (code, name, role, store_code, contact_id, created_at, updated_at) values (?, ?, 'guide', 'S1', ?, 0, 0)");
  c.transaction(() => { for (let g = 0; g < guides; g++) staff.run(`G${g}`, `导购${g}`, `wx-g${g}`); })();
  c.prepare("insert into rewards (code, name, cost, stock, validity_days, active, updated_at) values ('C002', '20元满199可用券', 150, null, 30, 1, 0)").run();
  const ins = c.prepare(`insert into members (contact_id, name, guide_code, store_code, tier, referral_code, joined_at, last_active_at, last_purchase_at, created_at, updated_at)
    values (?, ?, ?, 'S1', ?, ?, ?, ?, ?, 0, 0)`);
  const tiers = ['regular', 'regular', 'regular', 'silver', 'gold'];
  let dormant = 0;
  const CHUNK = 50_000;
  for (let i = 0; i < n; i += CHUNK) {
    c.transaction(() => {
      for (let j = i; j < Math.min(n, i + CHUNK); j++) {
        const isDormant = rnd() < 0.1;
        if (isDormant) dormant++;
        const silent = isDormant ? 30 + Math.floor(rnd() * 90) : Math.floor(rnd() * 29);
        const last = now - silent * DAY_MS - Math.floor(rnd() * DAY_MS / 2);
        ins.run(rnd() < 0.9 ? `wx-${j}` : null, `会员${j}`, `G${j % guides}`, tiers[j % 5]!, `R${j}`, now - 500 * DAY_MS, last,
          rnd() < 0.5 ? last - DAY_MS : null);
      }
    })();
  }
  return dormant;
}

/** Generates a store of `members` members (10% dormant) in a temp file and times the daily selection. */
export async function benchWakeup(members = 1_000_000): Promise<WakeupBenchFigure> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-wakeup-'));
  const db = openDb(path.join(dir, 'bench.sqlite'));
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  try {
    let now = zonedTime(2026, 11, 25, 10, 0, TZ).getTime();
    const dormant = populate(db, members, now);
    db.$client.pragma('optimize');
    const pb = loadWakeupPlaybook(PLAYBOOK);
    let queued = 0;
    const deps: WakeupDeps = {
      repo: new WakeupRepo(db),
      outbox: { enqueueMany: async (reqs: EnqueueRequest[]): Promise<EnqueueResult[]> => reqs.map(() => ({ id: ++queued, created: true, status: 'queued' })) },
      cancelSend: () => true,
      issueGift: (memberId, rewardCode, ref, at) => ({ code: `B${memberId}${ref.length}`, rewardCode, expiresAt: at + 30 * DAY_MS }),
      rewardName: () => '20元满199可用券', displayName: (s) => s, timezone: TZ, account: 'main',
      playbook: () => pb, now: () => now, logger: silentLogger(),
    };
    const time = async () => {
      const t0 = performance.now();
      const r = await runSelection(deps);
      return { ms: performance.now() - t0, r };
    };
    peak = process.memoryUsage().rss;
    const first = await time();
    const second = await time();
    now += DAY_MS;
    const next = await time();
    return {
      members, dormant, firstRunMs: first.ms, secondRunMs: second.ms, nextDayMs: next.ms,
      started: first.r.started.treatment + first.r.started.holdout,
      steps: first.r.steps.sent + first.r.steps.suggested + first.r.steps.holdout,
      peakRssMb: Math.round(peak / 1048576),
    };
  } finally {
    clearInterval(sample);
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(f: WakeupBenchFigure, targetMs: number): void {
  const ok = (ms: number) => (ms <= targetMs ? 'ok' : 'OVER');
  process.stdout.write(`wake-up selection, ${f.members.toLocaleString('en')} members (${f.dormant.toLocaleString('en')} dormant), target ≤ ${targetMs} ms\n`
    + `  first run (starts ${f.started.toLocaleString('en')} episodes, ${f.steps} stages): ${f.firstRunMs.toFixed(0)} ms ${ok(f.firstRunMs)}\n`
    + `  same slot again (nothing new):                          ${f.secondRunMs.toFixed(0)} ms ${ok(f.secondRunMs)}\n`
    + `  next day:                                               ${f.nextDayMs.toFixed(0)} ms ${ok(f.nextDayMs)}\n`
    + `  peak RSS ${f.peakRssMb} MB\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--members');
  const n = i >= 0 ? Number(args[i + 1]) : 1_000_000;
  print(await benchWakeup(n), 1000);
  if (args.includes('--big')) print(await benchWakeup(10_000_000), 10_000);
}
