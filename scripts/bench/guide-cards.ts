/**
 * Guide-card benchmark: plan today's 3+3+3 cards for 10,000 guides over 1,000,000 members (selection
 * by the shipped playbook's rules, rendering, recording, and enqueue into the real outbox: SQLite rows
 * and BullMQ jobs on a real redis-server). Targets: ≤ 5 s, peak RSS ≤ 400 MB.
 *
 *   npx tsx scripts/bench/guide-cards.ts [--guides 10000] [--members 1000000]
 *
 * The store is generated first (not timed): 100 stores, every guide working that day, 3 groups per
 * guide, members spread over guides with birthdays, activity, purchases and growth drawn so every rule
 * has candidates, and 3 wake-up suggestions per guide from the day before (read through the wake-up's
 * card source, as in the app). `benchGuideCards()` is what `npm run bench` calls.
 */
import { NO_QUIET_HOURS, testOutboxOptions } from '../../test/support/harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { zonedTime } from '../../src/core/time.js';
import { runCards } from '../../src/guide-sop/cards.jobs.js';
import { GuideSopRepo } from '../../src/guide-sop/guide-sop.repo.js';
import { loadGuidePlaybook } from '../../src/guide-sop/playbook.js';
import { SelectionRepo } from '../../src/guide-sop/selection.repo.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { startTestRedis } from '../../test/support/redis.js';
import { CardSuggestions } from '../../src/core/card-suggestions.js';
import { loadWakeupPlaybook } from '../../src/wakeup/playbook.js';
import { cardSuggestions } from '../../src/wakeup/wakeup.capability.js';
import { WakeupRepo } from '../../src/wakeup/wakeup.repo.js';
import { measure } from './measure.js';
import { seedWakeupSuggestions } from './wakeup.js';
import type { Measurement } from './table.js';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const STORES = 100;
const PLAYBOOK = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'sop', 'guide-daily.yaml');

/** Fills `db` with stores, guides (+ a manager per store), 3 groups per guide and `members` members. */
export function generateStore(db: Db, guides: number, members: number, now: number): void {
  const c = db.$client;
  const rnd = seededRandom(20_261_125);
  c.transaction(() => {
    const store = c.prepare('insert into stores (code, name, city, created_at) values (?, ?, ?, ?)');
    for (let s = 0; s < STORES; s++) store.run(`S${s}`, `门店${s}`, '杭州', now);
    const staff = c.prepare('insert into staff (code, name, role, store_code, contact_id, working_days, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)');
    const group = c.prepare('insert into groups (room_id, name, store_code, guide_code, created_at, updated_at) values (?, ?, ?, ?, ?, ?)');
    for (let s = 0; s < STORES; s++) staff.run(`M${s}`, `店长${s}`, 'store-manager', `S${s}`, `wx-m${s}`, '0123456', now, now);
    for (let g = 0; g < guides; g++) {
      // Every guide works the benchmark day (a Wednesday); a seventh are off on Saturdays.
      staff.run(`G${g}`, `导购${g}`, 'guide', `S${g % STORES}`, `wx-g${g}`, g % 7 === 0 ? '012345' : '0123456', now, now);
      for (let k = 0; k < 3; k++) group.run(`r${g}-${k}@chatroom`, `导购${g}的${k + 1}群`, `S${g % STORES}`, `G${g}`, now, now);
    }
  })();
  const insert = c.prepare(`insert into members (contact_id, name, phone, store_code, guide_code, tier, growth, birthday_kind, birth_month,
    birth_day, last_active_at, last_purchase_at, opted_out_at, referral_code, created_at, updated_at)
    values (?, ?, ?, ?, ?, 'regular', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const BATCH = 50_000;
  for (let from = 0; from < members; from += BATCH) {
    c.transaction(() => {
      for (let i = from; i < Math.min(members, from + BATCH); i++) {
        const g = i % guides;
        const hasBirthday = rnd() < 0.6;
        insert.run(
          `wx-${i}`,
          `会员${i}`,
          String(13_000_000_000 + i),
          `S${g % STORES}`,
          `G${g}`,
          rnd() < 0.2 ? Math.floor(rnd() * 10_000) : Math.floor(rnd() * 3000),
          hasBirthday ? (rnd() < 0.2 ? 'lunar' : 'solar') : null,
          hasBirthday ? 1 + Math.floor(rnd() * 12) : null,
          hasBirthday ? 1 + Math.floor(rnd() * 28) : null,
          rnd() < 0.1 ? null : now - Math.floor(rnd() * 120 * DAY),
          rnd() < 0.5 ? now - Math.floor(rnd() * 60 * DAY) : null,
          rnd() < 0.05 ? now - DAY : null,
          `R${i.toString(36).toUpperCase().padStart(8, '0')}`,
          now,
          now,
        );
      }
    })();
  }
  c.pragma('wal_checkpoint(TRUNCATE)');
  c.exec('analyze');
}

/** The figures of one run. */
export interface GuideCardsBenchResult {
  measurement: Measurement;
  guides: number;
  members: number;
  cards: number;
  seconds: number;
  /** Peak RSS of the whole process during the timed part. */
  peakRssMb: number;
  namedMembers: number;
}

/**
 * Plans and enqueues one day of cards on a generated store; starts its own redis-server unless
 * `redisUrl` is given. Everything lives in a temp dir removed at the end.
 */
export async function benchGuideCards(opts: { guides?: number; members?: number; redisUrl?: string } = {}): Promise<GuideCardsBenchResult> {
  const guides = opts.guides ?? 10_000;
  const members = opts.members ?? 1_000_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-guide-'));
  const redis = opts.redisUrl ? null : await startTestRedis();
  const db = openDb(path.join(dir, 'store.sqlite'));
  const queues = new Queues(redisOptionsFromUrl(opts.redisUrl ?? redis!.url), `benchguide${process.pid}`);
  try {
    const slot = zonedTime(2026, 11, 25, 9, 30, TZ);
    generateStore(db, guides, members, slot.getTime());
    const pb = loadGuidePlaybook(PLAYBOOK);
    const outbox = new Outbox(new OutboxRepo(db), queues, systemClock, silentLogger(), testOutboxOptions({ quietHours: NO_QUIET_HOURS }));
    // The wake-up's suggestions (3 per guide, decided yesterday) come through its real card source.
    seedWakeupSuggestions(db, guides, '2026-11-24', slot.getTime() - DAY);
    const suggestions = new CardSuggestions();
    const wakeRepo = new WakeupRepo(db);
    const wakePb = loadWakeupPlaybook(path.join(path.dirname(PLAYBOOK), 'wakeup.yaml'));
    suggestions.register('wake-up', (date) => cardSuggestions(wakeRepo, wakePb, date));
    const deps = { repo: new GuideSopRepo(db), selection: new SelectionRepo(db), outbox, timezone: TZ, playbook: () => pb, logger: silentLogger(), suggestions };
    let cards = 0;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    const measurement = await measure(`guide cards: plan + enqueue (${guides.toLocaleString('en-US')} guides, ${members.toLocaleString('en-US')} members)`, guides, async (sw) => {
      peak = process.memoryUsage.rss();
      sw.start();
      const r = await runCards(deps, slot, slot.getTime());
      sw.stop();
      cards = r.enqueued;
      return `guide cards: ${r.enqueued.toLocaleString('en-US')} cards queued for ${guides.toLocaleString('en-US')} guides over ${members.toLocaleString('en-US')} members`;
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    const named = db.$client.prepare("select count(*) from guide_chat_picks where date = '2026-11-25'").pluck().get() as number;
    return { measurement, guides, members, cards, seconds: measurement.seconds, peakRssMb: peak / 2 ** 20, namedMembers: named };
  } finally {
    await queues.close();
    closeDb(db);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]?.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 1) throw new Error(`--${name} needs a positive number`);
  return n;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchGuideCards({ guides: flag('guides', 10_000), members: flag('members', 1_000_000) }).then(
    (r) => {
      console.log(`${r.measurement.name}`);
      console.log(
        `  ${r.cards.toLocaleString('en-US')} cards, ${r.namedMembers.toLocaleString('en-US')} members named, ${r.seconds.toFixed(2)} s, peak RSS ${Math.round(r.peakRssMb)} MB (process), peak ΔRSS ${Math.round(r.measurement.peakRssDeltaMb)} MB`,
      );
      console.log(`  ${r.seconds <= 5 ? '✓' : '✗'} ≤ 5 s   ${r.peakRssMb <= 400 ? '✓' : '✗'} peak RSS ≤ 400 MB`);
    },
    (err: unknown) => {
      console.error('bench failed:', err);
      process.exit(1);
    },
  );
}
