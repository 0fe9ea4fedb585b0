import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { OutboundContent, Target } from '../core/messages.js';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import { groups } from '../platform/db/schema.js';
import { queueNames } from '../platform/queue/queues.js';
import { outboxHarness, tempDir, type OutboxHarness } from '../../test/support/harness.js';
import { flushAll } from '../../test/support/redis.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { validateCampaign, type CampaignDef } from './campaign.file.js';
import { CampaignsRepo } from './campaigns.repo.js';
import { CampaignService } from './campaigns.service.js';
import { planOccurrence } from './planner.js';
import { campaignReport } from './report.js';
import { seedGroups } from './testing.js';

const SH = 'Asia/Shanghai';
const SLOT = zonedTime(2026, 11, 27, 10, 0, SH);

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  tmp = tempDir('siyu-campaigns-int-');
});
afterAll(async () => {
  tmp.remove();
});

/** A transport that holds the n-th send until released, to pause "mid-run". */
class HoldingTransport {
  constructor(
    private readonly inner: OutboxHarness['transport'],
    private readonly holdAt: number,
  ) {}
  held: Promise<void> | null = null;
  private release!: () => void;
  private calls = 0;
  reached!: Promise<void>;
  private reach!: () => void;
  init(): this {
    this.held = new Promise((r) => {
      this.release = r;
    });
    this.reached = new Promise((r) => {
      this.reach = r;
    });
    return this;
  }
  isReady() {
    return true;
  }
  async send(target: Target, content: OutboundContent) {
    if (++this.calls === this.holdAt) {
      this.reach();
      await this.held;
    }
    return this.inner.send(target, content);
  }
  letGo() {
    this.release();
  }
}

let n = 0;
describe('campaign fan-out through the real outbox', () => {
  let h: OutboxHarness;
  let clock: ManualClock;
  let repo: CampaignsRepo;
  let service: CampaignService;
  let rooms: string[];

  const def = (over: Record<string, unknown> = {}): CampaignDef =>
    validateCampaign(
      {
        id: 'md',
        name: '会员日',
        audience: { groups: { stores: ['HZ01'] } },
        content: [{ kind: 'text', text: '{name} 会员日' }],
        schedule: { cron: '0 10 * * 5' },
        spreadMinutes: 0,
        ...over,
      },
      path.join(tmp.dir, 'md.yaml'),
    );

  beforeEach(async () => {
    clock = new ManualClock(SLOT);
    h = await outboxHarness({ redisUrl: redis.url, dbFile: path.join(tmp.dir, `c${n++}.sqlite`), clock });
    repo = new CampaignsRepo(h.db);
    rooms = seedGroups(h.db, 12, clock.now().getTime());
    service = new CampaignService({ repo, outbox: h.outbox, clock, timezone: SH, logger: silentLogger(), queues: h.queues, resumeStepMs: 0 });
  });
  afterEach(async () => {
    await h.close();
    await flushAll(redis.url);
  });

  const drained = async () => {
    let total = 0;
    for (const lane of ['now', 'paced'] as const) {
      const c = await h.queues.queue(queueNames.outbox('main', lane)).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      total += Object.values(c).reduce((a, b) => a + b, 0);
    }
    return total;
  };

  it('a due tick plans once per target with the spread, and a second run of the occurrence sends nothing twice', async () => {
    service.upsert(def({ spreadMinutes: 30 }), 'file', null, 'file');
    const [r] = await service.tick(SLOT);
    expect(r).toMatchObject({ occurrence: '202611271000', targeted: 12, enqueued: 12, firstPlan: true });
    const rows = repo.outboxRows('campaign:md:202611271000:');
    expect(rows).toHaveLength(12);
    const nb = h.db.$client.prepare("select not_before from outbox where key like 'campaign:md:%' order by not_before").pluck().all() as number[];
    expect(nb[0]).toBe(SLOT.getTime());
    expect(nb[11]).toBeLessThan(SLOT.getTime() + 30 * 60_000);
    expect(new Set(nb).size).toBe(12);
    expect(repo.get('md')!.status).toBe('running');
    // The same slot again (restart, second process): nothing new.
    expect(await service.tick(SLOT)).toEqual([]);
    const again = await planOccurrence({ repo, outbox: h.outbox, clock, timezone: SH, logger: silentLogger() }, def({ spreadMinutes: 30 }), SLOT, 'test');
    expect(again).toMatchObject({ firstPlan: false, enqueued: 0, alreadyPlanned: 12 });
    expect(repo.outboxRows('campaign:md:')).toHaveLength(12);
  });

  it('sends each group once; a restart mid-run (plan again, new process) adds no duplicate', async () => {
    service.upsert(def(), 'file', null, 'file');
    await service.tick(SLOT);
    h.sender.start(true);
    await h.transport.waitFor(12);
    const h2 = new CampaignService({ repo: new CampaignsRepo(h.db), outbox: h.outbox, clock, timezone: SH, logger: silentLogger(), queues: h.queues });
    await planOccurrence({ repo, outbox: h.outbox, clock, timezone: SH, logger: silentLogger() }, def(), SLOT, 'restart');
    await h2.tick(SLOT);
    await expect.poll(drained).toBe(0);
    const per = new Map<string, number>();
    for (const d of h.transport.delivered) per.set(d.target.id, (per.get(d.target.id) ?? 0) + 1);
    expect([...per.values()].every((v) => v === 1)).toBe(true);
    expect(per.size).toBe(12);
    expect((h.transport.delivered[0]!.content as { text: string }).text).toMatch(/^群\d+ 会员日$/);
    // The tick closes the occurrence: more Fridays ahead → scheduled again.
    await service.tick(new Date(SLOT.getTime() + 60_000));
    expect(repo.get('md')!.status).toBe('scheduled');
    expect(campaignReport(repo, 'md')[0]).toMatchObject({ targeted: 12, messages: 12, sent: 12, failed: 0, pending: 0 });
  });

  it('caps: a second campaign the same day to the same groups is skipped with the reason, never silently', async () => {
    service.upsert(def(), 'file', null, 'file');
    service.upsert(def({ id: 'flash', name: '闪购', audience: { groups: { list: rooms.slice(0, 4) } } }), 'file', null, 'file');
    await service.tick(SLOT); // plans both in one tick: the 4 groups the first one posts to are capped for the other
    const reports = [campaignReport(repo, 'md')[0]!, campaignReport(repo, 'flash')[0]!];
    const capped = reports.reduce((a, r) => a + (r.skippedAtPlanning['group-cap 1/day reached'] ?? 0), 0);
    expect(capped).toBe(4);
    expect(reports.reduce((a, r) => a + r.messages, 0)).toBe(12);
    // perGroupPerDay 2 lets a second post through.
    service.upsert(def({ id: 'extra', name: 'x', audience: { groups: { list: rooms.slice(0, 2) } }, caps: { perGroupPerDay: 2 } }), 'file', null, 'file');
    await service.tick(SLOT);
    expect(campaignReport(repo, 'extra')[0]).toMatchObject({ targeted: 2, messages: 2 });
  });

  it('pause mid-run stops further sends at once; resume finishes with no group posted twice; cancel skips the rest', async () => {
    const holding = new HoldingTransport(h.transport, 4).init();
    (h.sender as unknown as { transport: unknown }).transport = holding;
    service.upsert(def(), 'file', null, 'file');
    await service.tick(SLOT);
    h.sender.start(true);
    await holding.reached; // 3 sent, the 4th in the sender's hand
    expect(service.pause('md', 'cli:ops')).toMatchObject({ ok: true, message: 'md: paused; 8 message(s) held' });
    holding.letGo();
    await expect.poll(drained).toBe(0);
    expect(h.transport.delivered).toHaveLength(4);
    expect(campaignReport(repo, 'md')[0]).toMatchObject({ sent: 4, skipped: { paused: 8 } });
    expect(service.upsert(def({ name: 'edited' }), 'file', null, 'file').ok).toBe(true); // paused: editing allowed

    const r = await service.resume('md', 'cli:ops');
    expect(r).toMatchObject({ ok: true, message: 'md: resumed (running); 8 message(s) back in the queue' });
    await h.transport.waitFor(12);
    await expect.poll(drained).toBe(0);
    const ids = h.transport.delivered.map((d) => d.target.id);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toHaveLength(12);
    expect(campaignReport(repo, 'md')[0]).toMatchObject({ targeted: 12, sent: 12, skipped: {}, pending: 0 });
    expect(service.upsert(def({ name: 'edited again' }), 'file', null, 'file')).toMatchObject({
      ok: false,
      message: expect.stringContaining('editing a running campaign is refused'),
    });
    expect(repo.transitions('md').map((t) => `${t.from}>${t.to}:${t.by}`)).toEqual([
      'draft>scheduled:file',
      'scheduled>running:scheduler',
      'running>paused:cli:ops',
      'paused>paused:file',
      'paused>running:cli:ops',
    ]);
    expect(repo.transitions('md')[3]).toMatchObject({ reason: 'edited' }); // an edit is audited too, with who
  });

  it('an evening occurrence under the default quiet hours: nothing in Redis or sent overnight, all of it from 08:30, nothing expired', async () => {
    const evening = zonedTime(2026, 11, 27, 21, 45, SH);
    clock.set(evening);
    service.upsert(def({ schedule: { cron: '45 21 * * 5' }, spreadMinutes: 30 }), 'file', null, 'file');
    expect((await service.tick(evening))[0]).toMatchObject({ targeted: 12, enqueued: 12 });
    h.sender.start(true);
    await h.outbox.feed();
    const rows = () =>
      h.db.$client.prepare("select status, deferred_until as du, deferred_why as why, expires_at as ex from outbox where key like 'campaign:md:%'").all() as {
        status: string;
        du: number;
        why: string;
        ex: number;
      }[];
    const morning = zonedTime(2026, 11, 28, 8, 30, SH).getTime();
    expect(rows(), JSON.stringify(rows().slice(0, 2))).toSatisfy((rs: ReturnType<typeof rows>) =>
      rs.every((r) => r.status === 'queued' && r.du === morning && r.why === 'quiet-hours' && r.ex > morning),
    );
    const jobs = await h.queues.queue(queueNames.outbox('main', 'paced')).getJobs(['waiting', 'prioritized', 'delayed', 'active']);
    expect(await drained(), JSON.stringify(jobs.slice(0, 3).map((j) => [j.id, j.delay, h.repo.get(j.data.id)]))).toBe(0);
    // Through the night: every feed leaves them in SQLite.
    for (const [hh, mm, day] of [
      [23, 0, 27],
      [3, 0, 28],
      [8, 20, 28],
    ] as const) {
      clock.set(zonedTime(2026, 11, day, hh, mm, SH));
      await h.outbox.feed();
      expect(await drained()).toBe(0);
    }
    expect(h.transport.delivered).toHaveLength(0);
    clock.set(morning);
    await h.outbox.feed();
    await h.transport.waitFor(12);
    await expect
      .poll(() =>
        rows()
          .map((r) => r.status)
          .join(),
      )
      .toBe(Array(12).fill('sent').join());
    expect(campaignReport(repo, 'md')[0]).toMatchObject({ targeted: 12, sent: 12, expired: 0, failed: 0, pending: 0 });
  });

  it('a bigger run: a pause mid-run stops it, resume finishes every group exactly once, and the report matches the delivery records', async () => {
    const now = clock.now().getTime();
    for (let i = 12; i < 80; i++) {
      h.db
        .insert(groups)
        .values({ roomId: `g${i}@chatroom`, name: `群${i}`, storeCode: 'HZ01', tags: '[]', createdAt: now, updatedAt: now })
        .run();
    }
    const holding = new HoldingTransport(h.transport, 20).init();
    (h.sender as unknown as { transport: unknown }).transport = holding;
    service.upsert(def(), 'file', null, 'file');
    expect((await service.tick(SLOT))[0]).toMatchObject({ targeted: 80, enqueued: 80 });
    h.sender.start(true);
    await holding.reached; // 19 sent, the 20th in the sender's hand
    expect(service.pause('md', 'cli:ops')).toMatchObject({ ok: true });
    holding.letGo();
    await expect.poll(drained).toBe(0);
    const before = h.transport.delivered.length;
    expect(before).toBeGreaterThanOrEqual(20);
    expect(before).toBeLessThan(80); // stopped mid-run
    const paused = campaignReport(repo, 'md')[0]!;
    expect(paused).toMatchObject({ sent: before, skipped: { paused: 80 - before }, pending: 0 });

    await service.resume('md', 'cli:ops');
    await h.transport.waitFor(80);
    await expect.poll(drained).toBe(0);
    const per = new Map<string, number>();
    for (const d of h.transport.delivered) per.set(d.target.id, (per.get(d.target.id) ?? 0) + 1);
    expect(per.size).toBe(80);
    expect([...per.values()].every((v) => v === 1)).toBe(true);
    // The report, the outbox record and what the transport delivered agree.
    const byStatus = () =>
      Object.fromEntries(h.db.$client.prepare("select status, count(*) from outbox where key like 'campaign:md:%' group by status").raw().all() as [string, number][]);
    await expect.poll(byStatus).toEqual({ sent: 80 });
    const report = campaignReport(repo, 'md')[0]!;
    expect(report).toMatchObject({ targeted: 80, messages: 80, sent: h.transport.delivered.length, failed: 0, expired: 0, pending: 0, skipped: {} });
  });

  it('a restart mid-plan and mid-run (plan rows lost, a send in hand) is mended by a second run: nothing twice', async () => {
    const holding = new HoldingTransport(h.transport, 5).init();
    (h.sender as unknown as { transport: unknown }).transport = holding;
    service.upsert(def(), 'file', null, 'file');
    await service.tick(SLOT);
    // The crash came after the outbox rows were written but before half the plan rows were.
    h.db.$client.prepare("delete from campaign_targets where campaign_id = 'md' and rowid % 2 = 0").run();
    expect(repo.targets('md', '202611271000')).toHaveLength(6);
    h.sender.start(true);
    await holding.reached;
    // A new process plans the same occurrence again and reconciles the queue while a send is in hand.
    const again = await planOccurrence({ repo: new CampaignsRepo(h.db), outbox: h.outbox, clock, timezone: SH, logger: silentLogger() }, def(), SLOT, 'restart');
    expect(again).toMatchObject({ firstPlan: false, enqueued: 0, alreadyPlanned: 6, targeted: 12 });
    expect(repo.targets('md', '202611271000')).toHaveLength(12);
    expect(repo.outboxRows('campaign:md:')).toHaveLength(12);
    await h.outbox.reconcile('unknown', (o) => h.liveness.isAlive(o));
    holding.letGo();
    await h.transport.waitFor(12);
    await expect.poll(drained).toBe(0);
    const ids = h.transport.delivered.map((d) => d.target.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(campaignReport(repo, 'md')[0]).toMatchObject({ targeted: 12, messages: 12, sent: 12 });
  });

  it('cancel marks what is left skipped and stops the campaign', async () => {
    service.upsert(def({ spreadMinutes: 30 }), 'file', null, 'file');
    await service.tick(SLOT);
    expect(service.cancel('md', 'cli:ops')).toMatchObject({ ok: true, message: 'md: cancelled; 12 message(s) not sent' });
    expect(campaignReport(repo, 'md')[0]).toMatchObject({ skipped: { cancelled: 12 }, sent: 0 });
    expect(await service.tick(new Date(SLOT.getTime() + 7 * 86_400_000))).toEqual([]);
    await expect(service.resume('md', 'x')).resolves.toMatchObject({ ok: false });
  });

  it("member campaigns go through the sender's opt-out and caps; members without a contact are recorded", async () => {
    service.upsert(def({ id: 'mem', audience: { members: { stores: ['HZ01'] } }, content: [{ kind: 'text', text: '{name} 有 {points} 分' }] }), 'file', null, 'file');
    h.db.$client.prepare("insert into opt_outs (contact_id, at, source) values ('wx-m1', 0, 'test')").run();
    const [r] = await service.tick(SLOT);
    expect(r).toMatchObject({ targeted: 3, enqueued: 2, skipped: { 'no-wechat-contact': 1 } });
    h.sender.start(true);
    await h.transport.waitFor(1);
    await expect.poll(drained).toBe(0);
    expect(h.transport.delivered.map((d) => (d.content as { text: string }).text)).toEqual(['会员0 有 100 分']);
    expect(campaignReport(repo, 'mem')[0]).toMatchObject({ sent: 1, skipped: { 'opted-out': 1 }, skippedAtPlanning: { 'no-wechat-contact': 1 } });
  });
});
