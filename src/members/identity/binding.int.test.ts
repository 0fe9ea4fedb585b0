import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushAll } from '../../../test/support/redis.js';
import { useTestRedis } from '../../../test/support/redis-fixture.js';
import { tempDir } from '../../../test/support/harness.js';
import { membersWorld, type MembersWorld } from '../../../test/support/members.js';
import { staff } from '../../platform/db/schema.js';
import { creditOrder } from '../ledger.js';
import { parseMembershipPlaybook, type MembershipPlaybook } from '../playbook.js';
import { insertMember, insertStore, shippedPlaybook } from '../testing.js';
import { readFileSync } from 'node:fs';

const pb = shippedPlaybook();
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: MembersWorld[] = [];

beforeAll(async () => {
  tmp = tempDir('siyu-binding-');
});
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
  await flushAll(redis.url);
});
afterAll(async () => {
  tmp.remove();
});

/**
 * A store with its guide and manager (both with WeChat contacts) and 张丽娜, imported by phone with a
 * birthday (05-20) and an order worth 128 points, not linked to any contact.
 */
async function store(playbook?: MembershipPlaybook) {
  const w = await membersWorld({ redisUrl: redis.url, dir: tmp.dir, playbook });
  open.push(w);
  const now = w.clock.now().getTime();
  insertStore(w.db);
  w.db
    .insert(staff)
    .values([
      { code: 'G1', name: '王晓燕', role: 'guide', storeCode: 'HZ01', contactId: 'wx-guide', createdAt: now, updatedAt: now },
      { code: 'M1', name: '陈建华', role: 'store-manager', storeCode: 'HZ01', contactId: 'wx-manager', createdAt: now, updatedAt: now },
    ])
    .run();
  const id = insertMember(w.db, { name: '张丽娜', phone: '13800000001', storeCode: 'HZ01', guideCode: 'G1', birthdayKind: 'solar', birthMonth: 5, birthDay: 20 }, now);
  creditOrder(w.db, pb, { orderId: 'POS-1', memberId: id, amountFen: 128_000, orderedAt: now - 86_400_000, storeCode: 'HZ01' }, now);
  const count = () => w.db.$client.prepare('select count(*) from members').pluck().get() as number;
  const contactOf = () => w.db.$client.prepare('select contact_id from members where id = ?').pluck().get(id) as string | null;
  const to = (contactId: string) =>
    w
      .rows('bind:')
      .filter((r) => r.targetId === contactId)
      .map((r) => (JSON.parse(r.content) as { text: string }).text);
  return { w, id, count, contactOf, to };
}

describe('binding a contact to an imported member in chat', () => {
  it('入会 → phone → birthday on record → bound; the reply shows the imported points; no second record', async () => {
    const { w, id, count, contactOf } = await store();
    const before = count();
    const join = await w.say('wx-zhang', '入会', { talkerName: '丽娜' });
    expect(w.reply(join)).toBe('为找到您在门店登记的会员资料，请回复您的手机号（11 位）。从未登记过？回复"跳过"直接入会。');
    const phone = await w.say('wx-zhang', '138 0000 0001');
    expect(w.reply(phone)).toBe('找到了尾号0001的会员资料。为确认是您本人，请回复登记的生日（月-日，如 05-20）。');
    const fact = await w.say('wx-zhang', '5月20日');
    expect(w.reply(fact, 'bound')).toBe('已为您绑定会员（尾号0001），积分、等级和优惠券都已同步。');
    expect(w.reply(fact)).toMatch(/^欢迎加入会员，张丽娜！您现在是普卡，积分 128。/);
    expect(contactOf()).toBe('wx-zhang');
    const points = await w.say('wx-zhang', '积分');
    expect(w.reply(points)).toMatch(/^张丽娜，您的积分：128/);
    expect(count()).toBe(before);
    expect(id).toBeGreaterThan(0);
  });

  it('someone who only knows the phone is not bound: three wrong answers, refused, the store manager is told', async () => {
    const { w, contactOf, to } = await store();
    await w.say('wx-other', '积分');
    await w.say('wx-other', '13800000001');
    const wrong1 = await w.say('wx-other', '01-01');
    expect(w.reply(wrong1)).toBe('与登记的资料不一致，还可以再试 2 次。');
    await w.say('wx-other', '张');
    const last = await w.say('wx-other', '12-31');
    expect(w.reply(last)).toBe('暂时无法确认是您本人，已请门店工作人员协助，请稍候。');
    expect(contactOf()).toBeNull();
    expect(to('wx-manager')).toEqual(['会员绑定提醒：微信「会员wx-other」用尾号0001的手机号申请绑定会员张丽娜：身份验证未通过。请核实后联系会员。']);
    // No second round for this contact for binding.lockHours; anyone else asking for 张丽娜's record
    // (another account of the same person, or of the same guesser) no longer gets a fact to guess: her guide decides.
    const again = await w.say('wx-other', '积分');
    expect(w.reply(again)).toBe('暂时无法确认是您本人，已请门店工作人员协助，请稍候。');
    await w.say('wx-third', '入会', { talkerName: '第三人' });
    const third = await w.say('wx-third', '13800000001', { talkerName: '第三人' });
    expect(w.reply(third)).toBe('已请您的专属导购确认，确认后会通知您。');
    expect(to('wx-guide')).toEqual([expect.stringContaining('申请绑定微信「第三人」')]);
    expect(to('wx-manager')).toHaveLength(1);
    // A day later the lock is over: the questions start again.
    w.clock.advance(24 * 3_600_000 + 1);
    const later = await w.say('wx-other', '积分');
    expect(w.reply(later)).toMatch(/^为找到您在门店登记的会员资料/);
    expect(contactOf()).toBeNull();
  });

  it('a phone already bound to another contact is refused politely and the store manager is told', async () => {
    const { w, id, to } = await store();
    w.db.$client.prepare("update members set contact_id = 'wx-zhang' where id = ?").run(id);
    insertMember(w.db, { name: '李娜', phone: '13800000002' }, 0); // someone still to find, so the bot asks
    await w.say('wx-stranger', '入会');
    const r = await w.say('wx-stranger', '13800000001');
    expect(w.reply(r)).toBe('这个手机号已绑定其他微信。如需更换，我们已通知门店店长，稍后会联系您。');
    expect(to('wx-manager')).toEqual([expect.stringContaining('该手机号已绑定其他微信')]);
  });

  it('a phone with no member record: 入会 makes a new member with that phone, as before', async () => {
    const { w } = await store();
    await w.say('wx-new', '入会', { talkerName: '新朋友' });
    const r = await w.say('wx-new', '13900000009', { talkerName: '新朋友' });
    expect(w.reply(r)).toMatch(/^欢迎加入会员，新朋友！/);
    expect(w.db.$client.prepare("select phone from members where contact_id = 'wx-new'").pluck().get()).toBe('13900000009');
  });

  it('跳过: a new member without a phone; a contact writing 积分 with an unknown phone is told how to join', async () => {
    const { w } = await store();
    await w.say('wx-skip', '入会', { talkerName: '跳过君' });
    expect(w.reply(await w.say('wx-skip', '跳过', { talkerName: '跳过君' }))).toMatch(/^欢迎加入会员，跳过君！/);
    await w.say('wx-ask', '积分');
    expect(w.reply(await w.say('wx-ask', '13900000008'))).toBe('没有找到这个手机号的会员资料，回复"入会"即可免费加入。');
  });

  it("a phone in the contact's remark binds at once, without questions", async () => {
    const { w, contactOf } = await store();
    const id = await w.say('wx-zhang', '积分', { talkerAlias: '张丽娜 138-0000-0001' });
    expect(w.reply(id, 'bound')).toBe('已为您绑定会员（尾号0001），积分、等级和优惠券都已同步。');
    expect(w.reply(id)).toMatch(/^张丽娜，您的积分：128/);
    expect(contactOf()).toBe('wx-zhang');
  });

  it('a phone the provider reports binds at once; two members matched ask instead', async () => {
    const { w, contactOf } = await store();
    insertMember(w.db, { name: '李娜', phone: '13800000002' }, 0);
    const two = await w.say('wx-zhang', '积分', { talkerPhones: ['13800000001', '13800000002'] });
    expect(w.reply(two)).toMatch(/^为找到您在门店登记的会员资料/);
    expect(contactOf()).toBeNull();
    const { w: w2, contactOf: contactOf2 } = await store();
    const one = await w2.say('wx-zhang', '我的券', { talkerPhones: ['+86 13800000001'] });
    expect(w2.reply(one, 'bound')).toMatch(/^已为您绑定会员/);
    expect(contactOf2()).toBe('wx-zhang');
  });

  it('verify: guide holds the binding; the guide confirms with 确认绑定 N and the member gets the answer', async () => {
    const yaml = readFileSync('sop/membership.yaml', 'utf8').replace('  verify: fact\n', '  verify: guide\n');
    const { w, id, contactOf, to } = await store(parseMembershipPlaybook(yaml, 'membership.yaml'));
    await w.say('wx-zhang', '积分', { talkerName: '丽娜' });
    const held = await w.say('wx-zhang', '13800000001');
    expect(w.reply(held)).toBe('已请您的专属导购确认，确认后会通知您。');
    expect(to('wx-guide')).toEqual([`会员张丽娜（尾号0001）申请绑定微信「丽娜」。是本人请回复：确认绑定 ${id}；不是请回复：拒绝绑定 ${id}`]);
    // Another contact cannot confirm it, nor a guide of another member.
    await w.say('wx-zhang', `确认绑定 ${id}`);
    expect(contactOf()).toBeNull();

    const ok = await w.say('wx-guide', `确认绑定 ${id}`);
    expect(w.reply(ok)).toBe('已处理：会员张丽娜 · 微信「丽娜」。');
    expect(contactOf()).toBe('wx-zhang');
    const forMember = w.rows(`bind-decided:${ok}`).map((r) => [r.targetId, (JSON.parse(r.content) as { text: string }).text]);
    expect(forMember).toEqual([
      ['wx-zhang', '已为您绑定会员（尾号0001），积分、等级和优惠券都已同步。'],
      ['wx-zhang', expect.stringMatching(/^张丽娜，您的积分：128/)],
    ]);
  });

  it('nobody left to find by phone: 入会 joins at once, as before', async () => {
    const { w, id } = await store();
    w.db.$client.prepare("update members set contact_id = 'wx-zhang' where id = ?").run(id);
    const r = await w.say('wx-fresh', '入会', { talkerName: '新人' });
    expect(w.reply(r)).toMatch(/^欢迎加入会员，新人！/);
  });
});
