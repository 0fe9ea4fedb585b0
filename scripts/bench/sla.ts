/**
 * SLA benchmarks (issue 6): inbound messages/s through the SLA tracker on top of the spine's ingest,
 * 100,000 open questions (RSS, restart reconcile), and alert lateness over 1,000 deadlines.
 * Standalone: `npx tsx scripts/bench/sla.ts [--n N] [--open N] [--deadlines N]`; `benchSla()` is
 * exported for `npm run bench`. Starts its own redis-server and temp SQLite files, removes them after.
 */
import { NO_QUIET_HOURS, testOutboxOptions } from '../../test/support/harness.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { loadConfig } from '../../src/config.js';
import { InboundRepo } from '../../src/inbound/inbound.repo.js';
import { Ingest } from '../../src/inbound/ingest.js';
import { Router } from '../../src/inbound/router.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { groups, outbox, staff, stores } from '../../src/platform/db/schema.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { ScheduleRepo } from '../../src/schedules/schedule.repo.js';
import { Scheduler } from '../../src/schedules/scheduler.js';
import { installSla, type SlaRuntime } from '../../src/sla/sla.capability.js';
import { percentile } from '../../src/sla/sla.figures.js';
import { SlaPlaybookHolder, parseSlaPlaybook } from '../../src/sla/sla.playbook.js';
import { slaAlerts } from '../../src/sla/sla.schema.js';
import { startTestRedis } from '../../test/support/redis.js';
import { seededRandom } from './data.js';
import { measure, watchProcessCpu } from './measure.js';
import { renderTable, type Measurement } from './table.js';

const GROUPS = 200;
const BURST = 1000;
const QUESTIONS = ['请问这个还有货吗', '什么时候发货呀', '这个活动到几号结束', '优惠券怎么用不了', '能开发票吗', '快递到哪里了', '适合敏感肌吗', '周末门店营业吗'];
const NO_REPLY = ['谢谢', '收到', '好的👌', '[强][强]', '哈哈哈哈'];
const STAFF_LINES = ['有货的亲', '今天下午发货', '活动到月底', '可以开发票，私信我'];

/** A store with one guide per group (guide-<i>, owner of group <i>) and a manager. */
function seed(db: Db): void {
  const now = Date.now();
  db.insert(stores).values({ code: 'B01', name: '基准店', createdAt: now }).run();
  db.insert(staff)
    .values([
      ...Array.from({ length: GROUPS }, (_, i) => ({
        code: `G${i}`,
        name: `导购${i}`,
        role: 'guide' as const,
        storeCode: 'B01',
        contactId: `guide-${i}`,
        createdAt: now,
        updatedAt: now,
      })),
      { code: 'MGR', name: '店长', role: 'store-manager' as const, storeCode: 'B01', contactId: 'mgr', createdAt: now, updatedAt: now },
    ])
    .run();
  db.insert(groups)
    .values(Array.from({ length: GROUPS }, (_, i) => ({ roomId: `b${i}@chatroom`, name: `基准群${i}`, storeCode: 'B01', guideCode: `G${i}`, createdAt: now, updatedAt: now })))
    .run();
}

/** `n` group messages: 70 % member questions, 20 % the group's guide answering, 10 % no reply needed. */
function mix(n: number, rnd: () => number, memberPool = 20_000): InboundMessage[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => {
    const g = Math.floor(rnd() * GROUPS);
    const r = rnd();
    const staffMsg = r >= 0.7 && r < 0.9;
    const member = `bm${Math.floor(rnd() * memberPool)}`;
    const pick = (xs: string[]) => xs[Math.floor(rnd() * xs.length)]!;
    return {
      id: `bench-${i}-${Math.floor(rnd() * 1e9)}`,
      account: 'main',
      talkerId: staffMsg ? `guide-${g}` : member,
      talkerName: staffMsg ? `导购${g}` : `会员${member}`,
      roomId: `b${g}@chatroom`,
      roomTopic: `基准群${g}`,
      type: 'text',
      text: staffMsg ? pick(STAFF_LINES) : r < 0.7 ? pick(QUESTIONS) : pick(NO_REPLY),
      mentionSelf: false,
      mentionIds: [],
      self: false,
      providerAt: now,
    };
  });
}

/** Fresh store + queues + the SLA installed on a router behind Ingest. */
async function slaProcess(redisUrl: string, dir: string, name: string, playbookYaml: string, sla = true) {
  const db = openDb(path.join(dir, `${name}.db`));
  seed(db);
  const queues = new Queues({ ...redisOptionsFromUrl(redisUrl) }, `bench-${name}-${process.pid}`);
  const logger = silentLogger();
  const router = new Router(logger);
  const ingest = new Ingest(new InboundRepo(db), router, systemClock, logger, { maxAgeMs: 0 });
  const ob = new Outbox(new OutboxRepo(db), queues, systemClock, logger, testOutboxOptions({ quietHours: NO_QUIET_HOURS }));
  let runtime: SlaRuntime | null = null;
  if (sla) {
    const ctx = {
      config: loadConfig({ TIMEZONE: 'Asia/Shanghai' }),
      db,
      clock: systemClock,
      logger,
      router,
      outbox: ob,
      scheduler: new Scheduler(new ScheduleRepo(db), queues, systemClock, logger, 'Asia/Shanghai'),
      queues,
      demo: null,
    };
    runtime = installSla(ctx, new SlaPlaybookHolder(parseSlaPlaybook(playbookYaml, 'bench sla.yaml')));
    await runtime.reconciled;
  } else {
    router.use('noop', () => undefined);
  }
  const feed = async (messages: InboundMessage[]) => {
    for (let i = 0; i < messages.length; i += BURST) await Promise.all(messages.slice(i, i + BURST).map((m) => ingest.accept(m)));
    await ingest.idle();
    await runtime?.inbox.idle();
    await runtime?.deadlines.idle();
  };
  const close = async () => {
    await runtime?.uninstall();
    await queues.close();
    closeDb(db);
  };
  return { db, queues, ingest, runtime, feed, close };
}

const allDay = (yaml: string) => yaml.replace('hours: "09:00-21:00"', 'hours: "00:00-24:00"').replace('holidays: closed', 'holidays: open');

/** What `benchSla` found, against the issue's targets. */
export interface SlaBenchResult {
  rows: Measurement[];
  /** One line per target, ✓ or ✗. */
  lines: string[];
  messagesPerSec: number;
  baselinePerSec: number;
  open: number;
  openRssMb: number;
  deadlines: number;
  lateP50Ms: number | null;
  lateP99Ms: number | null;
}

/**
 * Runs the three SLA measurements: messages/s through ingest + the SLA tracker (70 % member questions,
 * 20 % staff answers, 10 % no reply needed, 200 groups) beside ingest alone; `open` open questions (RSS
 * after); alert lateness over `deadlines` deadlines (outbox enqueue time − deadline, bundling included).
 * @example const r = await benchSla(redisUrl, { n: 100_000, open: 100_000, deadlines: 1000 })
 */
export async function benchSla(redisUrl: string, opts: { n: number; open: number; deadlines: number }): Promise<SlaBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-sla-'));
  const shipped = allDay(readFileSync('sop/sla.yaml', 'utf8'));
  const rows: Measurement[] = [];
  const lines: string[] = [];
  try {
    // First, in a process that has done nothing else yet, so its RSS is what holding them costs.
    const openMsgs = Array.from({ length: opts.open }, (_, i): InboundMessage => ({
      id: `open-${i}`,
      account: 'main',
      talkerId: `om${i}`,
      talkerName: `会员${i}`,
      roomId: `b${i % GROUPS}@chatroom`,
      roomTopic: null,
      type: 'text',
      text: QUESTIONS[i % QUESTIONS.length]!,
      mentionSelf: false,
      mentionIds: [],
      self: false,
      providerAt: Date.now(),
    }));
    let reconcileNote = '';
    rows.push(
      await measure(`sla: ${opts.open.toLocaleString('en-US')} open questions (RSS), then a restart's reconcile`, opts.open, async (sw) => {
        const p = await slaProcess(redisUrl, dir, 'open', shipped);
        try {
          sw.start();
          await p.feed(openMsgs);
          sw.stop();
          const t0 = Date.now();
          const r = await p.runtime!.deadlines.reconcile();
          reconcileNote = `reconcile of ${r.slices.toLocaleString('en-US')} deadline slices: ${((Date.now() - t0) / 1000).toFixed(1)} s`;
          return `${p.runtime!.repo.countOpen({ all: true }, Date.now()).open.toLocaleString('en-US')} open; ${reconcileNote}`;
        } finally {
          await p.close();
        }
      }),
    );
    const openRow = rows[0]!;
    lines.push(`open questions: RSS after ${openRow.rssAfterMb.toFixed(0)} MB (target ≤ 300 MB) ${openRow.rssAfterMb <= 300 ? '✓' : '✗'}`);

    const messages = mix(opts.n, seededRandom(6));
    rows.push(
      await measure('sla: ingest, no-op handler (baseline)', opts.n, async (sw) => {
        const p = await slaProcess(redisUrl, dir, 'base', shipped, false);
        try {
          sw.start();
          await p.feed(messages);
          sw.stop();
        } finally {
          await p.close();
        }
      }),
    );
    rows.push(
      await measure(
        'sla: ingest + SLA tracker (70/20/10 mix, 200 groups)',
        opts.n,
        async (sw) => {
          const p = await slaProcess(redisUrl, dir, 'mix', shipped);
          try {
            sw.start();
            await p.feed(messages);
            sw.stop();
            const c = p.runtime!.repo.countOpen({ all: true }, Date.now());
            const all = (p.db.$client.prepare('select count(*) n from sla_questions').get() as { n: number }).n;
            return `${all.toLocaleString('en-US')} questions, ${c.open.toLocaleString('en-US')} open at the end`;
          } finally {
            await p.close();
          }
        },
        'sla: ingest, no-op handler (baseline)',
      ),
    );

    // Deadlines 3 s after opening, spread over ~2 s of arrivals, bundled per guide (1 s, as shipped).
    const lateYaml = shipped.replace(/tiers:\n(?: {2}- after: .*\n {4}to: .*\n)+/u, 'tiers:\n  - after: 3s\n    to: owner-guide\n');
    let lateness: number[] = [];
    rows.push(
      await measure(`sla: ${opts.deadlines.toLocaleString('en-US')} deadlines → bundled alerts`, opts.deadlines, async (sw) => {
        const p = await slaProcess(redisUrl, dir, 'late', lateYaml);
        try {
          sw.start();
          const per = Math.max(1, Math.floor(opts.deadlines / 20));
          for (let i = 0; i < opts.deadlines; i += per) {
            await p.feed(
              Array.from({ length: Math.min(per, opts.deadlines - i) }, (_, k): InboundMessage => ({
                id: `late-${i + k}`,
                account: 'main',
                talkerId: `lm${i + k}`,
                talkerName: `会员${i + k}`,
                roomId: `b${(i + k) % GROUPS}@chatroom`,
                roomTopic: null,
                type: 'text',
                text: '请问有货吗',
                mentionSelf: false,
                mentionIds: [],
                self: false,
                providerAt: Date.now(),
              })),
            );
            await new Promise((r) => setTimeout(r, 100));
          }
          const deadline = Date.now() + 30_000;
          const alerted = () => (p.db.$client.prepare('select count(*) n from sla_alerts where sent_at is not null').get() as { n: number }).n;
          while (alerted() < opts.deadlines && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          sw.stop();
          const sent = new Map(
            p.db
              .select({ key: outbox.key, at: outbox.createdAt })
              .from(outbox)
              .all()
              .map((r) => [r.key, r.at]),
          );
          lateness = p.db
            .select()
            .from(slaAlerts)
            .all()
            .filter((a) => a.bundleKey && sent.has(a.bundleKey))
            .map((a) => sent.get(a.bundleKey!)! - a.dueAt)
            .sort((a, b) => a - b);
          const bundles = new Set(
            p.db
              .select()
              .from(slaAlerts)
              .all()
              .map((a) => a.bundleKey),
          ).size;
          return {
            note: `${lateness.length} alerts in ${bundles} messages`,
            ...(lateness.length < opts.deadlines ? { problem: `${opts.deadlines - lateness.length} deadlines never alerted` } : {}),
          };
        } finally {
          await p.close();
        }
      }),
    );
    const p99 = percentile(lateness, 0.99);
    lines.push(
      `alert lateness over ${lateness.length} deadlines: p50 ${percentile(lateness, 0.5)} ms, p99 ${p99} ms, max ${lateness[lateness.length - 1]} ms (target p99 ≤ 2000 ms) ${p99 !== null && p99 <= 2000 ? '✓' : '✗'}`,
    );
    const mixRow = rows[2]!;
    const perSec = mixRow.count / mixRow.seconds;
    lines.unshift(`ingest + SLA: ${Math.round(perSec).toLocaleString('en-US')} messages/s (target ≥ 20,000) ${perSec >= 20_000 ? '✓' : '✗'}`);
    return {
      rows,
      lines,
      messagesPerSec: perSec,
      baselinePerSec: rows[1]!.count / rows[1]!.seconds,
      open: opts.open,
      openRssMb: openRow.rssAfterMb,
      deadlines: opts.deadlines,
      lateP50Ms: percentile(lateness, 0.5),
      lateP99Ms: p99,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const redis = await startTestRedis();
  watchProcessCpu(redis.pid);
  try {
    const { rows, lines } = await benchSla(redis.url, { n: flag('n', 100_000), open: flag('open', 100_000), deadlines: flag('deadlines', 1000) });
    console.log(renderTable(rows));
    for (const r of rows) if (r.note) console.log(`  ${r.name}: ${r.note}${r.problem ? ` [INVALID: ${r.problem}]` : ''}`);
    console.log(lines.join('\n'));
  } finally {
    await redis.stop();
  }
}
