import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SOP_DIR } from '../../src/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { localDate } from '../../src/core/time.js';
import { groupsCapability, type GroupsRuntime } from '../../src/groups/groups.capability.js';
import { groupSpam } from '../../src/groups/groups.schema.js';
import { parseGroupsPlaybook } from '../../src/groups/playbook.js';
import { groupHealthReport, spamList } from '../../src/groups/report.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { outbox } from '../../src/platform/db/schema.js';
import { testConfig } from '../support/app.js';
import { useTestApp } from '../support/test-app.js';

// One welcome per 2 joins or 2 s after the first, whichever comes first.
const PLAYBOOK = parseGroupsPlaybook(
  `
membership: { checkAt: null }
welcome: { batchSize: 2, within: 2s, text: "欢迎{names}加入{group}！" }
spam: { alert: "⚠️ {group}：{name} 发了{what} {detail}" }
`,
  'e2e-groups.yaml',
);

const A = 'hz01-a@chatroom';
const B = 'hz01-b@chatroom';
const VIP = 'hz01-vip@chatroom';

let runtime: GroupsRuntime;
const fx = useTestApp('siyu-groups-e2e-', (dir, redisUrl) => ({
  config: testConfig(`${dir}/app`, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'groups-e2e' }),
  logger: silentLogger(),
  capabilities: [
    membersCapability(`${SOP_DIR}/membership.yaml`),
    groupsCapability(PLAYBOOK, {
      onInstalled: (rt) => {
        runtime = rt;
      },
    }),
  ],
}));

/** What the test did, to compute the expected figures from. */
const did = {
  joins: [] as { room: string; id: string }[],
  leaves: [] as { room: string; id: string }[],
  posts: [] as { room: string; id: string }[],
};
const staffIds = () => new Set(fx.world.seed.staff.map((s) => s.id));

describe('group health in the simulated world', () => {
  it('records every member seen at login (not as joins)', async () => {
    await expect.poll(() => runtime.service.lastCheck?.rooms, { timeout: 20_000 }).toBe(3);
    const seen = fx.app.db.$client.prepare("select count(*) from group_memberships where how = 'seen-at-start'").pluck().get();
    expect(seen).toBe(fx.world.seed.rooms.reduce((n, r) => n + r.staffIds.length + r.memberIds.length, 0));
  });

  it('welcomes joiners in batches: two joins at once in one message naming both, a lone join after the window', async () => {
    const t0 = Date.now();
    for (const [room, id, name] of [
      [A, 'new-a1', '林一'],
      [A, 'new-a2', '林二'],
      [A, 'new-a3', '林三'],
      [B, 'new-b1', '周一'],
    ] as const) {
      await fx.world.memberJoins(room, id, 'm001', { name });
      did.joins.push({ room, id });
    }
    const first = await fx.world.waitForBotMessage((m) => m.target.id === A && m.mentionIds.includes('new-a1'), 10_000);
    expect(first.mentionIds).toEqual(['new-a1', 'new-a2']);
    expect(first.text).toContain('欢迎林一、林二加入湖滨店宝妈交流1群！');
    const lone = await fx.world.waitForBotMessage((m) => m.target.id === A && m.mentionIds.includes('new-a3'), 10_000);
    expect(lone.mentionIds).toEqual(['new-a3']);
    expect(lone.at - t0).toBeGreaterThanOrEqual(1900);
    const inB = await fx.world.waitForBotMessage((m) => m.target.id === B && m.mentionIds.includes('new-b1'), 10_000);
    expect(inB.text).toContain('欢迎周一加入湖滨店宝妈交流2群！');
    // Each join named once, in one welcome.
    const named = fx.world.sent.flatMap((m) => m.mentionIds.filter((id) => id.startsWith('new-')));
    expect(named.sort()).toEqual(['new-a1', 'new-a2', 'new-a3', 'new-b1']);
  });

  it('records leaves, whether people leave or are removed', async () => {
    for (const [room, id, by] of [
      [A, 'new-a2', undefined],
      [B, 'm020', 'admin-hz01'],
    ] as const) {
      await fx.world.memberLeaves(room, id, by);
      did.leaves.push({ room, id });
    }
    await expect.poll(() => fx.app.db.$client.prepare('select count(*) from group_memberships where left_at is not null').pluck().get(), { timeout: 10_000 }).toBe(2);
    expect(fx.app.db.$client.prepare('select contact_id, left_how, remover_id from group_memberships where left_at is not null order by contact_id').all()).toEqual([
      { contact_id: 'm020', left_how: 'removed', remover_id: 'admin-hz01' },
      { contact_id: 'new-a2', left_how: 'left', remover_id: 'new-a2' },
    ]);
  });

  it("alerts the group's guide when a member posts a link card, keeps it for review, and lets staff post links", async () => {
    const spamId = await fx.world.memberPosts('m005', { kind: 'link', url: 'https://spam.example.cn/coupon', title: '免费领券' }, { roomId: A });
    did.posts.push({ room: A, id: 'm005' });
    await fx.world.memberPosts('guide-hz01-02', { kind: 'link', url: 'https://brand.example.com/day', title: '会员日' }, { roomId: A });
    const alert = await fx.world.waitForBotMessage((m) => m.target.id === 'guide-hz01-01' && m.text.startsWith('⚠️'), 10_000);
    expect(alert.text).toBe('⚠️ 湖滨店宝妈交流1群：黄丹丹 发了链接卡片 免费领券 https://spam.example.cn/coupon');
    const kept = fx.app.db.select().from(groupSpam).where(eq(groupSpam.messageId, spamId)).get();
    expect(kept).toMatchObject({ roomId: A, talkerId: 'm005', kind: 'link-card', alertedTo: 'guide-hz01-01' });
    expect(JSON.parse(kept!.raw)).toMatchObject({ type: 'url', card: { url: 'https://spam.example.cn/coupon', title: '免费领券' } });
    const qr = await fx.world.memberPosts('m030', { kind: 'image', name: '扫码进群二维码.jpg' }, { roomId: B });
    did.posts.push({ room: B, id: 'm030' });
    await fx.world.waitForBotMessage((m) => m.target.id === 'guide-hz01-03' && m.text.includes('二维码图片'), 10_000);
    const today = localDate(new Date(), fx.app.config.TIMEZONE);
    expect(spamList(fx.app.db, { from: today, to: today, timezone: fx.app.config.TIMEZONE }).map((e) => e.messageId)).toEqual([qr, spamId]);
  });

  it('retention, interaction and staff posts for the demo groups match what the traffic did', async () => {
    for (const [room, id] of [
      [A, 'm001'],
      [A, 'm004'],
      [A, 'm004'],
      [A, 'new-a1'],
      [B, 'm021'],
      [VIP, 'm040'],
    ] as const) {
      await fx.world.memberSays(id, `大家好，我是${id}`, { roomId: room });
      did.posts.push({ room, id });
    }
    const staffPosts: Record<string, number> = { [A]: 0, [B]: 0, [VIP]: 0 };
    for (const [room, id] of [
      [A, 'guide-hz01-01'],
      [A, 'guide-hz01-01'],
      [VIP, 'mgr-hz01'],
    ] as const) {
      await fx.world.memberSays(id, '今天会员日，满199减20', { roomId: room });
      staffPosts[room]!++;
    }
    staffPosts[A]!++; // guide-hz01-02's link card above
    await fx.world.accountSays('欢迎新朋友～', { roomId: B });
    const bySelf: Record<string, number> = { [A]: 0, [B]: 1, [VIP]: 0 };
    // Every message above is logged (members', 3 staff texts, the staff link card, the one typed on the
    // bot's phone), and every welcome the bot queued has gone out.
    const posted = did.posts.length + 3 + 1 + 1;
    await expect.poll(() => fx.app.db.$client.prepare('select count(*) from inbound_messages where room_id is not null').pluck().get(), { timeout: 10_000 }).toBe(posted);
    await expect
      .poll(
        () =>
          fx.app.db
            .select()
            .from(outbox)
            .where(and(like(outbox.key, 'groups-welcome:%'), eq(outbox.status, 'sent')))
            .all().length,
        { timeout: 10_000 },
      )
      .toBe(3);

    const tz = fx.app.config.TIMEZONE;
    const today = localDate(new Date(), tz);
    const report = groupHealthReport(fx.app.db, { from: today, to: today, timezone: tz, now: Date.now(), target: PLAYBOOK.targets.retention });
    const staff = staffIds();
    for (const seedRoom of fx.world.seed.rooms) {
      const room = seedRoom.id;
      const g = report.groups.find((x) => x.roomId === room)!;
      const joined = did.joins.filter((j) => j.room === room).map((j) => j.id);
      const left = did.leaves.filter((l) => l.room === room).map((l) => l.id);
      const retained = joined.filter((id) => !left.includes(id));
      expect(g.retention, room).toEqual([
        { month: today.slice(0, 7), joined: joined.length, retained: retained.length, rate: joined.length ? retained.length / joined.length : null, left: left.length },
      ]);
      const everIn = new Set([...seedRoom.memberIds, ...joined]);
      const posters = new Set(did.posts.filter((p) => p.room === room && !staff.has(p.id)).map((p) => p.id));
      expect(g.interaction, room).toEqual([expect.objectContaining({ members: everIn.size, posters: posters.size, rate: posters.size / everIn.size })]);
      expect(g.members, room).toBe(everIn.size - left.length);
      // The bot account's posts: its welcomes and the one typed on its phone.
      const botPosts = fx.world.sent.filter((m) => m.target.id === room).length;
      const welcomes = fx.world.sent.filter((m) => m.target.id === room && m.mentionIds.length > 0).length;
      expect(botPosts).toBe(welcomes + bySelf[room]!);
      expect(g.staffPosts, room).toEqual([{ day: today, staff: staffPosts[room], bot: botPosts, total: staffPosts[room]! + botPosts }]);
    }
    expect(report.total).toMatchObject({ joined: did.joins.length, retained: did.joins.length - 1 });
    expect(report.total.belowTarget).toEqual([A]); // 2 of 3 joiners still in: under 85 %
  });
});
