import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { capabilities } from '../../src/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadMembershipPlaybook } from '../../src/members/playbook.js';
import { outbox } from '../../src/platform/db/schema.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import type { World } from '../../src/platform/wechaty/world/server.js';
import { testConfig } from '../support/app.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

/**
 * The router's dispatch table through the simulated world, every shipped capability installed: each
 * message gets exactly one answer, counted from what the world's people received. Text nobody claims
 * gets one hint suited to the sender's role — store managers and admins included.
 */

const MANAGER = 'mgr-hz01';
const ADMIN = 'admin-hz01';
const MEMBER = 'm025';
const memberTexts = loadMembershipPlaybook('sop/membership.yaml').texts;

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;
let app: App;
let world: World;

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-dispatch-');
  app = await startApp({
    config: testConfig(`${tmp.dir}/data`, { REDIS_URL: redis.url, QUEUE_PREFIX: 'dispatch', INBOUND_MAX_AGE_SECONDS: '0' }),
    logger: silentLogger(),
    capabilities,
  });
  await app.ready;
  world = app.world!;
});
afterAll(async () => {
  await app?.stop();
  tmp.remove();
  restoreHome();
});

/** What `who` received from the bot, oldest first. */
const received = (who: string) => world.sent.filter((m) => m.target.id === who).map((m) => m.text);

/**
 * `who` writes `text`, then `帮助` (answered with the member help for every role). Once that answer
 * arrived and every outbox row for `who` is settled and delivered, returns what `text` caused: what
 * `who` received since, the help answer taken out.
 */
async function answersTo(who: string, text: string): Promise<string[]> {
  const before = received(who).length;
  await world.memberSays(who, text);
  await world.memberSays(who, '帮助');
  await expect.poll(() => received(who).slice(before).includes(memberTexts.help), { timeout: 20_000 }).toBe(true);
  const rows = () => app.db.select().from(outbox).where(eq(outbox.targetId, who)).all();
  await expect.poll(() => rows().filter((r) => r.status === 'queued' || r.status === 'sending').length, { timeout: 20_000 }).toBe(0);
  await expect.poll(() => received(who).length, { timeout: 20_000 }).toBe(rows().filter((r) => r.status === 'sent').length);
  const since = received(who).slice(before);
  since.splice(since.indexOf(memberTexts.help), 1);
  return since;
}

describe('one answer per message, by role and word', () => {
  it('a store manager and an admin writing an unknown word get one hint each: the words they can send', async () => {
    for (const who of [MANAGER, ADMIN]) {
      const got = await answersTo(who, '今天天气不错');
      expect(got, who).toHaveLength(1);
      expect(got[0]).toMatch(/^没看懂😅 可以发送：/);
      for (const word of ['今日', '待回复', '活动', '待处理']) expect(got[0], `${who}: ${word}`).toContain(word);
    }
  }, 90_000);

  it('a member writing an unknown word gets one hint, the member hint', async () => {
    expect(await answersTo(MEMBER, '嗯嗯随便说说')).toEqual([memberTexts.helpHint]);
  }, 60_000);

  it('a word one capability claims gets exactly one reply: 待处理 (SLA) for a manager, 今日 (admin) for an admin, 积分 (members) for a member', async () => {
    const list = await answersTo(MANAGER, '待处理');
    expect(list).toHaveLength(1);
    expect(list[0]).not.toMatch(/^没看懂/);
    const today = await answersTo(ADMIN, '今日');
    expect(today).toHaveLength(1);
    expect(today[0]).not.toMatch(/^没看懂/);
    const points = await answersTo(MEMBER, '积分');
    expect(points).toHaveLength(1);
    expect(points[0]).not.toBe(memberTexts.helpHint);
  }, 90_000);

  it('an admin command from a member is refused with the member help, once, and nothing else', async () => {
    const before = received(MEMBER).length;
    const got = await answersTo(MEMBER, '今日');
    // the refusal is the member help itself: two helps arrived, one for each message
    expect(got).toEqual([memberTexts.help]);
    expect(received(MEMBER).slice(before)).toEqual([memberTexts.help, memberTexts.help]);
  }, 60_000);
});
