import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { campaignsCapability } from '../../src/campaigns/campaigns.capability.js';
import { CampaignsRepo } from '../../src/campaigns/campaigns.repo.js';
import { CAMPAIGN_TICK } from '../../src/campaigns/campaigns.jobs.js';
import { campaignReport } from '../../src/campaigns/report.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { localParts, zonedTime } from '../../src/core/time.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import { testConfig } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

const SH = 'Asia/Shanghai';
const SPREAD_MS = 6_000;

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-campaigns-e2e-');
});
afterAll(async () => {
  tmp.remove();
  restoreHome();
});

/**
 * Real time moved so that it is 2 s before 10:00 today in Shanghai (outside quiet hours whenever the
 * suite runs). node-cron ticks on the machine clock, so the test fires the 10:00 tick itself.
 */
function clockBefore10(): Clock & { slot: Date } {
  const p = localParts(new Date(), SH);
  const slot = zonedTime(p.year, p.month, p.day, 10, 0, SH);
  const offset = slot.getTime() - 2000 - Date.now();
  return { now: () => new Date(Date.now() + offset), slot };
}

describe('a group campaign in the simulated world', () => {
  let app: App;
  const clock = clockBefore10();

  beforeAll(async () => {
    const dir = path.join(tmp.dir, 'campaigns');
    mkdirSync(dir, { recursive: true });
    const p = localParts(clock.slot, SH);
    const at = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} 10:00`;
    writeFileSync(
      path.join(dir, 'demo-day.yaml'),
      `name: 会员日演示
audience:
  groups:
    list: [hz01-a@chatroom, hz01-b@chatroom, hz01-vip@chatroom]
    exclude: [hz01-vip@chatroom]
content:
  - kind: text
    text: "【会员日】{name}的家人们，今天会员价 9 折！"
schedule:
  at: "${at}"
spreadMinutes: ${SPREAD_MS / 60_000}
`,
    );
    app = await startApp({
      config: testConfig(`${tmp.dir}/data`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'campaign-e2e', INBOUND_MAX_AGE_SECONDS: '0' }),
      logger: silentLogger(),
      clock,
      capabilities: [membersCapability(path.resolve('sop/membership.yaml')), campaignsCapability(dir)],
    });
    await app.ready;
  });
  afterAll(() => app.stop());

  it('posts once to each of 2 of the 3 demo groups, spread over the window; the next tick closes it and sends nothing twice', async () => {
    const world = app.world!;
    expect(await app.scheduler.fire(CAMPAIGN_TICK, clock.slot)).toBe(true);
    const isPost = (m: { text: string }) => m.text.startsWith('【会员日】');
    const a = await world.waitForBotMessage((m) => m.target.id === 'hz01-a@chatroom' && isPost(m), 30_000);
    const b = await world.waitForBotMessage((m) => m.target.id === 'hz01-b@chatroom' && isPost(m), 30_000);
    expect(a.text).toBe('【会员日】湖滨店宝妈交流1群的家人们，今天会员价 9 折！');
    // Spread: the two posts are about SPREAD_MS / 2 apart (two slots in a 6 s window), never before 10:00.
    expect(Math.abs(a.at - b.at)).toBeGreaterThanOrEqual(SPREAD_MS / 2 - 500);
    const repo = new CampaignsRepo(app.db);
    // The world sees a post before the sender records it sent: wait for the record, then the next tick closes the campaign.
    await expect.poll(() => repo.pendingCount('campaign:demo-day:'), { timeout: 10_000 }).toBe(0);
    expect(await app.scheduler.fire(CAMPAIGN_TICK, new Date(clock.slot.getTime() + 60_000))).toBe(true);
    await expect.poll(() => repo.get('demo-day')?.status, { timeout: 20_000 }).toBe('done');
    const posts = world.sent.filter(isPost);
    expect(posts.map((m) => m.target.id).sort()).toEqual(['hz01-a@chatroom', 'hz01-b@chatroom']);
    const report = campaignReport(repo, 'demo-day')[0]!;
    expect(report).toMatchObject({ targeted: 2, messages: 2, sent: 2, failed: 0, expired: 0, pending: 0, skipped: {} });
  });
});
