import { describe, expect, it } from 'vitest';
import { localDate, zonedTime } from '../core/time.js';
import { estimateCapacity } from './capacity.rules.js';
import { renderCard } from './card.rules.js';
import { loadGuidePlaybook, type ChatRule } from './playbook.js';
import { rankingText, statsByGuide, streak, summaryText, weekStart } from './progress.rules.js';
import {
  DAY_MS,
  birthdayWindow,
  isWorkingDay,
  matchChatRule,
  mergePicks,
  momentsFor,
  pickGroups,
  suggestionsAt,
  toPick,
  withSuggestions,
  type ChatPick,
  type MemberFacts,
  type RuleContext,
} from './selection.rules.js';

const SH = 'Asia/Shanghai';
const pb = loadGuidePlaybook('sop/guide-daily.yaml');
const now = zonedTime(2026, 11, 25, 9, 30, SH).getTime(); // a Wednesday
const ctx: RuleContext = { now, today: '2026-11-25', localDateOf: (at) => localDate(new Date(at), SH) };
const rule = <K extends ChatRule['rule']>(k: K) => pb.chats.rules.find((r) => r.rule === k) as Extract<ChatRule, { rule: K }> & { marketing: boolean };
const member = (over: Partial<MemberFacts> = {}): MemberFacts => ({
  id: 1,
  guideCode: 'G1',
  name: '张丽娜',
  phone: '13800000001',
  birthdayKind: null,
  birthMonth: null,
  birthDay: null,
  lastActiveAt: now - DAY_MS,
  lastPurchaseAt: null,
  growth: 0,
  optedOutAt: null,
  ...over,
});
const reason = (m: MemberFacts, k: ChatRule['rule'], c: RuleContext = ctx) => {
  const r = rule(k);
  const hit = matchChatRule(m, r, c);
  return hit ? toPick(m, r, hit).reason : null;
};

describe('who to chat with: each rule, with the reason on the card', () => {
  it('birthday within 7 days, solar and lunar, with the date it falls on', () => {
    expect(reason(member({ birthdayKind: 'solar', birthMonth: 11, birthDay: 25 }), 'birthday')).toBe('生日 11-25');
    expect(reason(member({ birthdayKind: 'solar', birthMonth: 12, birthDay: 2 }), 'birthday')).toBe('生日 12-02');
    expect(reason(member({ birthdayKind: 'solar', birthMonth: 12, birthDay: 3 }), 'birthday')).toBeNull();
    // 2026-11-25 is lunar 10/16 (十月十六)
    const lunar = [...birthdayWindow('2026-11-25', 0).keys()].find((k) => k.startsWith('lunar'))!;
    const [, m, d] = lunar.split(':').map(Number);
    expect(reason(member({ birthdayKind: 'lunar', birthMonth: m!, birthDay: d! }), 'birthday')).toBe('生日 11-25');
  });

  it('silent 21–29 days, in weeks', () => {
    expect(reason(member({ lastActiveAt: now - 21 * DAY_MS }), 'silent')).toBe('3 周未互动');
    expect(reason(member({ lastActiveAt: now - 29 * DAY_MS - 1000 }), 'silent')).toBe('4 周未互动');
    expect(reason(member({ lastActiveAt: now - 20 * DAY_MS }), 'silent')).toBeNull();
    expect(reason(member({ lastActiveAt: now - 30 * DAY_MS }), 'silent')).toBeNull();
  });

  it('bought in the last 3 days, by local date: 昨天购买', () => {
    const lastNight = zonedTime(2026, 11, 24, 23, 50, SH).getTime();
    expect(reason(member({ lastPurchaseAt: lastNight }), 'recent-purchase')).toBe('昨天购买，售后关怀');
    expect(reason(member({ lastPurchaseAt: now - 60_000 }), 'recent-purchase')).toBe('今天购买，售后关怀');
    expect(reason(member({ lastPurchaseAt: zonedTime(2026, 11, 22, 12, 0, SH).getTime() }), 'recent-purchase')).toBeNull();
  });

  it('high value not contacted for 14 days, nor named to the guide within them', () => {
    const vip = member({ growth: 6000, lastActiveAt: now - 15 * DAY_MS });
    expect(reason(vip, 'high-value')).toBe('高价值会员，15 天未联系');
    expect(reason({ ...vip, lastActiveAt: now - 3 * DAY_MS }, 'high-value')).toBeNull();
    expect(reason(vip, 'high-value', { ...ctx, pickedSince: () => true })).toBeNull();
    expect(reason({ ...vip, growth: 2999 }, 'high-value')).toBeNull();
  });

  it('an open question within 48 h, with a short excerpt', () => {
    expect(reason(member({ questionAt: now - 3_600_000, questionText: '请问这款奶粉几段适合一岁宝宝？' }), 'open-question')).toBe('有提问未回复');
    expect(reason(member({ questionAt: now - 49 * 3_600_000, questionText: '在吗' }), 'open-question')).toBeNull();
  });

  it('opted-out members are skipped for marketing talk, not for service', () => {
    const out = { optedOutAt: now - DAY_MS };
    expect(reason(member({ ...out, birthdayKind: 'solar', birthMonth: 11, birthDay: 26 }), 'birthday')).toBeNull();
    expect(reason(member({ ...out, lastActiveAt: now - 22 * DAY_MS }), 'silent')).toBeNull();
    expect(reason(member({ ...out, lastPurchaseAt: now - DAY_MS }), 'recent-purchase')).toBe('昨天购买，售后关怀');
    expect(reason(member({ ...out, questionAt: now - 60_000, questionText: '在吗？' }), 'open-question')).toBe('有提问未回复');
  });

  it('keep-in-touch fills with members quiet the longest, short of the wake-up sequence (29 days)', () => {
    expect(reason(member({ lastActiveAt: now - 29 * DAY_MS }), 'keep-in-touch')).toBe('29 天未互动');
    expect(reason(member({ lastActiveAt: null }), 'keep-in-touch')).toBe('7+ 天未互动');
    // silence counts from joining when the member never wrote nor bought (core/activity.ts)
    expect(reason(member({ lastActiveAt: null, joinedAt: now - 10 * DAY_MS }), 'keep-in-touch')).toBe('10 天未互动');
    expect(reason(member({ lastActiveAt: now - 2 * DAY_MS }), 'keep-in-touch')).toBeNull();
    // silent 30+ days (or never active and joined 30+ days ago): the wake-up sequence's, not the card's
    expect(reason(member({ lastActiveAt: now - 30 * DAY_MS }), 'keep-in-touch')).toBeNull();
    expect(reason(member({ lastActiveAt: null, joinedAt: now - 40 * DAY_MS }), 'keep-in-touch')).toBeNull();
    expect(reason(member({ growth: 6000, lastActiveAt: now - 30 * DAY_MS }), 'high-value')).toBeNull();
  });

  it('silence is the one definition of activity: messages, purchases, else joining', () => {
    // joined 22 days ago and never wrote: three weeks silent, not "7+ days"
    expect(reason(member({ lastActiveAt: null, joinedAt: now - 22 * DAY_MS }), 'silent')).toBe('3 周未互动');
    // joined in May, never wrote, bought 28 days ago: on the card (the wake-up takes them from day 30)
    expect(reason(member({ lastActiveAt: null, lastPurchaseAt: now - 28 * DAY_MS, joinedAt: now - 200 * DAY_MS }), 'keep-in-touch')).toBe('28 天未互动');
    // a purchase 3 days ago after a long silence: not silent at all
    expect(reason(member({ lastActiveAt: now - 25 * DAY_MS, lastPurchaseAt: now - 3 * DAY_MS }), 'silent')).toBeNull();
  });
});

describe('merging rules into N picks', () => {
  const pick = (memberId: number, rule: ChatPick['rule'], rank: number): ChatPick => ({ memberId, name: `m${memberId}`, phoneTail: null, rule, reason: rule, rank });
  it('takes rules in priority order, best rank first, each member once, skipping recent picks', () => {
    const byRule = [
      [pick(5, 'birthday', 3), pick(2, 'birthday', 0)],
      [pick(2, 'silent', 1), pick(7, 'silent', 2), pick(9, 'silent', 1)],
    ];
    expect(mergePicks(byRule, 3).map((p) => [p.memberId, p.rule])).toEqual([
      [2, 'birthday'],
      [5, 'birthday'],
      [9, 'silent'],
    ]);
    expect(mergePicks(byRule, 3, new Set([5])).map((p) => p.memberId)).toEqual([2, 9, 7]);
    expect(mergePicks(byRule, 0)).toEqual([]);
  });
  it("puts other capabilities' suggestions (wake-up) after the rules about today and before the general ones, with their reason", () => {
    // Shipped order: birthday, open-question, recent-purchase, silent, high-value, keep-in-touch.
    expect(suggestionsAt(pb.chats.rules)).toBe(3);
    expect(suggestionsAt([{ rule: 'birthday' }])).toBe(1);
    const byRule: ChatPick[][] = pb.chats.rules.map(() => []);
    byRule[0] = [pick(5, 'birthday', 0)];
    byRule[3] = [pick(9, 'silent', 0)];
    byRule[5] = [pick(7, 'keep-in-touch', 0), pick(8, 'keep-in-touch', 1)];
    const wake = [
      { memberId: 8, name: '', phone: '13900001234', reason: '沉睡 62 天 · 第 2 轮唤醒 券码 W1', source: 'wake-up' },
      { memberId: 6, name: '周', phone: null, reason: '沉睡 31 天 · 第 1 轮唤醒', source: 'wake-up' },
    ];
    const picks = mergePicks(withSuggestions(byRule, suggestionsAt(pb.chats.rules), wake), 3);
    expect(picks.map((p) => [p.memberId, p.rule, p.reason, p.phoneTail, p.name])).toEqual([
      [5, 'birthday', 'birthday', null, 'm5'],
      [8, 'wake-up', '沉睡 62 天 · 第 2 轮唤醒 券码 W1', '1234', '会员'],
      [6, 'wake-up', '沉睡 31 天 · 第 1 轮唤醒', null, '周'],
    ]);
    // No suggestions: the lists are the rules' own.
    expect(mergePicks(withSuggestions(byRule, 3, []), 3).map((p) => p.memberId)).toEqual([5, 9, 7]);
  });
});

describe('which groups', () => {
  const groups = [
    { roomId: 'a@chatroom', name: 'A群', recent: 40, lastStaffPostAt: now - 3 * DAY_MS },
    { roomId: 'b@chatroom', name: 'B群', recent: 2, lastStaffPostAt: now - 3_600_000 },
    { roomId: 'c@chatroom', name: 'C群', recent: 2, lastStaffPostAt: null },
  ];
  it('quietest in 24 h first (longest since a staff post breaks ties)', () => {
    expect(pickGroups(groups, 2, pb, now)).toEqual([
      { roomId: 'c@chatroom', name: 'C群', reason: '24 小时 2 条消息' },
      { roomId: 'b@chatroom', name: 'B群', reason: '24 小时 2 条消息' },
    ]);
  });
  it('or longest since a staff post first', () => {
    const p = { groups: { ...pb.groups, prefer: 'longest-since-staff-post' as const } };
    expect(pickGroups(groups, 3, p, now).map((g) => g.reason)).toEqual(['还没有店员发过言', '3 天无店员发言', '0 天无店员发言']);
  });
});

describe('days and content', () => {
  it('working days come from the roster digits (weekends count), minus closed dates', () => {
    expect(isWorkingDay('0123456', '2026-11-29', [])).toBe(true); // Sunday
    expect(isWorkingDay('12345', '2026-11-29', [])).toBe(false);
    expect(isWorkingDay('0123456', '2026-11-25', ['2026-11-25'])).toBe(false);
  });
  it('Moments: the calendar day first, then the rotation, moving day by day', () => {
    const day = momentsFor('2026-11-25', 3, pb.calendar);
    expect(day.slice(0, 2).map((p) => p.text)).toEqual(pb.calendar.days['2026-11-25']!.map((p) => p.text));
    expect(day).toHaveLength(3);
    expect(momentsFor('2026-11-26', 3, pb.calendar)[0]).not.toEqual(momentsFor('2026-11-27', 3, pb.calendar)[0]);
  });
  it('the card is one message with numbers running across it', () => {
    const text = renderCard(
      {
        quotas: { moments: 1, chats: 2, groups: 1 },
        moments: [{ text: '早安', images: [] }],
        chats: [{ memberId: 1, name: '张丽娜', phoneTail: '0001', rule: 'birthday', reason: '生日 11-25' }],
        groups: [{ roomId: 'a@chatroom', name: '宝妈1群', reason: '24 小时 0 条消息' }],
      },
      '王晓燕',
      '2026-11-25',
      pb.texts,
    );
    expect(text).toBe(
      [
        '【今日 3+3+3】11月25日 周三 · 王晓燕',
        '▸ 朋友圈 1 项',
        '1. 早安',
        '▸ 私聊 2 项',
        '2. 张丽娜（尾号0001） · 生日 11-25',
        '3. 自选一位老顾客',
        '▸ 社群 1 项',
        '4. 宝妈1群 · 24 小时 0 条消息',
        '打卡回复：朋友圈 1 / 私聊 1 / 群 完成 / 或编号 2 4；全部完成；我的进度',
      ].join('\n'),
    );
  });
});

describe('progress over days', () => {
  const rec = (date: string, done: number, guideCode = 'G1') => ({ date, guideCode, done, total: 9 });
  it('streaks skip days off and an unfinished today', () => {
    const rows = [rec('2026-11-20', 9), rec('2026-11-22', 9), rec('2026-11-23', 4), rec('2026-11-24', 9), rec('2026-11-25', 3)];
    expect(streak(rows, '2026-11-25')).toBe(1);
    expect(streak([...rows.slice(0, 2), rec('2026-11-24', 9)], '2026-11-24')).toBe(3);
  });
  it('the week ends on the ranking weekday', () => {
    expect(weekStart('2026-11-25', 0)).toBe('2026-11-23'); // Monday of a week ending Sunday
    expect(weekStart('2026-11-29', 0)).toBe('2026-11-23');
    expect(weekStart('2026-11-30', 0)).toBe('2026-11-30');
  });
  it('summary and ranking texts match the records', () => {
    expect(
      summaryText(
        {
          storeName: '湖滨店',
          date: '2026-11-25',
          guides: [
            { name: '王晓燕', done: 9, total: 9 },
            { name: '李静', done: 4, total: 9 },
          ],
          off: ['孙佳怡'],
        },
        pb.texts,
      ),
    ).toBe('【湖滨店 11月25日 3+3+3】完成率 72%（13/18）\n✅ 已完成：王晓燕 9/9\n⏳ 未完成：李静 4/9\n💤 休息：孙佳怡');
    const stats = statsByGuide([rec('2026-11-24', 9), rec('2026-11-25', 9), rec('2026-11-24', 9, 'G2'), rec('2026-11-25', 0, 'G2')], '2026-11-23', '2026-11-29');
    const text = rankingText(
      {
        storeName: '湖滨店',
        from: '2026-11-23',
        to: '2026-11-29',
        guides: [
          { ...stats.get('G2')!, name: '李静' },
          { ...stats.get('G1')!, name: '王晓燕' },
        ],
      },
      pb.texts,
    );
    expect(text).toBe('【湖滨店 3+3+3 周排行 11月23日–11月29日】\n1. 王晓燕 完成率 100% · 连续 2 天 · 完成 2/2 天\n2. 李静 完成率 50% · 连续 0 天 · 完成 1/2 天\n门店完成率 75%');
  });
});

describe('capacity honesty', () => {
  it('10,000 cards at 20/min (19 for the paced lane, one slot kept for replies) take 527 min: the last at 18:17 misses 11:30, and says how to scale', () => {
    const e = estimateCapacity({ cards: 10_000, ratePerMinute: 20, gapMinMs: 1000, gapMaxMs: 3000, cardTime: '09:30', cardsBy: '11:30' });
    expect(e).toMatchObject({ perMinute: 19, minutesNeeded: 527, lastCardAt: '18:17', ok: false });
    expect(e.message).toMatch(/sending accounts/);
  });
  it('the send gaps can be slower than the budget; a small roster fits', () => {
    expect(estimateCapacity({ cards: 100, ratePerMinute: 40, gapMinMs: 2000, gapMaxMs: 4000, cardTime: '09:30', cardsBy: '11:30' })).toMatchObject({
      perMinute: 20,
      minutesNeeded: 5,
      lastCardAt: '09:35',
      ok: true,
    });
    expect(estimateCapacity({ cards: 100, ratePerMinute: 0, gapMinMs: 0, gapMaxMs: 0, cardTime: '09:30', cardsBy: '09:30' })).toMatchObject({ perMinute: null, ok: true });
    // each card followed by 3 Moments images: four times the messages
    expect(estimateCapacity({ cards: 100, imagesPerCard: 3, ratePerMinute: 20, gapMinMs: 1000, gapMaxMs: 3000, cardTime: '09:30', cardsBy: '11:30' })).toMatchObject({
      minutesNeeded: 22,
      lastCardAt: '09:52',
      ok: true,
      message: expect.stringContaining('100 guide cards (each followed by 3 images)'),
    });
  });
});
