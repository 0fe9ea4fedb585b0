import { describe, expect, it } from 'vitest';
import { parseBirthday, parseLunarDay, parseMemberCommand } from './commands.rules.js';

const cases: [string, ReturnType<typeof parseMemberCommand>][] = [
  // 入会 / join
  ['入会', { kind: 'join', code: null }],
  [' 入会！', { kind: 'join', code: null }],
  ['入 会', { kind: 'join', code: null }],
  ['我要入会', { kind: 'join', code: null }],
  ['加入会员。', { kind: 'join', code: null }],
  ['入会 k7qx3mpa', { kind: 'join', code: 'K7QX3MPA' }],
  ['入会K7QX3MPA', { kind: 'join', code: 'K7QX3MPA' }],
  ['入会　Ｋ７ＱＸ３ＭＰＡ', { kind: 'join', code: 'K7QX3MPA' }],
  ['入会 邀请码：K7QX3MPA', { kind: 'join', code: 'K7QX3MPA' }],
  ['入会啦', { kind: 'join', code: null }],
  ['JOIN', { kind: 'join', code: null }],
  ['join abc123', { kind: 'join', code: 'ABC123' }],
  // 积分 / points
  ['积分', { kind: 'points' }],
  ['积分？', { kind: 'points' }],
  ['查积分', { kind: 'points' }],
  ['我的积分', { kind: 'points' }],
  ['ＰＯＩＮＴＳ', { kind: 'points' }],
  ['points', { kind: 'points' }],
  ['@湖滨店小思\u2005积分', { kind: 'points' }],
  ['@湖滨店小思 积分', { kind: 'points' }],
  // 兑换 / redeem
  ['兑换', { kind: 'redeem', code: null, query: null }],
  ['积分兑换', { kind: 'redeem', code: null, query: null }],
  ['兑换 C001', { kind: 'redeem', code: 'C001', query: null }],
  ['兑换c001', { kind: 'redeem', code: 'C001', query: null }],
  ['兑换　Ｃ００１', { kind: 'redeem', code: 'C001', query: null }],
  ['兑换：C001。', { kind: 'redeem', code: 'C001', query: null }],
  ['兑 换 C001', { kind: 'redeem', code: 'C001', query: null }],
  ['兑换 帆布袋', { kind: 'redeem', code: null, query: '帆布袋' }],
  ['redeem g001', { kind: 'redeem', code: 'G001', query: null }],
  // 我的券 / coupons
  ['我的券', { kind: 'coupons' }],
  ['我的优惠券', { kind: 'coupons' }],
  ['coupons', { kind: 'coupons' }],
  // 邀请 / invite
  ['邀请', { kind: 'invite' }],
  ['邀请码', { kind: 'invite' }],
  ['invite', { kind: 'invite' }],
  // 生日 / birthday
  ['生日 1990-05-20', { kind: 'birthday', birthday: { calendar: 'solar', month: 5, day: 20, year: 1990 }, given: '1990-05-20' }],
  ['生日1990年5月20日', { kind: 'birthday', birthday: { calendar: 'solar', month: 5, day: 20, year: 1990 }, given: '1990年5月20日' }],
  ['农历生日 五月初八', { kind: 'birthday', birthday: { calendar: 'lunar', month: 5, day: 8, year: null }, given: '五月初八' }],
  ['生日 农历五月初八', { kind: 'birthday', birthday: { calendar: 'lunar', month: 5, day: 8, year: null }, given: '农历五月初八' }],
  ['birthday 1990/5/20', { kind: 'birthday', birthday: { calendar: 'solar', month: 5, day: 20, year: 1990 }, given: '1990/5/20' }],
  ['生日 明天', { kind: 'birthday', birthday: null, given: '明天' }],
  ['生日', { kind: 'birthday', birthday: null, given: '' }],
  // 退订 / 订阅
  ['退订', { kind: 'opt-out' }],
  ['TD', { kind: 'opt-out' }],
  ['td', { kind: 'opt-out' }],
  ['ＴＤ', { kind: 'opt-out' }],
  ['退订了', { kind: 'opt-out' }],
  ['取消订阅', { kind: 'opt-out' }],
  ['STOP', { kind: 'opt-out' }],
  ['unsubscribe', { kind: 'opt-out' }],
  ['订阅', { kind: 'opt-in' }],
  ['恢复订阅', { kind: 'opt-in' }],
  ['subscribe', { kind: 'opt-in' }],
  // 帮助 / help
  ['帮助', { kind: 'help' }],
  ['菜单', { kind: 'help' }],
  ['help', { kind: 'help' }],
  ['Help!', { kind: 'help' }],
  ['？', { kind: 'help' }],
  ['?', { kind: 'help' }],
  // Not commands: chatter and questions are left alone.
  ['你好', null],
  ['在吗', null],
  ['会员积分可以抵现吗？', null],
  ['积分怎么用', null],
  ['stopover', null],
  ['helpful tips', null],
  ['tdk', null],
  ['', null],
  ['   ', null],
  ['[image]', null],
];

describe('parseMemberCommand', () => {
  it.each(cases)('%j → %j', (text, expected) => {
    expect(parseMemberCommand(text)).toEqual(expected);
  });
});

describe('birthdays as people write them', () => {
  it.each([
    ['1990-05-20', 'solar', { calendar: 'solar', month: 5, day: 20, year: 1990 }],
    ['1990.5.20', 'solar', { calendar: 'solar', month: 5, day: 20, year: 1990 }],
    ['19900520', 'solar', { calendar: 'solar', month: 5, day: 20, year: 1990 }],
    ['5月20日', 'solar', { calendar: 'solar', month: 5, day: 20, year: null }],
    ['05-20', 'solar', { calendar: 'solar', month: 5, day: 20, year: null }],
    ['2月29', 'solar', { calendar: 'solar', month: 2, day: 29, year: null }],
    ['五月初八', 'lunar', { calendar: 'lunar', month: 5, day: 8, year: null }],
    ['腊月廿三', 'lunar', { calendar: 'lunar', month: 12, day: 23, year: null }],
    ['正月十五', 'lunar', { calendar: 'lunar', month: 1, day: 15, year: null }],
    ['十一月三十', 'lunar', { calendar: 'lunar', month: 11, day: 30, year: null }],
    ['一九九〇年八月十五', 'lunar', { calendar: 'lunar', month: 8, day: 15, year: 1990 }],
    ['闰四月初二', 'lunar', { calendar: 'lunar', month: 4, day: 2, year: null, leap: true }],
    ['5-8', 'lunar', { calendar: 'lunar', month: 5, day: 8, year: null }],
  ] as const)('%s (%s)', (given, cal, expected) => {
    expect(parseBirthday(given, cal)).toEqual(expected);
  });

  it.each([['1990-02-30'], ['1991-02-29'], ['13月1日'], ['1800-01-01'], ['明天'], ['五月三十一']])('refuses %s', (given) => {
    expect(parseBirthday(given, given.includes('五月') ? 'lunar' : 'solar')).toBeNull();
  });

  it('reads lunar days', () => {
    expect(['初一', '初十', '十一', '十九', '二十', '廿一', '廿九', '三十'].map(parseLunarDay)).toEqual([1, 10, 11, 19, 20, 21, 29, 30]);
    expect(parseLunarDay('十十')).toBeNull();
  });
});
