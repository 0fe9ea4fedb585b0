import { describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { SOP_DIR } from '../../src/capabilities.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { friendsCapability, type FriendsRuntime } from '../../src/friends/friends.capability.js';
import { friendRequests, friends } from '../../src/friends/friends.schema.js';
import { welcomeKey } from '../../src/friends/friends.service.js';
import { parseFriendsPlaybook } from '../../src/friends/playbook.js';
import { friendsReport } from '../../src/friends/report.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { outbox } from '../../src/platform/db/schema.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

/** Real time from a chosen instant; `jump` moves it (BullMQ delays are wall time, so they still agree). */
class JumpClock implements Clock {
  private offset: number;
  constructor(start: string) {
    this.offset = Date.parse(start) - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  jump(ms: number): void {
    this.offset += ms;
  }
}

const PLAYBOOK = parseFriendsPlaybook(
  `
accept: { dailyCap: 2, delay: { min: 200ms, max: 400ms }, retryCappedAt: null }
attribution: { defaultStore: HZ01 }
welcome: { text: "{name}您好，欢迎来到{store}！我是导购{guide}。回复“入会”成为会员", returning: "" }
`,
  'e2e-friends.yaml',
);

let runtime: FriendsRuntime;
const clock = new JumpClock('2026-11-20T02:00:00Z'); // 10:00 in Shanghai
const fx = useTestApp('siyu-friends-e2e-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/app`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'friends-e2e', INBOUND_MAX_AGE_SECONDS: '0' }),
  logger: silentLogger(),
  clock,
  capabilities: [
    membersCapability(`${SOP_DIR}/membership.yaml`),
    friendsCapability(PLAYBOOK, {
      onInstalled: (rt) => {
        runtime = rt;
      },
    }),
  ],
}));

const request = (id: string) => fx.app.db.select().from(friendRequests).where(eq(friendRequests.contactId, id)).all();
const welcomes = (id: string) =>
  fx.app.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.targetId, id), like(outbox.key, 'friends-welcome%')))
    .all();

describe('new friends in the simulated world', () => {
  it('accepts a request with greeting HZ01-g03 after the delay, welcomes once, attributes and counts it', async () => {
    await fx.world.friendRequest('new-001', '林小满', 'HZ01-g03');
    const welcome = await fx.world.waitForBotMessage((m) => m.target.id === 'new-001', 20_000);
    expect(welcome.text.split('\n')[0]).toBe('林小满您好，欢迎来到杭州湖滨店！我是导购赵婷婷。回复“入会”成为会员');
    expect(welcome.text).toContain('杭州湖滨店');
    expect(welcome.text).toContain('赵婷婷');
    expect(fx.world.isFriend('new-001')).toBe(true);
    const [r] = request('new-001');
    expect(r).toMatchObject({ status: 'accepted', storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03', returning: false });
    expect(r!.dueAt! - r!.receivedAt).toBeGreaterThanOrEqual(200);
    expect(r!.dueAt! - r!.receivedAt).toBeLessThanOrEqual(400);
    expect(r!.acceptedAt!).toBeGreaterThanOrEqual(r!.dueAt!);
    expect(welcomes('new-001')).toEqual([expect.objectContaining({ key: welcomeKey('main', 'new-001'), purpose: 'reply' })]);
    const report = friendsReport(fx.app.db, PLAYBOOK, { from: '2026-11-20', to: '2026-11-20', store: null });
    expect(report.days).toContainEqual(expect.objectContaining({ storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03', accepted: 1 }));
    expect(report.month).toEqual([expect.objectContaining({ storeCode: 'HZ01', newFriends: 1, target: 800 })]);
  });

  it('attributes an unknown code to the default store', async () => {
    await fx.world.friendRequest('new-002', '周一', 'BJ99-g07');
    await fx.world.waitForBotMessage((m) => m.target.id === 'new-002', 20_000);
    expect(request('new-002')).toEqual([expect.objectContaining({ status: 'accepted', storeCode: 'HZ01', guideCode: null, channel: 'default', unknownCode: 'BJ99-g07' })]);
  });

  it('with a cap of 2, leaves the 3rd request of the day pending and lists it', async () => {
    await fx.world.friendRequest('new-003', '吴三', '你好');
    await expect.poll(() => request('new-003')[0]?.status, { timeout: 10_000 }).toBe('capped');
    expect(fx.world.isFriend('new-003')).toBe(false);
    const report = friendsReport(fx.app.db, PLAYBOOK, { from: '2026-11-20', to: '2026-11-20', store: null });
    expect(report.pending).toEqual([expect.objectContaining({ contactId: 'new-003', status: 'capped' })]);
    expect(report.days).toContainEqual(expect.objectContaining({ channel: 'default', capped: 1 }));
  });

  it('marks a friend who removes the bot; their new request is recognised and gets no second welcome', async () => {
    await fx.world.contactRemovesBot('new-001');
    await expect.poll(() => fx.app.db.select().from(friends).where(eq(friends.contactId, 'new-001')).get()?.status, { timeout: 10_000 }).toBe('removed');
    await fx.world.friendRequest('new-001', '林小满', 'HZ01-g01');
    await expect.poll(() => request('new-001').length, { timeout: 10_000 }).toBe(2);
    expect(request('new-001')[1]).toMatchObject({ status: 'capped', returning: true, guideCode: 'guide-hz01-03' });
    // The next day's routine accepts the capped requests within that day's cap.
    clock.jump(24 * 3_600_000);
    expect(await runtime.service.retryCapped()).toBe(2);
    await fx.world.waitForBotMessage((m) => m.target.id === 'new-003', 20_000);
    await expect.poll(() => request('new-001')[1]?.status, { timeout: 10_000 }).toBe('accepted');
    expect(fx.world.isFriend('new-001')).toBe(true);
    expect(welcomes('new-001')).toHaveLength(1);
    expect(fx.world.sent.filter((m) => m.target.id === 'new-001')).toHaveLength(1);
    expect(fx.app.db.select().from(friends).where(eq(friends.contactId, 'new-001')).get()).toMatchObject({ status: 'friend', addCount: 2 });
  });
});
