import { describe, expect, it } from 'vitest';
import { decideBySignals, factMatches, factToAsk, monthDayIn, phonesIn, surnameOf } from './identity.rules.js';

const member = { name: '王晓燕', birthMonth: 5, birthDay: 20 };

describe('phones in a remark or a reply', () => {
  it.each([
    ['王女士 138-0013-8000', ['13800138000']],
    ['我的手机是13800138000', ['13800138000']],
    ['+86 138 0013 8000', ['13800138000']],
    ['１３８００１３８０００', ['13800138000']],
    ['13800138000 / 13900139000 / 13800138000', ['13800138000', '13900139000']],
    ['订单 123800138000999', []],
    ['12800138000', []],
    ['', []],
  ])('%s → %j', (text, phones) => expect(phonesIn(text)).toEqual(phones));
});

describe('the fact a member is asked', () => {
  it('asks the birthday first when the record has one, else the surname, else nothing', () => {
    expect(factToAsk(member, ['birthday', 'surname'])).toBe('birthday');
    expect(factToAsk({ ...member, birthMonth: null, birthDay: null }, ['birthday', 'surname'])).toBe('surname');
    expect(factToAsk({ name: '', birthMonth: null, birthDay: null }, ['birthday', 'surname'])).toBeNull();
    expect(factToAsk(member, ['surname'])).toBe('surname');
  });

  it.each([
    ['王晓燕', '王'],
    ['欧阳娜娜', '欧阳'],
    ['Lily Chen', 'chen'],
    ['Lily', null],
    ['', null],
    ['小王', '小'],
  ])('surname of %s is %s', (name, surname) => expect(surnameOf(name)).toBe(surname));
});

describe('does the answer prove it', () => {
  it.each(['05-20', '5-20', '5/20', '5月20日', '0520', '1990-05-20', '生日 5.20', '５月２０日'])('birthday %s matches 05-20', (a) => {
    expect(factMatches('birthday', a, member)).toBe(true);
  });
  it.each(['05-21', '20-05', '520', '1990', '王', ''])('birthday %s does not', (a) => {
    expect(factMatches('birthday', a, member)).toBe(false);
  });
  it.each(['王', '姓王', '王女士', '王晓燕', '我姓王'])('surname %s matches 王晓燕', (a) => expect(factMatches('surname', a, member)).toBe(true));
  it.each(['李', '汪', '', '13800138000'])('surname %s does not', (a) => expect(factMatches('surname', a, member)).toBe(false));
  it('reads month-day only when it is a date', () => {
    expect(monthDayIn('13-40')).toBeNull();
    expect(monthDayIn('12-31')).toEqual({ month: 12, day: 31 });
  });
});

describe('signals bind only when they name exactly one unlinked member', () => {
  it('links one, asks for none or several', () => {
    expect(decideBySignals([{ memberId: 3 }])).toEqual({ kind: 'link', memberId: 3 });
    expect(decideBySignals([{ memberId: 3 }, { memberId: 3 }])).toEqual({ kind: 'link', memberId: 3 });
    expect(decideBySignals([])).toEqual({ kind: 'ask-phone' });
    expect(decideBySignals([{ memberId: 3 }, { memberId: 4 }])).toEqual({ kind: 'ask-phone' });
  });
});
