import { describe, expect, it } from 'vitest';
import { SOP_DIR } from '../../src/capabilities.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { MEMBERSHIP_CHECK_SCHEDULE, groupsCapability } from '../../src/groups/groups.capability.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

const A = 'hz01-a@chatroom';
const GUIDE = 'guide-hz01-01'; // owner of group A

// 23:30 in Shanghai: the store (09:00–21:00 in sop/sla.yaml) is closed.
const clock = new ManualClock('2026-11-20T15:30:00Z');
const fx = useTestApp('siyu-spam-night-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/app`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'spam-night', INBOUND_MAX_AGE_SECONDS: '0' }),
  logger: silentLogger(),
  clock,
  capabilities: [membersCapability(`${SOP_DIR}/membership.yaml`), groupsCapability(`${SOP_DIR}/groups.yaml`)],
}));

const spamRows = () =>
  fx.app.db.$client.prepare('select talker_id as talker, kind, detail, alerted_to as alertedTo, digest_at as digestAt from group_spam order by posted_at, rowid').all();

describe('spam in a group at night, with the shipped playbooks', () => {
  it('ignores noise like O.CO, wakes nobody at 23:30, and sends the guide one digest at the 09:00 opening', async () => {
    await fx.world.memberSays('m006', 'O.CO', { roomId: A });
    await fx.world.memberSays('m006', 'S-.Co', { roomId: A });
    await fx.world.memberSays('m005', '点击领取红包 hb88.vip/get', { roomId: A });
    await fx.world.memberPosts('m007', { kind: 'image', name: '进群二维码.png' }, { roomId: A });
    await expect.poll(() => spamRows().length, { timeout: 15_000 }).toBe(2);
    await fx.app.ingest.idle();

    const opening = Date.parse('2026-11-21T01:00:00Z'); // 09:00 the next day
    expect(spamRows()).toEqual([
      { talker: 'm005', kind: 'link', detail: 'hb88.vip/get', alertedTo: GUIDE, digestAt: opening },
      { talker: 'm007', kind: 'qr-code', detail: '进群二维码.png', alertedTo: GUIDE, digestAt: opening },
    ]);
    expect(fx.world.sent.filter((m) => m.target.id === GUIDE)).toEqual([]);
    expect(fx.app.db.$client.prepare('select count(*) from outbox where target_id = ?').pluck().get(GUIDE)).toBe(0);

    // The morning: the store opens; the digest's job is due (it is re-added at every start, login and 04:30 check).
    clock.set(opening);
    await fx.app.scheduler.fire(MEMBERSHIP_CHECK_SCHEDULE, new Date(opening));
    const digest = await fx.world.waitForBotMessage((m) => m.target.id === GUIDE, 20_000);
    expect(digest.text).toMatch(
      /^🌙 非服务时间收到疑似广告 2 条：\n23:30 「湖滨店宝妈交流1群」黄丹丹 发了链接：hb88\.vip\/get\n23:30 「湖滨店宝妈交流1群」吴倩 发了二维码图片：进群二维码\.png\n/u,
    );
    expect(fx.world.sent.filter((m) => m.target.id === GUIDE)).toHaveLength(1);
  }, 60_000);
});
