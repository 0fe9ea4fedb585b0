import { describe, expect, it } from 'vitest';
import { birthdayText, couponsReply, displayName, lunarDayName, pointsReply, redeemMenuReply } from './members.replies.js';
import { shippedPlaybook } from './testing.js';

const pb = shippedPlaybook();
const now = Date.parse('2026-11-25T04:00:00Z');
const day = 86_400_000;

describe('member replies', () => {
  it('积分 shows balance, tier, growth to the next tier and coupons about to expire', () => {
    const m = { name: '王女士', tier: 'regular', growth: 1200, points: 120, referralCode: 'X' };
    const coupons = [
      { code: 'A', rewardName: '5元券', expiresAt: now + 2 * day },
      { code: 'B', rewardName: '5元券', expiresAt: now + 20 * day },
    ];
    expect(pointsReply(m, coupons, pb, now)).toBe('王女士，您的积分：120\n等级：普卡（成长值 1200）\n再获得 1800 成长值升级为银卡\n1 张券将在 7 天内过期，回复"我的券"查看');
    expect(pointsReply({ ...m, tier: 'gold', growth: 9000 }, [], pb, now)).toBe('王女士，您的积分：120\n等级：金卡（成长值 9000）\n您已是最高等级');
  });

  it('masks a phone number used as a name', () => {
    expect(displayName('13812345678')).toBe('138****5678');
    expect(pointsReply({ name: '13812345678', tier: 'regular', growth: 0, points: 0, referralCode: 'X' }, [], pb, now)).not.toContain('13812345678');
  });

  it('兑换 lists what is affordable now and what is close, skipping sold-out and used-up rewards', () => {
    const catalogue = [
      { code: 'C001', name: '5元无门槛券', cost: 50, stock: 10, perMemberLimit: 5, held: 5 },
      { code: 'C002', name: '20元满199可用券', cost: 150, stock: 10, perMemberLimit: 3, held: 0 },
      { code: 'G001', name: '品牌帆布袋', cost: 300, stock: 0, perMemberLimit: 1, held: 0 },
      { code: 'G002', name: '保温杯', cost: 400, stock: null, perMemberLimit: null, held: 0 },
    ];
    expect(redeemMenuReply(200, catalogue, pb)).toBe(
      '您的积分：200\n现在可兑换：\nC002 20元满199可用券（150 积分）\n再攒一点就能兑换：\nG002 保温杯（400 积分，还差 200）\n回复"兑换 编号"兑换，如"兑换 C002"',
    );
    expect(redeemMenuReply(10, catalogue.slice(1, 2), pb)).toBe(
      '您的积分：10\n暂时没有积分够兑换的礼品。\n再攒一点就能兑换：\nC002 20元满199可用券（150 积分，还差 140）\n回复"兑换 编号"兑换，如"兑换 C002"',
    );
  });

  it('我的券 shows local expiry dates in the configured zone', () => {
    const at = Date.parse('2026-12-09T17:00:00Z'); // 2026-12-10 01:00 in Shanghai
    expect(couponsReply([{ code: 'K', rewardName: '新人10元券', expiresAt: at }], pb, 'Asia/Shanghai')).toBe('您的优惠券：\n新人10元券 券码 K，2026-12-10 前有效');
    expect(couponsReply([], pb, 'Asia/Shanghai')).toBe(pb.texts.couponsNone);
  });

  it('writes birthdays as members read them', () => {
    expect(birthdayText({ calendar: 'solar', month: 5, day: 20, year: 1990 })).toBe('1990-05-20');
    expect(birthdayText({ calendar: 'solar', month: 5, day: 20, year: null })).toBe('5月20日');
    expect(birthdayText({ calendar: 'lunar', month: 12, day: 23, year: null })).toBe('农历腊月廿三');
    expect([1, 10, 15, 20, 21, 30].map(lunarDayName)).toEqual(['初一', '初十', '十五', '二十', '廿一', '三十']);
  });
});
