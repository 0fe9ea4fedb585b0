/**
 * Campaign planning benchmark: one occurrence of a group campaign to 2,000 groups and one of a member
 * campaign to 100,000 members (audience query, per-group caps, rendering, spread, enqueue into the
 * real outbox: SQLite rows and BullMQ jobs on a real redis-server, plus the plan record). Target ≤ 2 s.
 * Next to it, the raw floor measured in the same run (the same rows written with plain statements and
 * the same jobs added in bulk), so a figure taken on a busy machine still reads as a ratio.
 *
 *   npx tsx scripts/bench/campaigns.ts [--groups 2000] [--members 100000]
 *
 * `benchCampaigns()` is what `npm run bench` can call.
 */
import { NO_QUIET_HOURS, testOutboxOptions } from '../../test/support/harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { validateCampaign } from '../../src/campaigns/campaign.file.js';
import { CampaignsRepo } from '../../src/campaigns/campaigns.repo.js';
import { planOccurrence } from '../../src/campaigns/planner.js';
import { campaignReport } from '../../src/campaigns/report.js';
import { campaignFunnel } from '../../src/console/campaign-view.js';
import { silentLogger } from '../../src/core/logger.js';
import { zonedTime } from '../../src/core/time.js';
import { JOB_HORIZON_MS, Outbox } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { startTestRedis } from '../../test/support/redis.js';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;

/** Fills `db` with 20 stores, `groups` groups and `members` members (not timed). */
export function generateCampaignStore(db: Db, groups: number, members: number, now: number): void {
  const c = db.$client;
  c.transaction(() => {
    const store = c.prepare('insert into stores (code, name, city, created_at) values (?, ?, ?, ?)');
    for (let s = 0; s < 20; s++) store.run(`S${s}`, `门店${s}`, '杭州', now);
    const g = c.prepare('insert into groups (room_id, name, store_code, tags, created_at, updated_at) values (?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < groups; i++) g.run(`r${i}@chatroom`, `群${i}`, `S${i % 20}`, i % 10 === 0 ? '["vip"]' : '[]', now, now);
    const m = c.prepare(`insert into members (contact_id, name, store_code, tier, tags, points, last_active_at, referral_code, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (let i = 0; i < members; i++) {
      m.run(
        i % 50 === 0 ? null : `wx-${i}`,
        `会员${i}`,
        `S${i % 20}`,
        i % 5 === 0 ? 'gold' : 'regular',
        i % 7 === 0 ? '["mom"]' : '[]',
        i % 500,
        now - (i % 120) * DAY,
        `R${i.toString(36)}`,
        now,
        now,
      );
    }
  })();
  c.exec('analyze');
}

export interface CampaignBenchResult {
  groups: number;
  members: number;
  seconds: number;
  groupSeconds: number;
  memberSeconds: number;
  /** CPU time of this process while planning (less sensitive to other load than wall time). */
  cpuSeconds: number;
  messages: number;
  /** Jobs given to Redis while planning (rows due within the outbox's job horizon). */
  jobs: number;
  /**
   * The floor, measured in the same run: the same number of outbox rows and plan rows written with
   * plain prepared statements, and the same number of BullMQ jobs added in bulk. Nothing else.
   */
  rawSeconds: number;
  /** `campaign show` + the console funnel of the 100,000-member occurrence, read after planning. */
  reportSeconds: number;
}

/** Writes `rows` outbox rows and plan rows with plain statements and adds `jobs` BullMQ jobs: what planning cannot go below. */
async function rawFloor(db: Db, queues: Queues, rows: number, jobs: number, now: number): Promise<number> {
  const c = db.$client;
  const outboxRow = c.prepare(`insert into outbox (key, account, target_kind, target_id, content, purpose, priority, not_before, expires_at, status, created_at, updated_at)
    values (?, 'main', 'contact', ?, ?, 'campaign', 5, ?, ?, 'queued', ?, ?)`);
  const planRow = c.prepare(`insert into campaign_targets (campaign_id, occurrence, target_kind, target_id, at, outbox_id) values ('raw', '202611271000', 'contact', ?, ?, ?)`);
  const queue = queues.queue('bench-raw-floor');
  const t0 = performance.now();
  for (let i = 0; i < rows; i += 5000) {
    c.transaction(() => {
      for (let k = i; k < Math.min(rows, i + 5000); k++) {
        const target = `raw-${String(k).padStart(6, '0')}`;
        const id = outboxRow.run(`raw:${target}`, target, `{"kind":"text","text":"会员${k}，您有 ${k % 500} 积分"}`, now, now + 3 * 3_600_000, now, now).lastInsertRowid;
        planRow.run(target, now, id);
      }
    })();
  }
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({
        name: 'send',
        data: { id: i + k },
        opts: { jobId: `raw-${i + k}`, priority: 5, delay: 60_000, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
  return (performance.now() - t0) / 1000;
}

/** Plans the two occurrences on a generated store; starts its own redis-server unless `redisUrl` is given. */
export async function benchCampaigns(opts: { groups?: number; members?: number; redisUrl?: string } = {}): Promise<CampaignBenchResult> {
  const groups = opts.groups ?? 2000;
  const members = opts.members ?? 100_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-campaigns-'));
  const redis = opts.redisUrl ? null : await startTestRedis();
  const db = openDb(path.join(dir, 'store.sqlite'));
  const queues = new Queues(redisOptionsFromUrl(opts.redisUrl ?? redis!.url), `benchcamp${process.pid}`);
  try {
    const slot = zonedTime(2026, 11, 27, 10, 0, TZ);
    generateCampaignStore(db, groups, members, slot.getTime());
    const clock = { now: () => slot };
    const deps = {
      repo: new CampaignsRepo(db),
      outbox: new Outbox(new OutboxRepo(db), queues, clock, silentLogger(), testOutboxOptions({ quietHours: NO_QUIET_HOURS })),
      clock,
      timezone: TZ,
      logger: silentLogger(),
    };
    const common = { schedule: { cron: '0 10 * * 5' }, spreadMinutes: 30 };
    const groupDef = validateCampaign(
      {
        id: 'bench-groups',
        name: 'g',
        audience: { groups: { tags: ['vip'], stores: Array.from({ length: 20 }, (_, s) => `S${s}`) } },
        content: [{ kind: 'text', text: '{name} 会员日' }],
        ...common,
      },
      'bench-groups.yaml',
    );
    const allGroups = validateCampaign({ ...groupDef, id: 'bench-all-groups', audience: { groups: { stores: Array.from({ length: 20 }, (_, s) => `S${s}`) } } }, 'x.yaml');
    const memberDef = validateCampaign(
      {
        id: 'bench-members',
        name: 'm',
        audience: { members: { stores: Array.from({ length: 20 }, (_, s) => `S${s}`) } },
        content: [{ kind: 'text', text: '{name}，您有 {points} 积分' }],
        ...common,
      },
      'bench-members.yaml',
    );
    for (const d of [groupDef, allGroups, memberDef]) deps.repo.insert(d, 'cli', null, 'bench', slot.getTime());
    // Some groups already had a post today (caps are exercised): the vip campaign first.
    await planOccurrence(deps, groupDef, slot, 'bench');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const g = await planOccurrence(deps, allGroups, slot, 'bench');
    const t1 = performance.now();
    const m = await planOccurrence(deps, memberDef, slot, 'bench');
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    if (g.skipped['group-cap 1/day reached'] !== groups / 10) throw new Error(`caps: expected ${groups / 10} capped groups, got ${JSON.stringify(g.skipped)}`);
    const c = db.$client;
    const prefixes = ['campaign:bench-all-groups:', 'campaign:bench-members:'];
    const count = (where: string, ...args: unknown[]) =>
      prefixes.reduce(
        (a, p) =>
          a +
          (c
            .prepare(`select count(*) from outbox where key >= ? and key < ? ${where}`)
            .pluck()
            .get(p, `${p}\uffff`, ...args) as number),
        0,
      );
    const rows = count('');
    const jobs = count('and (not_before is null or not_before <= ?)', slot.getTime() + JOB_HORIZON_MS);
    const rawSeconds = await rawFloor(db, queues, rows, jobs, slot.getTime());
    // What `campaign show` and the console's funnel read for the member occurrence (grouped in SQL).
    const t3 = performance.now();
    const [report] = campaignReport(deps.repo, 'bench-members');
    const funnel = campaignFunnel(deps.repo, 'bench-members');
    const reportSeconds = (performance.now() - t3) / 1000;
    if (report?.messages !== m.enqueued || funnel.targeted !== report.targeted) throw new Error(`report: ${report?.messages} messages, expected ${m.enqueued}`);
    return {
      groups,
      members,
      seconds: (t2 - t0) / 1000,
      groupSeconds: (t1 - t0) / 1000,
      memberSeconds: (t2 - t1) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      messages: g.enqueued + m.enqueued,
      jobs,
      rawSeconds,
      reportSeconds,
    };
  } finally {
    await queues.close();
    closeDb(db);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { groups: { type: 'string' }, members: { type: 'string' } } });
  const r = await benchCampaigns({ groups: values.groups ? Number(values.groups) : undefined, members: values.members ? Number(values.members) : undefined });
  console.log(
    `campaign planning: ${r.groups} groups + ${r.members} members → ${r.messages} messages queued (${r.jobs} jobs in Redis) in ${r.seconds.toFixed(2)} s ` +
      `(groups ${r.groupSeconds.toFixed(2)} s, members ${r.memberSeconds.toFixed(2)} s; cpu ${r.cpuSeconds.toFixed(2)} s; target ≤ 2 s); ` +
      `raw floor (same rows and jobs, plain statements) ${r.rawSeconds.toFixed(2)} s → ${(r.seconds / r.rawSeconds).toFixed(2)} × raw; ` +
      `report + funnel of the member occurrence ${(r.reportSeconds * 1000).toFixed(0)} ms; load ${os.loadavg()[0]!.toFixed(1)}`,
  );
}
