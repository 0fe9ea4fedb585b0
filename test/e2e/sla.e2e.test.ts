import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { localDate } from '../../src/core/time.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { outbox } from '../../src/platform/db/schema.js';
import { slaCapability } from '../../src/sla/sla.capability.js';
import { slaReport } from '../../src/sla/sla.figures.js';
import { SLA_QUEUE } from '../../src/sla/sla.jobs.js';
import { slaQuestions } from '../../src/sla/sla.schema.js';
import { fastPlaybookYaml } from '../../src/sla/testing.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const GROUP_A = 'hz01-a@chatroom';
const GROUP_B = 'hz01-b@chatroom';
const GUIDE_A = 'guide-hz01-01';
const GUIDE_B = 'guide-hz01-03';
const MANAGER = 'mgr-hz01';

const fx = useTestApp('siyu-sla-e2e-', (dir, redisUrl) => {
  // Short tiers (seconds), the clock running all day: 2 s → the group's guide, 4 s → the store manager.
  const playbook = path.join(dir, 'sla.yaml');
  writeFileSync(
    playbook,
    fastPlaybookYaml(readFileSync('sop/sla.yaml', 'utf8'), [
      ['2s', 'owner-guide'],
      ['4s', 'store-manager'],
    ]),
  );
  return {
    config: testConfig(`${dir}/data`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'sla-e2e' }),
    logger: process.env['SLA_E2E_LOG'] ? createLogger({ level: 'info', pretty: false }) : silentLogger(),
    capabilities: [membersCapability('sop/membership.yaml'), slaCapability(playbook)],
  };
});

const question = (firstMessageId: string) => fx.app.db.select().from(slaQuestions).where(eq(slaQuestions.firstMessageId, firstMessageId)).get();
const opened = (id: string) => expect.poll(() => question(id), { timeout: 10_000 }).toBeDefined();
/** Every deadline fired or cancelled: the SLA queue holds no job. */
const drained = () =>
  expect
    .poll(
      async () => {
        const c = await fx.app.queues.queue(SLA_QUEUE).getJobCounts('delayed', 'waiting', 'active', 'prioritized');
        return Object.values(c).reduce((a, b) => a + b, 0);
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe(0);

describe('the SLA in the simulated world', () => {
  it("escalates a member's unanswered group question to the owner guide, then the store manager, each once; a staff reply closes it", async () => {
    const askedAt = Date.now();
    const id = await fx.world.memberSays('m003', '请问这款奶粉几段适合一岁宝宝？', { roomId: GROUP_A });
    const toGuide = await fx.world.waitForBotMessage((m) => m.target.id === GUIDE_A && m.text.includes('陈思琪'), 20_000);
    const toManager = await fx.world.waitForBotMessage((m) => m.target.id === MANAGER && m.text.includes('陈思琪'), 20_000);
    expect(toGuide.text).toMatch(/1个会员问题等待回复\n#\d+ 陈思琪（湖滨店宝妈交流1群）已等\d+秒：请问这款奶粉几段适合一岁宝宝？/u);
    // Due 2 s and 4 s after the question; delivered within 2 s of the deadline.
    expect(toGuide.at - askedAt).toBeGreaterThanOrEqual(2000);
    expect(toGuide.at - askedAt).toBeLessThan(4000);
    expect(toManager.at - askedAt).toBeGreaterThanOrEqual(4000);
    expect(toManager.at - askedAt).toBeLessThan(6000);

    await fx.world.memberSays(GUIDE_A, '二段就可以，您看下', { roomId: GROUP_A, mentionIds: ['m003'] });
    await expect.poll(() => question(id), { timeout: 10_000 }).toMatchObject({ status: 'answered', closedBy: GUIDE_A, escalatedTier: 1 });
    await drained();
    expect(fx.world.sent.filter((m) => m.target.id === GUIDE_A && m.text.includes('陈思琪'))).toHaveLength(1);
    expect(fx.world.sent.filter((m) => m.target.id === MANAGER && m.text.includes('陈思琪'))).toHaveLength(1);
  });

  it('a staff reply before the first deadline alerts nobody', async () => {
    const id = await fx.world.memberSays('m020', '今天有活动吗？', { roomId: GROUP_B });
    await opened(id);
    await fx.world.memberSays(GUIDE_B, '有的，满199减20', { roomId: GROUP_B });
    await expect.poll(() => question(id), { timeout: 10_000 }).toMatchObject({ status: 'answered', closedBy: GUIDE_B, escalatedTier: -1 });
    await drained();
    expect(fx.world.sent.filter((m) => m.text.includes('谢文'))).toEqual([]);
  });

  it("a person typing on the bot account's phone answers a private question; the bot's automatic reply does not", async () => {
    const selfBefore = fx.app.ingest.getStats().rejected.self;
    const id = await fx.world.memberSays('m005', '我上周买的奶粉什么时候到？');
    await opened(id);
    // The members capability answers unknown private text with a hint: an automatic send, whose echo is dropped.
    await fx.world.waitForBotMessage((m) => m.target.id === 'm005', 10_000);
    await expect.poll(() => fx.app.ingest.getStats().rejected.self, { timeout: 10_000 }).toBeGreaterThan(selfBefore);
    await fx.app.ingest.idle();
    expect(question(id)?.status).toBe('open');
    await fx.world.accountSays('您好，明天送到', { contactId: 'm005' });
    await expect.poll(() => question(id), { timeout: 10_000 }).toMatchObject({ status: 'answered', closedBy: 'account' });
    // Sampled (rate 1 here): the rating question is queued to go out later.
    const survey = fx.app.db
      .select()
      .from(outbox)
      .where(eq(outbox.key, `sla-survey:${question(id)!.id}`))
      .get();
    expect(survey).toMatchObject({ purpose: 'service', targetId: 'm005', status: 'queued' });
  });

  it('a manager closes a question handled elsewhere with 已处理, and the report matches the log', async () => {
    const id = await fx.world.memberSays('m006', '门店几点关门？', { roomId: GROUP_A });
    await opened(id);
    const q = question(id)!;
    await fx.world.memberSays(MANAGER, `已处理 #${q.id}`);
    const confirmation = await fx.world.waitForBotMessage((m) => m.target.id === MANAGER && m.text.startsWith('已关闭'), 10_000);
    expect(confirmation.text).toContain(`#${q.id} 周敏（湖滨店宝妈交流1群）`);
    expect(question(id)).toMatchObject({ status: 'handled', closedBy: MANAGER });
    await drained();

    const rows = fx.app.db.select().from(slaQuestions).all();
    const today = localDate(new Date(), fx.app.config.TIMEZONE);
    const report = slaReport(fx.app.db, { from: today, to: today, timezone: fx.app.config.TIMEZONE, now: Date.now() });
    expect(report.total).toMatchObject({
      questions: rows.length,
      answered: rows.filter((r) => r.status === 'answered').length,
      handled: 1,
      open: rows.filter((r) => r.status === 'open').length,
      escalated: rows.filter((r) => r.escalatedTier >= 0).length,
    });
    expect(report.total.answered).toBe(3);
    expect(report.by.group.find((g) => g.key === GROUP_A)).toMatchObject({ questions: 2, answered: 1, handled: 1, escalated: 1, timeouts: 1 });
    expect(report.by.store).toEqual([expect.objectContaining({ key: 'HZ01', questions: rows.length })]);
  });
});
