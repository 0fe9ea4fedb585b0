import { describe, expect, it } from 'vitest';
import { acceptDelay, decideAccept } from './accept.rules.js';
import { attribute, type FriendsDirectory } from './attribution.rules.js';

const dir: FriendsDirectory = {
  stores: new Map([
    ['HZ01', { name: '杭州湖滨店', guides: ['guide-hz01-01', 'guide-hz01-02', 'guide-hz01-03', 'guide-hz01-04'] }],
    ['SH02', { name: '上海南京路店', guides: ['guide-sh02-01'] }],
  ]),
  staff: new Map([
    ['guide-hz01-03', { name: '赵婷婷', storeCode: 'HZ01' }],
    ['guide-sh02-01', { name: '周敏', storeCode: 'SH02' }],
  ]),
};
const rules = { defaultStore: 'HZ01', inviteCodes: { ZTT03: 'guide-hz01-03', ZM01: 'guide-sh02-01' } };

describe('attribution from the greeting', () => {
  it("reads a poster channel code as store + the store's n-th guide", () => {
    expect(attribute('HZ01-g03', dir, rules)).toEqual({ storeCode: 'HZ01', guideCode: 'guide-hz01-03', channel: 'HZ01-g03', unknownCode: null });
    expect(attribute('我是小王，扫了海报 hz01-G3', dir, rules)).toMatchObject({ guideCode: 'guide-hz01-03', channel: 'HZ01-g03' });
    expect(attribute('ＨＺ０１－ｇ０３', dir, rules)).toMatchObject({ guideCode: 'guide-hz01-03' });
  });

  it("reads a guide's invite code, case-insensitively, with the guide's store", () => {
    expect(attribute('我是李四 zm01', dir, rules)).toEqual({ storeCode: 'SH02', guideCode: 'guide-sh02-01', channel: 'invite:ZM01', unknownCode: null });
  });

  it('reads a bare store code as the store without a guide', () => {
    expect(attribute('SH02', dir, rules)).toEqual({ storeCode: 'SH02', guideCode: null, channel: 'store:SH02', unknownCode: null });
  });

  it('sends unknown codes and plain greetings to the default store, keeping the unknown code', () => {
    expect(attribute('BJ09-g01', dir, rules)).toEqual({ storeCode: 'HZ01', guideCode: null, channel: 'default', unknownCode: 'BJ09-g01' });
    expect(attribute('HZ01-g09', dir, rules)).toMatchObject({ storeCode: 'HZ01', guideCode: null, channel: 'default', unknownCode: 'HZ01-g09' });
    expect(attribute('XYZ123', dir, rules)).toMatchObject({ channel: 'default', unknownCode: 'XYZ123' });
    expect(attribute('我是王小明', dir, rules)).toEqual({ storeCode: 'HZ01', guideCode: null, channel: 'default', unknownCode: null });
    expect(attribute('', dir, rules)).toMatchObject({ channel: 'default', unknownCode: null });
  });
});

describe('the accept decision', () => {
  const base = { keyword: null, dailyCap: 20, delay: { min: 30_000, max: 90_000 } };
  const now = Date.parse('2026-11-20T02:00:00Z');

  it('schedules within the cap after a delay drawn in the range', () => {
    expect(decideAccept({ hello: 'hi', usedToday: 0, now, random: 0 }, base)).toEqual({ action: 'schedule', dueAt: now + 30_000 });
    expect(decideAccept({ hello: 'hi', usedToday: 19, now, random: 0.5 }, base)).toEqual({ action: 'schedule', dueAt: now + 60_000 });
    expect(acceptDelay(base.delay, 0.999_999)).toBeLessThanOrEqual(90_000);
  });

  it('caps the 21st request of the day with a cap of 20', () => {
    expect(decideAccept({ hello: 'hi', usedToday: 20, now, random: 0.5 }, base)).toEqual({ action: 'cap' });
    expect(decideAccept({ hello: 'hi', usedToday: 0, now, random: 0.5 }, { ...base, dailyCap: 0 })).toEqual({ action: 'cap' });
  });

  it('skips a greeting without the keyword when one is set (before the cap is looked at)', () => {
    const kw = { ...base, keyword: '会员' };
    expect(decideAccept({ hello: '我想办会员', usedToday: 0, now, random: 0 }, kw).action).toBe('schedule');
    expect(decideAccept({ hello: '你好', usedToday: 99, now, random: 0 }, kw)).toEqual({ action: 'skip', reason: 'greeting lacks the keyword "会员"' });
  });
});
