import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushAll } from '../../test/support/redis.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { tempDir } from '../../test/support/harness.js';
import { membersWorld, SH, type MembersWorld } from '../../test/support/members.js';
import { zonedTime } from '../core/time.js';
import { ManualClock } from '../core/clock.js';
import { accountReach, coupons, members, optOuts, pointsLedger, rewards } from '../platform/db/schema.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { creditOrder } from './ledger.js';
import { MembersRepo } from './members.repo.js';
import { runDoctor } from './doctor.js';
import { insertMember, shippedPlaybook } from './testing.js';
import { parseMembershipPlaybook, type MembershipPlaybook } from './playbook.js';
import { friends } from '../friends/friends.schema.js';
import { runImport } from './import/engine.js';

const pb = shippedPlaybook();
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: MembersWorld[] = [];

async function world(clock?: ManualClock, playbook?: MembershipPlaybook) {
  const w = await membersWorld({ redisUrl: redis.url, dir: tmp.dir, clock, playbook });
  open.push(w);
  return w;
}

beforeAll(async () => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
  await flushAll(redis.url);
});
afterAll(async () => {
  tmp.remove();
});

const memberOf = (w: MembersWorld, contactId: string) => w.db.select().from(members).where(eq(members.contactId, contactId)).get()!;
const order = (orderId: string, memberId: number, amountFen: number, at: number) => ({ orderId, memberId, amountFen, orderedAt: at - 60_000, storeCode: null });

describe('members: what a member can do by replying', () => {
  it('入会, an order, 积分, 兑换 CODE: replies, ledger, tier and coupon are right', async () => {
    const w = await world();
    const now = w.clock.now().getTime();
    const join = await w.say('wx-li', '入会', { talkerName: '李女士' });
    expect(w.reply(join)).toMatch(/^欢迎加入会员，李女士！您现在是普卡，积分 0。\n您的邀请码：[2-9A-Z]{8}/);
    expect(w.reply(join, 'gift')).toMatch(/^新人礼已到账：新人10元券（券码 [2-9A-Z]{12}），2026-12-09 前有效。$/);
    const m = memberOf(w, 'wx-li');
    expect(m).toMatchObject({ name: '李女士', tier: 'regular', points: 0, joinedAt: now });

    const credit = creditOrder(w.db, pb, order('POS-1', m.id, 350_000, now), now);
    expect(credit).toMatchObject({ credited: true, points: 350, tierBefore: 'regular', tierAfter: 'silver' });
    expect(creditOrder(w.db, pb, order('POS-1', m.id, 350_000, now), now).credited).toBe(false);

    const points = await w.say('wx-li', '积分');
    expect(w.reply(points)).toBe('李女士，您的积分：350\n等级：银卡（成长值 3500）\n再获得 2500 成长值升级为金卡');

    const menu = await w.say('wx-li', '兑换');
    expect(w.reply(menu)).toContain('现在可兑换：\nC001 5元无门槛券（50 积分）\nC002 20元满199可用券（150 积分）\nG001 品牌帆布袋（300 积分）');

    const redeem = await w.say('wx-li', '兑换 C001');
    expect(w.reply(redeem)).toMatch(/^兑换成功：5元无门槛券，券码 [2-9A-Z]{12}，2026-12-25 前有效。扣除 50 积分，剩余 300 积分。$/);
    expect(memberOf(w, 'wx-li')).toMatchObject({ points: 300, growth: 3500, tier: 'silver', orderCount: 1 });
    expect(
      w.db
        .select()
        .from(pointsLedger)
        .all()
        .map((l) => [l.reason, l.delta, l.balanceAfter]),
    ).toEqual([
      ['order', 350, 350],
      ['redeem', -50, 300],
    ]);
    expect(
      w.db
        .select()
        .from(coupons)
        .all()
        .map((c) => [c.rewardCode, c.status]),
    ).toEqual([
      ['NEW10', 'issued'],
      ['C001', 'issued'],
    ]);
    expect(w.db.select().from(rewards).where(eq(rewards.code, 'C001')).get()!.stock).toBe(9999);

    const mine = await w.say('wx-li', '我的券');
    expect(w.reply(mine)).toMatch(/^您的优惠券：\n新人10元券 券码 \w+，2026-12-09 前有效\n5元无门槛券 券码 \w+，2026-12-25 前有效$/);
    expect(runDoctor(w.db)).toEqual({ ok: true, problems: [] });
  });

  it('links an imported member record (known contact id, not yet joined) on 入会 instead of creating a second one', async () => {
    const w = await world();
    const id = insertMember(w.db, { contactId: 'wx-imported', name: '陈思琪', phone: '13800000003', points: 0 });
    const join = await w.say('wx-imported', '入会');
    expect(w.reply(join)).toMatch(/^欢迎加入会员，陈思琪！/);
    expect(w.reply(join, 'gift')).toMatch(/^新人礼已到账/);
    expect(w.db.select().from(members).all()).toHaveLength(1);
    expect(memberOf(w, 'wx-imported')).toMatchObject({ id, joinedAt: w.clock.now().getTime() });
    expect(w.reply(await w.say('wx-imported', '入会'))).toMatch(/^您已经是会员了/);
    expect(w.rows(`reply:`).filter((r) => r.key.endsWith(':gift'))).toHaveLength(1);
  });

  it('takes full-width input: 兑换　Ｃ００１', async () => {
    const w = await world();
    await w.say('wx-a', '入会');
    creditOrder(w.db, pb, order('F1', memberOf(w, 'wx-a').id, 60_000, w.clock.now().getTime()), w.clock.now().getTime());
    const id = await w.say('wx-a', '兑换　Ｃ００１');
    expect(w.reply(id)).toMatch(/^兑换成功：5元无门槛券/);
  });

  it('explains a refused redemption and what is possible instead', async () => {
    const w = await world();
    const now = w.clock.now().getTime();
    await w.say('wx-b', '入会');
    const id = memberOf(w, 'wx-b').id;
    creditOrder(w.db, pb, order('R1', id, (3_500_00 / 10) * 2 + 1_000, now), now); // 71 points
    expect(w.reply(await w.say('wx-b', '兑换 C002'))).toBe('积分不足：20元满199可用券需要 150 积分，您有 71，还差 79。您现在可以兑换：C001 5元无门槛券（50 积分）。');
    expect(w.reply(await w.say('wx-b', '兑换 X999'))).toBe('没有编号为 X999 的礼品。可兑换的礼品：C001、C002、G001。回复"兑换"查看详情。');
    expect(w.reply(await w.say('wx-b', '兑换 NEW10'))).toContain('没有编号为 NEW10 的礼品');
    creditOrder(w.db, pb, order('R2', id, 600_000, now), now);
    expect(w.reply(await w.say('wx-b', '兑换 G001'))).toMatch(/^兑换成功：品牌帆布袋/);
    expect(w.reply(await w.say('wx-b', '兑换 G001'))).toMatch(
      /^品牌帆布袋每人限兑 1 张，您已兑满。您现在可以兑换：C001 5元无门槛券（50 积分）、C002 20元满199可用券（150 积分）。$/,
    );
    w.db.update(rewards).set({ stock: 0 }).where(eq(rewards.code, 'C002')).run();
    expect(w.reply(await w.say('wx-b', '兑换 C002'))).toBe('20元满199可用券已兑完，暂时无法兑换。您现在可以兑换：C001 5元无门槛券（50 积分）。');
    expect(w.reply(await w.say('wx-nobody', '积分'))).toBe(pb.texts.notMember);
    expect(runDoctor(w.db).ok).toBe(true);
  });

  it('credits a referrer once per newcomer (入会 CODE), and tells the referrer', async () => {
    const w = await world();
    await w.say('wx-host', '入会', { talkerName: '王姐' });
    const host = memberOf(w, 'wx-host');
    const invite = await w.say('wx-host', '邀请');
    expect(w.reply(invite)).toBe(`您的邀请码：${host.referralCode}。好友添加我后回复"入会 ${host.referralCode}"，您即可获得 100 积分。`);

    const j1 = await w.say('wx-friend', `入会 ${host.referralCode.toLowerCase()}`, { talkerName: '小周' });
    expect(w.reply(j1)).toContain('已记录您的邀请人王姐');
    const again = await w.say('wx-friend', `入会 ${host.referralCode}`);
    expect(w.reply(again)).toBe(`您已经是会员了：普卡，积分 0。回复"帮助"查看全部功能。\n${pb.texts.referralTooLate}`);
    const stranger = await w.say('wx-c', '入会 ZZZZ9999');
    expect(w.reply(stranger)).toContain('邀请码 ZZZZ9999 没有找到，已为您正常入会。');

    expect(memberOf(w, 'wx-host').points).toBe(100);
    expect(memberOf(w, 'wx-friend').referrerId).toBe(host.id);
    expect(
      w.db
        .select()
        .from(pointsLedger)
        .all()
        .map((l) => [l.memberId, l.reason, l.delta, l.ref]),
    ).toEqual([[host.id, 'referral', 100, `referral:${memberOf(w, 'wx-friend').id}`]]);
    const care = w.rows('care:referral:');
    expect(care.map((r) => [r.targetId, r.purpose, JSON.parse(r.content).text])).toEqual([['wx-host', 'care', '王姐，您邀请的好友小周已入会，100 积分已到账，当前积分 100。']]);
  });

  it('sets a solar or a lunar birthday', async () => {
    const w = await world();
    await w.say('wx-d', '入会');
    expect(w.reply(await w.say('wx-d', '生日 1990-05-20'))).toBe('已记录您的生日：1990-05-20。生日当天有礼送上！');
    expect(memberOf(w, 'wx-d')).toMatchObject({ birthdayKind: 'solar', birthMonth: 5, birthDay: 20, birthYear: 1990 });
    expect(w.reply(await w.say('wx-d', '农历生日 五月初八'))).toBe('已记录您的生日：农历五月初八。生日当天有礼送上！');
    expect(memberOf(w, 'wx-d')).toMatchObject({ birthdayKind: 'lunar', birthMonth: 5, birthDay: 8, birthYear: null });
    expect(w.reply(await w.say('wx-d', '生日 2月30日'))).toBe('没有看懂这个日期"2月30日"。请回复如"生日 1990-05-20"或"农历生日 五月初八"。');
  });

  it('refuses a birthday in the future politely and keeps the one on record', async () => {
    const w = await world(); // today is 2026-11-25 in Shanghai
    await w.say('wx-d2', '入会');
    await w.say('wx-d2', '生日 1990-05-20');
    expect(w.reply(await w.say('wx-d2', '生日 2030-01-01'))).toBe('"2030-01-01"还没有到呢，生日应是今天或以前的日期。请回复如"生日 1990-05-20"或"农历生日 五月初八"。');
    expect(w.reply(await w.say('wx-d2', '生日 2026-11-26'))).toMatch(/^"2026-11-26"还没有到呢/u);
    expect(memberOf(w, 'wx-d2')).toMatchObject({ birthYear: 1990, birthMonth: 5, birthDay: 20 });
    expect(w.reply(await w.say('wx-d2', '生日 2026-11-25'))).toMatch(/^已记录您的生日/u);
  });

  it('退订 stops marketing to the member (the sender skips a campaign) while replies still go; 订阅 resumes', async () => {
    const w = await world();
    await w.say('wx-e', '入会');
    const td = await w.say('wx-e', 'TD');
    expect(w.reply(td)).toBe(pb.texts.optedOut);
    expect(w.db.select().from(optOuts).all()).toEqual([expect.objectContaining({ contactId: 'wx-e', source: 'member-command' })]);
    expect(memberOf(w, 'wx-e').optedOutAt).toBe(w.clock.now().getTime());
    const campaign = await w.outbox.enqueue({
      key: 'campaign:member-day:wx-e',
      target: { kind: 'contact', id: 'wx-e' },
      content: { kind: 'text', text: '会员日' },
      purpose: 'campaign',
    });
    const pts = await w.say('wx-e', '积分');
    const reply = w.rows(`reply:${pts}`)[0]!;
    w.sender.start(true);
    expect(await w.settled(campaign.id, ['sent', 'skipped'])).toMatchObject({ status: 'skipped' });
    expect(await w.settled(reply.id, ['sent', 'skipped'])).toMatchObject({ status: 'sent' });
    expect(w.reply(await w.say('wx-e', '订阅'))).toBe(pb.texts.optedIn);
    expect(w.db.select().from(optOuts).all()).toEqual([]);
    expect(memberOf(w, 'wx-e').optedOutAt).toBeNull();
  });

  it('answers unknown private text with one hint per local day, and leaves group chatter alone', async () => {
    const w = await world(new ManualClock(zonedTime(2026, 11, 25, 23, 50, SH)));
    await w.say('wx-f', '你好');
    await w.say('wx-f', '在吗');
    expect(w.rows('help-hint:').map((r) => r.key)).toEqual(['help-hint:wx-f:2026-11-25']);
    w.clock.advance(20 * 60_000); // 00:10 local, still 2026-11-25 in UTC
    await w.say('wx-f', '在吗');
    expect(w.rows('help-hint:').map((r) => r.key)).toEqual(['help-hint:wx-f:2026-11-25', 'help-hint:wx-f:2026-11-26']);
    await w.say('wx-h', '5');
    await w.say('wx-h', '4分');
    expect(w.rows('help-hint:wx-h'), 'a bare rating (a satisfaction reply) gets no hint').toEqual([]);
    const room = { roomId: 'hz01-a@chatroom', roomTopic: '宝妈群' };
    await w.say('wx-g', '积分', room);
    await w.say('wx-g', '大家好', { ...room, mentionSelf: true });
    expect(w.rows('reply:')).toEqual([]);
    expect(w.rows('help-hint:wx-g')).toEqual([]);
    const asked = await w.say('wx-g', '@湖滨店小思\u2005帮助', { ...room, mentionSelf: true });
    expect(w.rows(`reply:${asked}`).map((r) => [r.targetKind, r.targetId, JSON.parse(r.content)])).toEqual([
      ['room', 'hz01-a@chatroom', { kind: 'text', text: pb.texts.help, mentionIds: ['wx-g'] }],
    ]);
  });

  it('records member activity from any message of a linked member', async () => {
    const w = await world();
    await w.say('wx-h', '入会');
    w.clock.advance(3_600_000);
    await w.say('wx-h', '群里聊天', { roomId: 'r@chatroom', roomTopic: 'g' });
    expect(memberOf(w, 'wx-h').lastActiveAt).toBe(w.clock.now().getTime());
  });
});

describe('members: private answers stay private', () => {
  const room = { roomId: 'hz01-a@chatroom', roomTopic: '宝妈群', mentionSelf: true };
  const befriend = (w: MembersWorld, contactId: string) =>
    w.db
      .insert(friends)
      .values({
        contactId,
        account: 'main',
        channel: 'qrcode',
        firstAddedAt: 0,
        lastAddedAt: 0,
        updatedAt: 0,
      })
      .run();
  const sentFor = (w: MembersWorld, id: string) =>
    w.rows(`reply:${id}`).map((r) => [r.targetKind, r.targetId, JSON.parse(r.content) as { text: string; mentionIds?: string[] }] as const);

  it('@bot 积分 in a group: the figures go privately, the group sees only "已私信您" with the member\'s @name', async () => {
    const w = await world();
    await w.say('wx-p', '入会', { talkerName: '周女士' });
    befriend(w, 'wx-p');
    creditOrder(w.db, pb, order('P1', memberOf(w, 'wx-p').id, 128_000, w.clock.now().getTime()), w.clock.now().getTime());
    const asked = await w.say('wx-p', '@湖滨店小思\u2005积分', room);
    const sent = sentFor(w, asked);
    expect(sent).toHaveLength(2);
    const priv = sent.find(([kind]) => kind === 'contact')!;
    expect(priv[1]).toBe('wx-p');
    expect(priv[2].text).toMatch(/^周女士，您的积分：128/);
    const ack = sent.find(([kind]) => kind === 'room')!;
    expect(ack[1]).toBe('hz01-a@chatroom');
    expect(ack[2]).toEqual({ kind: 'text', text: '已私信您', mentionIds: ['wx-p'] });
    for (const cmd of ['我的券', '邀请', '兑换 C001']) {
      const id = await w.say('wx-p', `@湖滨店小思\u2005${cmd}`, room);
      const rows = sentFor(w, id);
      expect(
        rows.filter(([kind]) => kind === 'room').map(([, , c]) => c.text),
        cmd,
      ).toEqual(['已私信您']);
      expect(rows.filter(([kind]) => kind === 'contact').length, cmd).toBeGreaterThan(0);
    }
    // Help is not about the member: answered where asked.
    const help = await w.say('wx-p', '@湖滨店小思\u2005帮助', room);
    expect(sentFor(w, help).map(([kind]) => kind)).toEqual(['room']);
  });

  it('a member the bot cannot write to privately gets no figures in the group, only how to get them', async () => {
    const w = await world();
    insertMember(w.db, { contactId: 'wx-q', name: '吴先生', points: 500 });
    const asked = await w.say('wx-q', '@湖滨店小思\u2005积分', room);
    const sent = sentFor(w, asked);
    expect(sent).toEqual([['room', 'hz01-a@chatroom', { kind: 'text', text: pb.texts.privateUnreachable.replace('{command}', '积分'), mentionIds: ['wx-q'] }]]);
    expect(JSON.stringify(sent)).not.toContain('500');
  });

  it("a member one of the brand's accounts reaches (account_reach) is answered privately, though they never wrote privately", async () => {
    const w = await world();
    insertMember(w.db, { contactId: 'wx-r', name: '许女士', points: 300 });
    w.db.insert(accountReach).values({ account: 'hq', targetKind: 'contact', targetId: 'wx-r', seenAt: 1 }).run();
    const asked = await w.say('wx-r', '@湖滨店小思\u2005积分', room);
    expect(
      sentFor(w, asked)
        .map(([kind]) => kind)
        .sort(),
    ).toEqual(['contact', 'room']);
  });

  it('privacy.groupAnswers: group answers in the group, as asked', async () => {
    const open = parseMembershipPlaybook(readFileSync('sop/membership.yaml', 'utf8').replace('groupAnswers: private', 'groupAnswers: group'), 'sop/membership.yaml');
    const w = await world(undefined, open);
    await w.say('wx-r', '入会', { talkerName: '郑女士' });
    befriend(w, 'wx-r');
    const asked = await w.say('wx-r', '@湖滨店小思\u2005积分', room);
    expect(sentFor(w, asked).map(([kind, target, c]) => [kind, target, c.text.slice(0, 9)])).toEqual([['room', 'hz01-a@chatroom', '郑女士，您的积分：']]);
  });
});

describe('members: coupons used on imported orders', () => {
  it('marks the coupon of an order row used: 我的券 and 积分 stop listing it; bad coupon cells are bad rows', async () => {
    const w = await world();
    const now = w.clock.now().getTime();
    const hour = 3_600_000;
    insertMember(w.db, { contactId: 'wx-a', name: '周敏', phone: '13800000011', points: 0 });
    insertMember(w.db, { contactId: 'wx-b', name: '吴倩', phone: '13800000012', points: 0 });
    await w.say('wx-a', '入会');
    await w.say('wx-b', '入会');
    const a = memberOf(w, 'wx-a');
    const giftOf = (memberId: number) =>
      w.db
        .select()
        .from(coupons)
        .where(eq(coupons.ref, `gift:new-member:${memberId}`))
        .get()!;
    const giftA = giftOf(a.id);
    w.db
      .update(coupons)
      .set({ expiresAt: now + 3 * 24 * hour })
      .where(eq(coupons.code, giftA.code))
      .run(); // soon: 积分 would mention it
    const giftB = giftOf(memberOf(w, 'wx-b').id);
    // A coupon of A that is already past its validity.
    creditOrder(w.db, pb, order('SEED', a.id, 100_000, now - 2 * hour), now);
    await w.say('wx-a', '兑换 C001');
    const old = w.db.select().from(coupons).where(eq(coupons.rewardCode, 'C001')).get()!;
    w.db
      .update(coupons)
      .set({ expiresAt: now - 2 * hour })
      .where(eq(coupons.code, old.code))
      .run();
    await w.say('wx-a', '兑换 C001');
    const fresh = w.db
      .select()
      .from(coupons)
      .where(sql`${coupons.rewardCode} = 'C001' and ${coupons.code} <> ${old.code}`)
      .get()!;
    w.clock.advance(hour);
    const at = (ms: number) => new Date(ms + 8 * hour).toISOString().slice(0, 19).replace('T', ' '); // Shanghai wall clock
    const file = (name: string, rows: string[]) => {
      const f = path.join(tmp.dir, name);
      writeFileSync(f, ['订单号,手机号,实付金额,下单时间,券码', ...rows].join('\n'));
      return f;
    };
    const importOrders = (f: string) => runImport(w.db, { kind: 'orders', file: f, timeZone: SH, now: w.clock.now(), playbook: pb });

    expect(w.reply(await w.say('wx-a', '积分'))).toMatch(/1 张券将在 7 天内过期/);
    const good = file('good.csv', [`P-1,13800000011,199.00,${at(now + hour / 2)},${giftA.code.toLowerCase()}`]);
    const first = await importOrders(good);
    expect(first.issues).toEqual([]);
    expect(first).toMatchObject({ created: 1, bad: 0, applied: true });
    expect(first.notes).toContain('coupons marked used: 1');
    expect(giftOf(a.id)).toMatchObject({ status: 'used', usedAt: now + hour / 2, usedOrderId: 'P-1' });
    expect(await importOrders(good)).toMatchObject({ created: 0, unchanged: 1, bad: 0 });

    const mine = await w.say('wx-a', '我的券');
    expect(w.reply(mine)).toMatch(/^您的优惠券：\n5元无门槛券 券码 \w+，2026-12-25 前有效$/);
    const points = await w.say('wx-a', '积分');
    expect(w.reply(points)).not.toMatch(/张券将在 7 天内过期/);

    const bad = await importOrders(
      file('bad.csv', [
        `P-2,13800000011,10,${at(now + hour / 2)},ZZZZZZZZZZZZ`,
        `P-3,13800000011,10,${at(now + hour / 2)},${giftB.code}`,
        `P-4,13800000011,10,${at(now + hour / 2)},${giftA.code}`,
        `P-5,13800000011,10,${at(now + hour / 2)},${old.code}`,
        `P-1,13800000011,199.00,${at(now + hour / 2)},${fresh.code}`,
      ]),
    );
    expect(bad).toMatchObject({ created: 0, bad: 5, applied: false });
    expect(bad.issues.map((i) => [i.row, i.column, i.why.replace(/\(.*\)/, '(…)')])).toEqual([
      [2, '券码', 'is not a coupon code in the store: only coupons the bot issued can be marked used'],
      [3, '券码', 'belongs to another member (…), not to the member of this order'],
      [4, '券码', 'was already used on order P-1: a coupon is used once'],
      [5, '券码', 'had expired when the order was placed (…)'],
      [6, '券码', 'is not the coupon order P-1 was imported with: an imported order is never changed'],
    ]);
    expect(giftOf(memberOf(w, 'wx-b').id).status).toBe('issued');
    expect(runDoctor(w.db)).toEqual({ ok: true, problems: [] });
  });
});

describe('members: consistency under concurrency', () => {
  it('100 concurrent 兑换 from a member whose points cover 3 give exactly 3 coupons and never a negative balance', async () => {
    const w = await world();
    const now = w.clock.now().getTime();
    await w.say('wx-rush', '入会');
    const id = memberOf(w, 'wx-rush').id;
    creditOrder(w.db, pb, order('RUSH', id, 150_000 + 999, now), now); // 150 points = 3 × C001
    const ids = await Promise.all(Array.from({ length: 100 }, () => w.say('wx-rush', '兑换 C001')));
    const issued = w.db.select().from(coupons).where(eq(coupons.rewardCode, 'C001')).all();
    expect(issued).toHaveLength(3);
    const m = memberOf(w, 'wx-rush');
    expect(m.points).toBe(0);
    const sum = w.db
      .select({ s: sql<number>`sum(${pointsLedger.delta})` })
      .from(pointsLedger)
      .where(eq(pointsLedger.memberId, id))
      .get()!.s;
    expect(sum).toBe(m.points);
    expect(
      w.db
        .select({ min: sql<number>`min(${pointsLedger.balanceAfter})` })
        .from(pointsLedger)
        .get()!.min,
    ).toBeGreaterThanOrEqual(0);
    const replies = ids.map((i) => w.reply(i)!);
    expect(replies.filter((r) => r.startsWith('兑换成功'))).toHaveLength(3);
    expect(replies.filter((r) => r.startsWith('积分不足'))).toHaveLength(97);
    expect(runDoctor(w.db)).toEqual({ ok: true, problems: [] });
  });

  it('4 processes redeeming 25 times each on one store file issue exactly 3 coupons', async () => {
    const file = path.join(tmp.dir, 'multi-process.sqlite');
    const db = openDb(file);
    new MembersRepo(db).syncRewards(pb.rewards, 0);
    const id = insertMember(db, { contactId: 'wx-multi' });
    creditOrder(db, pb, order('MP', id, 150_000, Date.now()), Date.now());
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', 'test/support/redeem-worker.ts', ...args], (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
    const outputs = await Promise.all([1, 2, 3, 4].map((p) => run([file, String(id), 'C001', '25', `p${p}`])));
    const counts = outputs.map((o) => JSON.parse(o) as { ok: number; refused: number });
    expect(counts.reduce((n, c) => n + c.ok, 0)).toBe(3);
    expect(counts.reduce((n, c) => n + c.refused, 0)).toBe(97);
    expect(db.select().from(coupons).all()).toHaveLength(3);
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
    closeDb(db);
  });
});
