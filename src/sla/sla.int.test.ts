import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, inArray, like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outboxHarness, tempDir, type OutboxHarness } from '../../test/support/harness.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { loadConfig } from '../config.js';
import type { Clock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { saveSettings } from '../console/settings.js';
import type { InboundMessage } from '../core/messages.js';
import { zonedTime } from '../core/time.js';
import { InboundRepo } from '../inbound/inbound.repo.js';
import { Ingest } from '../inbound/ingest.js';
import { automaticSendMatcher } from '../inbound/own-sends.js';
import { Router } from '../inbound/router.js';
import { peopleOf } from '../core/directory.js';
import { outbox, staff } from '../platform/db/schema.js';
import { renderMetrics } from '../console/http/metrics.js';
import { slaMetrics } from '../console/metrics-sources.js';
import { renderSlaReport, slaReport } from './sla.figures.js';
import { ScheduleRepo } from '../schedules/schedule.repo.js';
import { Scheduler } from '../schedules/scheduler.js';
import { installSla, type SlaRuntime } from './sla.capability.js';
import { SLA_QUEUE, dueJobId, sliceOf, type AlertedEvent } from './sla.jobs.js';
import { SlaPlaybookHolder, type SlaPlaybook } from './sla.playbook.js';
import { slaAlerts } from './sla.schema.js';
import { ShiftedClock, fastPlaybookYaml, inbound, seedSlaStore, testPlaybook } from './testing.js';

const SH = 'Asia/Shanghai';
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  tmp = tempDir('siyu-sla-');
});
afterAll(async () => {
  tmp.remove();
});

/** One bot process: a real outbox (SQLite file + Redis), the router and the SLA installed on it. */
interface Proc extends OutboxHarness {
  sla: SlaRuntime;
  ingest: Ingest;
  clock: Clock;
  alerted: AlertedEvent[];
  /** A message arrives through the one way in (guards, log, router); resolves when handled. */
  say(over: Partial<InboundMessage>): Promise<InboundMessage>;
  /** Resolves when the SLA queue holds no job (every deadline fired or none left). */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const procs: Proc[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
});

let fileSeq = 0;
async function proc(opts: { dbFile?: string; prefix?: string; pb?: SlaPlaybook; holder?: SlaPlaybookHolder; clock?: Clock } = {}): Promise<Proc> {
  const clock = opts.clock ?? new ShiftedClock(zonedTime(2026, 11, 25, 12, 0, SH));
  const dbFile = opts.dbFile ?? path.join(tmp.dir, `sla-${fileSeq++}.sqlite`);
  const h = await outboxHarness({ redisUrl: redis.url, dbFile, clock, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
  seedSlaStore(h.db);
  const logger = silentLogger();
  const router = new Router(logger, peopleOf(h.db));
  const ingest = new Ingest(new InboundRepo(h.db), router, clock, logger, { maxAgeMs: 0, isAutomaticSend: automaticSendMatcher(h.db) });
  const scheduler = new Scheduler(new ScheduleRepo(h.db), h.queues, clock, logger, SH);
  const pb = opts.pb ?? testPlaybook(fastPlaybookYaml);
  const sla = installSla(
    { config: loadConfig({ TIMEZONE: SH }), db: h.db, clock, logger, router, outbox: h.outbox, scheduler, queues: h.queues, demo: null },
    opts.holder ?? new SlaPlaybookHolder(pb),
  );
  await sla.reconciled;
  const alerted: AlertedEvent[] = [];
  sla.deadlines.on('alerted', (e: AlertedEvent) => alerted.push(e));
  let stopped = false;
  const p: Proc = {
    ...h,
    sla,
    ingest,
    clock,
    alerted,
    async say(over) {
      const m = inbound({ providerAt: clock.now().getTime(), ...over });
      await ingest.accept(m);
      await ingest.idle();
      await sla.inbox.idle();
      await sla.deadlines.idle();
      return m;
    },
    async drained(timeoutMs = 15_000) {
      const q = h.queues.queue(SLA_QUEUE);
      await expect
        .poll(
          async () => {
            const c = await q.getJobCounts('delayed', 'waiting', 'active', 'prioritized');
            return Object.values(c).reduce((a, b) => a + b, 0);
          },
          { timeout: timeoutMs, interval: 50 },
        )
        .toBe(0);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await sla.uninstall();
      await h.close();
    },
  };
  procs.push(p);
  return p;
}

const alertRows = (p: Proc) =>
  p.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.purpose, 'alert'), like(outbox.key, 'sla-alert:%')))
    .all();
const textOf = (row: { content: string }) => (JSON.parse(row.content) as { text: string }).text;
const waitAlerts = (p: Proc, n: number, timeout = 15_000) => expect.poll(() => p.alerted.length, { timeout, interval: 20 }).toBeGreaterThanOrEqual(n);

describe('SLA deadlines as delayed jobs on a real Redis', () => {
  it('escalates an unanswered question to the owner guide, then the manager, then the admins, each once and within 2 s', async () => {
    const p = await proc({
      pb: testPlaybook((s) =>
        fastPlaybookYaml(s, [
          ['0.6s', 'owner-guide'],
          ['1.2s', 'store-manager'],
          ['1.8s', 'admins'],
        ]),
      ),
    });
    const m = await p.say({ text: '请问这款奶粉几段适合一岁宝宝？' });
    await waitAlerts(p, 3);
    await p.drained();
    expect(p.alerted.map((a) => [a.staffCode, a.tiers])).toEqual([
      ['G1', [0]],
      ['MGR', [1]],
      ['ADM', [2]],
    ]);
    for (const a of p.alerted) expect(a.lateMs).toBeLessThan(2000);
    const rows = alertRows(p);
    expect(rows.map((r) => r.targetId)).toEqual(['guide-1', 'mgr-1', 'admin-1']);
    expect(textOf(rows[0]!)).toContain('#1 王小丫（湖滨店宝妈1群）已等');
    expect(textOf(rows[0]!)).toContain('请问这款奶粉几段适合一岁宝宝？');
    expect(p.sla.repo.get(1)).toMatchObject({ escalatedTier: 2, status: 'open', firstMessageId: m.id });
    expect(p.db.select().from(slaAlerts).all()).toHaveLength(3);
  });

  it("a private question from an unknown contact (no store, no guide) reaches the fallback: the brand's admins and HQ", async () => {
    const p = await proc({ pb: testPlaybook((s) => fastPlaybookYaml(s, [['0.6s', 'owner-guide']])) });
    await p.say({ talkerId: 'stranger-1', talkerName: '路人甲', roomId: null, roomTopic: null, listenerId: 'bot', text: '你们门店几点关门？' });
    await waitAlerts(p, 1);
    await p.drained();
    expect(p.alerted.map((a) => [a.staffCode, a.tiers])).toEqual([['ADM', [0]]]);
    expect(alertRows(p).map((r) => r.targetId)).toEqual(['admin-1']);
    const report = slaReport(p.db, { from: '2026-11-25', to: '2026-11-25', timezone: SH, now: p.clock.now().getTime() });
    expect(report.total).toMatchObject({ questions: 1, escalated: 1, unrouted: 0 });
  });

  it('with nobody to tell even after the fallbacks, the question is unrouted: counted in the report and /metrics, not as escalated', async () => {
    const p = await proc({
      pb: testPlaybook((s) =>
        fastPlaybookYaml(s, [
          ['0.6s', 'owner-guide'],
          ['1.2s', 'admins'],
        ]),
      ),
    });
    p.db
      .update(staff)
      .set({ contactId: null })
      .where(inArray(staff.role, ['community-admin', 'hq']))
      .run();
    p.sla.directory.invalidate();
    await p.say({ talkerId: 'stranger-2', talkerName: '路人乙', roomId: null, roomTopic: null, listenerId: 'bot', text: '有人吗？' });
    await p.drained();
    expect(p.alerted).toEqual([]);
    const q = p.sla.repo.get(1)!;
    expect(q).toMatchObject({ escalatedTier: 1, status: 'open' });
    expect(q.unroutedAt).not.toBeNull();
    const report = slaReport(p.db, { from: '2026-11-25', to: '2026-11-25', timezone: SH, now: p.clock.now().getTime() });
    expect(report.total).toMatchObject({ questions: 1, escalated: 0, unrouted: 1 });
    expect(renderSlaReport(report)).toMatch(/escalated\s+unrouted/u);
    const metrics = renderMetrics({
      loggedIn: true,
      inbound: { accepted: 0, rejected: {} },
      outbox: {},
      queues: null,
      handlerFailures: 0,
      sentLastMinute: 0,
      budgetPerMinute: 0,
      sla: slaMetrics(p.db, p.clock.now().getTime(), null),
    });
    expect(metrics).toContain('siyu_sla_unrouted_questions{state="open"} 1');
    expect(metrics).toContain('siyu_sla_unrouted_questions{state="all"} 1');
  });

  it('a staff reply before the first deadline alerts nobody', async () => {
    const p = await proc();
    await p.say({ text: '几点发货？' });
    await p.say({ talkerId: 'guide-1', talkerName: '王晓燕', text: '下午发' });
    expect(p.sla.repo.get(1)?.status).toBe('answered');
    await p.drained();
    expect(p.alerted).toEqual([]);
    expect(alertRows(p)).toEqual([]);
  });

  it('bundles the questions falling due together for one person into one message', async () => {
    const p = await proc({ pb: testPlaybook((s) => fastPlaybookYaml(s, [['1s', 'owner-guide']])) });
    await p.say({ talkerId: 'm2', text: '几点发货？' });
    await p.say({ talkerId: 'm3', talkerName: '赵敏', text: '有优惠吗？' });
    await p.say({ talkerId: 'm4', talkerName: '钱多多', roomId: 'g2@chatroom', text: '另一个群' });
    await waitAlerts(p, 2);
    await p.drained();
    expect(p.alerted.map((a) => [a.staffCode, a.questionIds])).toEqual([
      ['G1', [1, 2]],
      ['G2', [3]],
    ]);
    const [toG1] = alertRows(p);
    expect(textOf(toG1!)).toMatch(/2个会员问题等待回复\n#1 王小丫（湖滨店宝妈1群）已等.*\n#2 赵敏（湖滨店宝妈1群）已等/u);
  });

  it('a restart while a question waits neither loses its deadline nor fires it twice', async () => {
    const dbFile = path.join(tmp.dir, 'restart.sqlite');
    const pb = testPlaybook((s) =>
      fastPlaybookYaml(s, [
        ['1.5s', 'owner-guide'],
        ['2s', 'store-manager'],
      ]),
    );
    const first = await proc({ dbFile, prefix: 'restart', pb });
    await first.say({ text: '几点发货？' });
    expect(await first.queues.queue(SLA_QUEUE).getJob(dueJobId(sliceOf(first.sla.repo.get(1)!.nextDueAt!)))).toBeDefined();
    await first.stop(); // before the deadline
    const second = await proc({ dbFile, prefix: 'restart', pb });
    await waitAlerts(second, 2);
    await second.drained();
    expect(first.alerted).toEqual([]);
    expect(second.alerted.map((a) => a.staffCode)).toEqual(['G1', 'MGR']);
    expect(alertRows(second)).toHaveLength(2);
  });

  it('restores a deadline Redis lost (reconcile at start) and fires a redelivered deadline once', async () => {
    const dbFile = path.join(tmp.dir, 'lost.sqlite');
    const pb = testPlaybook((s) => fastPlaybookYaml(s, [['1s', 'owner-guide']]));
    const first = await proc({ dbFile, prefix: 'lost', pb });
    await first.say({ text: '几点发货？' });
    // As if the process died before adding it:
    expect(await first.queues.queue(SLA_QUEUE).remove(dueJobId(sliceOf(first.sla.repo.get(1)!.nextDueAt!)))).toBe(1);
    await first.stop();
    const second = await proc({ dbFile, prefix: 'lost', pb });
    const third = await proc({ dbFile, prefix: 'lost', pb }); // a second process on the same queue
    await expect.poll(() => second.alerted.length + third.alerted.length, { timeout: 10_000, interval: 20 }).toBe(1);
    // The same deadline delivered again (a stalled job, a second reconcile) changes nothing.
    await second.sla.deadlines.reconcile();
    await second.queues.queue(SLA_QUEUE).add('due', { kind: 'due', at: Date.now() }, { jobId: 'sla-due-again' });
    await second.drained();
    expect(second.alerted.length + third.alerted.length).toBe(1);
    expect(alertRows(second)).toHaveLength(1);
  });

  it('notices Redis emptied while running and restores the deadline without a restart', async () => {
    const pb = testPlaybook((s) => fastPlaybookYaml(s, [['1s', 'owner-guide']]));
    const p = await proc({ prefix: 'emptied', pb });
    expect(await p.sla.deadlines.checkRedisKept()).toBe(false); // marker still there
    await p.say({ text: '几点发货？' });
    const jobId = dueJobId(sliceOf(p.sla.repo.get(1)!.nextDueAt!));
    // Redis loses everything under the bot's prefix (restarted without its AOF, flushed).
    const r = p.queues.redis();
    const keys = await r.keys('emptied:*');
    expect(keys.length).toBeGreaterThan(0);
    await r.del(...keys);
    expect(await p.queues.queue(SLA_QUEUE).getJob(jobId)).toBeUndefined();
    expect(await p.sla.deadlines.checkRedisKept()).toBe(true);
    await waitAlerts(p, 1);
    expect(p.alerted.map((a) => a.staffCode)).toEqual(['G1']);
    expect(await p.sla.deadlines.checkRedisKept()).toBe(false); // once per loss
  });
});

/** Real time from `start`, moved forward on demand (past the playbook's 10 s look for an edited file). */
class SteppedClock implements Clock {
  private offset: number;
  constructor(start: Date) {
    this.offset = start.getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

describe('per-store service hours saved from the settings form', () => {
  it('apply to the next question in that store without a restart; a refused save changes nothing', async () => {
    const sop = path.join(tmp.dir, `sop-${fileSeq++}`);
    cpSync('sop', sop, { recursive: true });
    const file = path.join(sop, 'sla.yaml');
    const clock = new SteppedClock(zonedTime(2026, 11, 25, 12, 0, SH));
    const p = await proc({ holder: new SlaPlaybookHolder(file), clock });
    const dueOf = (m: InboundMessage) => p.db.$client.prepare('select next_due_at from sla_questions where first_message_id = ?').pluck().get(m.id) as number;
    // the shipped default hours (09:00-21:00): open at 12:00, the first tier 5 minutes on
    const first = await p.say({ text: '请问这款奶粉几段适合一岁宝宝？' });
    expect(dueOf(first) - first.providerAt).toBe(5 * 60_000);

    expect(saveSettings(sop, 'sla', { 'serviceHours.stores': 'HZ01 13:00-21:00' })).toMatchObject({ ok: true, changed: ['serviceHours.stores'] });
    clock.advance(11_000);
    // HZ01 now opens at 13:00: a question at 12:00 waits for the opening, then 5 minutes
    const second = await p.say({ talkerId: 'm1', talkerName: '张丽娜', roomId: 'g2@chatroom', roomTopic: '湖滨店宝妈2群', text: '周末有活动吗？' });
    expect(dueOf(second)).toBe(zonedTime(2026, 11, 25, 13, 5, SH).getTime());

    const saved = readFileSync(file);
    expect(saveSettings(sop, 'sla', { 'serviceHours.stores': 'HZ01 13:00-25:00' })).toMatchObject({ ok: false, problems: [{ path: 'serviceHours.stores.HZ01.hours' }] });
    expect(readFileSync(file).equals(saved)).toBe(true);
    clock.advance(11_000);
    expect(p.sla.holder.fresh(clock.now().getTime()).hoursFor('HZ01')).toMatchObject({ open: 13 * 60, close: 21 * 60 });
  });
});

describe("the bot's automatic sends vs a person on the bot account's phone", () => {
  it('the echo of an automatic send closes nothing; a message typed on the phone answers the group', async () => {
    const p = await proc({ pb: testPlaybook((s) => fastPlaybookYaml(s, [['30s', 'owner-guide']])) });
    p.sender.start(true);
    await p.say({ text: '几点发货？' });
    const { id } = await p.outbox.enqueue({ key: 'campaign-1', target: { kind: 'room', id: 'g1@chatroom' }, content: { kind: 'text', text: '今晚8点直播' }, purpose: 'campaign' });
    await p.settled(id, ['sent']);
    const echo = await p.say({ self: true, talkerId: 'wxid_bot', talkerName: '小思', text: '今晚8点直播' });
    expect(p.ingest.getStats().rejected.self).toBe(1);
    expect(p.sla.repo.get(1)?.status).toBe('open');
    const typed = await p.say({ self: true, talkerId: 'wxid_bot', talkerName: '小思', text: '亲，下午发货' });
    expect(p.sla.repo.get(1)).toMatchObject({ status: 'answered', closedBy: 'account', closedByMessageId: typed.id });
    expect(echo.id).not.toBe(typed.id);
  });
});
