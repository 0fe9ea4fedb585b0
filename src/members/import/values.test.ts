import { describe, expect, it } from 'vitest';
import { zonedTime } from '../../core/time.js';
import {
  parseAmountFen,
  parseBirthdayKind,
  parseCalendarDate,
  parseCode,
  parseDateTime,
  parseId,
  parseName,
  parsePhone,
  parseRole,
  parseTags,
  parseWorkingDays,
} from './values.js';

const value = <T>(r: { ok: true; value: T } | { ok: false; why: string }) => (r.ok ? r.value : `ERR ${r.why}`);

describe('parsePhone', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+86 138-0013-8000', '13800138000'],
    ['0086 13800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['(138)0013.8000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['="13800138000"', '13800138000'],
    ["'13800138000", '13800138000'],
    ['13800138000.0', '13800138000'],
    [' 19912345678 ', '19912345678'],
  ])('accepts %j as %s', (raw, expected) => {
    expect(value(parsePhone(raw))).toBe(expected);
  });

  it.each([
    ['', /is empty/],
    ['1380013800', /has 10 digits/],
    ['138001380001', /has 12 digits/],
    ['12800138000', /start with 13 to 19/],
    ['1.38E+10', /scientific notation/],
    ['138-0013-800a', /only digits/],
  ])('refuses %j with a reason', (raw, why) => {
    const r = parsePhone(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
  });
});

describe('parseCalendarDate', () => {
  it.each([
    ['1990-05-08', { year: 1990, month: 5, day: 8 }],
    ['1990/5/8', { year: 1990, month: 5, day: 8 }],
    ['1990.05.08', { year: 1990, month: 5, day: 8 }],
    ['1990年5月8日', { year: 1990, month: 5, day: 8 }],
    ['19900508', { year: 1990, month: 5, day: 8 }],
    ['２０００－０２－２９', { year: 2000, month: 2, day: 29 }],
    ['05-20', { year: null, month: 5, day: 20 }],
    ['5月20日', { year: null, month: 5, day: 20 }],
    ['02-29', { year: null, month: 2, day: 29 }],
    ['33001', { year: 1990, month: 5, day: 8 }], // Excel serial number
  ])('reads %j', (raw, expected) => {
    expect(value(parseCalendarDate(raw, 2026))).toEqual(expected);
  });

  it.each([
    ['1993-02-30', /1993-02 has no day 30/],
    ['1993-13-01', /no month 13/],
    ['2100-01-01', /year 2100/],
    ['2100-02-29', /2100-02 has no day 29/],
    ['1899-12-31', /year 1899/],
    ['5/8/1990', /year last/],
    ['yesterday', /not a date/],
    ['1990-05-08 10:00', /something after the date/],
  ])('refuses %j', (raw, why) => {
    const r = parseCalendarDate(raw, 2026);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
  });
});

describe('parseDateTime', () => {
  const SH = 'Asia/Shanghai';
  it.each([
    ['2024-05-01 13:45', Date.UTC(2024, 4, 1, 5, 45)],
    ['2024-05-01 13:45:30', Date.UTC(2024, 4, 1, 5, 45, 30)],
    ['2024/5/1 13:45', Date.UTC(2024, 4, 1, 5, 45)],
    ['2024-05-01T13:45:00', Date.UTC(2024, 4, 1, 5, 45)],
    ['2024-05-01', Date.UTC(2024, 3, 30, 16, 0)],
    ['2024年5月1日 8:05', Date.UTC(2024, 4, 1, 0, 5)],
    ['2024-05-01T05:45:00Z', Date.UTC(2024, 4, 1, 5, 45)],
    ['2024-05-01 13:45:00+08:00', Date.UTC(2024, 4, 1, 5, 45)],
    ['2024-05-01 07:45:00 +0200', Date.UTC(2024, 4, 1, 5, 45)],
    ['45413.5', Date.UTC(2024, 4, 1, 4, 0)], // Excel serial: 2024-05-01 12:00 local
  ])('reads %j in Asia/Shanghai, whatever the machine TZ', (raw, expected) => {
    expect(value(parseDateTime(raw, SH))).toBe(expected);
  });

  it('reads local times in the zone given, across a DST switch', () => {
    const NY = 'America/New_York';
    expect(value(parseDateTime('2024-03-10 01:30', NY))).toBe(Date.UTC(2024, 2, 10, 6, 30)); // EST
    expect(value(parseDateTime('2024-03-10 03:30', NY))).toBe(Date.UTC(2024, 2, 10, 7, 30)); // EDT
    expect(value(parseDateTime('2024-07-01 12:00', NY))).toBe(zonedTime(2024, 7, 1, 12, 0, NY).getTime());
  });

  it.each([
    ['2024-05-01 25:00', /does not exist/],
    ['2024-05-01 1pm', /HH:MM/],
    ['1969-12-31', /1970 or later/],
    ['', /is empty/],
  ])('refuses %j', (raw, why) => {
    const r = parseDateTime(raw, SH);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
  });
});

describe('parseAmountFen', () => {
  it.each([
    ['128', 12_800],
    ['128.5', 12_850],
    ['128.50', 12_850],
    ['0.01', 1],
    ['0', 0],
    ['¥1,280.50', 128_050],
    ['￥１２８．５', 12_850],
    ['99.9元', 9_990],
    ['RMB 12', 1_200],
    ['12.300', 1_230],
    ['12.', 1_200],
  ])('reads %j as %i fen', (raw, fen) => {
    expect(value(parseAmountFen(raw))).toBe(fen);
  });

  it.each([
    ['-5', /negative/],
    ['(5.00)', /negative/],
    ['12.345', /more than 2 decimals/],
    ['1.2E+3', /scientific/],
    ['abc', /not an amount/],
    ['', /is empty/],
    ['NaN', /not an amount/],
    ['13800138000', /more than the 10,000,000 yuan/],
  ])('refuses %j', (raw, why) => {
    const r = parseAmountFen(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(why);
  });
});

describe('parseRole', () => {
  it.each([
    ['导购', 'guide'],
    ['Guide', 'guide'],
    ['店长', 'store-manager'],
    ['store-manager', 'store-manager'],
    ['Store Manager', 'store-manager'],
    ['社群运营', 'community-admin'],
    ['community_admin', 'community-admin'],
    ['总部', 'hq'],
    ['HQ', 'hq'],
    ['ＨＱ', 'hq'],
  ])('reads %j as %s', (raw, role) => {
    expect(value(parseRole(raw))).toBe(role);
  });
  it('refuses anything else, listing the roles', () => {
    expect(value(parseRole('保安'))).toMatch(/导购\/guide, 店长\/store-manager, 社群运营\/community-admin, 总部\/hq/);
  });
});

describe('parseWorkingDays', () => {
  it.each([
    ['0123456', '0123456'],
    ['1234567', '0123456'],
    ['12345', '12345'],
    ['1-5', '12345'],
    ['1~5', '12345'],
    ['周一至周五', '12345'],
    ['周一到周六', '123456'],
    ['一、三、五', '135'],
    ['1,3,5', '135'],
    ['1，3，5', '135'],
    ['Mon-Fri', '12345'],
    ['mon,wed,fri', '135'],
    ['Sat-Sun', '06'],
    ['周六,周日', '06'],
    ['5-7', '056'],
    ['每天', '0123456'],
    ['daily', '0123456'],
    ['工作日', '12345'],
    ['周末', '06'],
    ['星期二', '2'],
    ['0', '0'],
    ['7', '0'],
  ])('reads %j as %s', (raw, days) => {
    expect(value(parseWorkingDays(raw))).toBe(days);
  });
  it.each([
    ['5-1', /backwards/],
    ['周八', /not a day/],
    ['x-y', /not a day range/],
    ['8', /not a day/],
  ])('refuses %j', (raw, why) => {
    expect(value(parseWorkingDays(raw))).toMatch(why);
  });
});

describe('small parsers', () => {
  it('splits tags on ASCII and Chinese separators, dropping blanks and repeats', () => {
    expect(parseTags('VIP，宝妈、VIP; 新客 |')).toEqual(['VIP', '宝妈', '新客']);
    expect(parseTags('  ')).toEqual([]);
  });
  it('reads birthday kinds', () => {
    expect(value(parseBirthdayKind('农历'))).toBe('lunar');
    expect(value(parseBirthdayKind('公历'))).toBe('solar');
    expect(value(parseBirthdayKind('Lunar'))).toBe('lunar');
    expect(value(parseBirthdayKind('阴阳'))).toMatch(/公历\/solar or 农历\/lunar/);
  });
  it('reads codes exactly, refusing spaces and very long ones', () => {
    expect(value(parseCode(' HZ01 '))).toBe('HZ01');
    expect(value(parseCode('ＨＺ０１'))).toBe('HZ01');
    expect(value(parseCode('HZ 01'))).toMatch(/spaces/);
    expect(value(parseCode('x'.repeat(65)))).toMatch(/at most 64/);
  });
  it('reads names as free text, keeping full-width punctuation', () => {
    expect(value(parseName(' 宝妈群（一） '))).toBe('宝妈群（一）');
    expect(value(parseName(''))).toMatch(/is empty/);
  });
  it('reads member ids', () => {
    expect(value(parseId('42'))).toBe(42);
    expect(value(parseId('42.0'))).toBe(42);
    expect(value(parseId('0'))).toMatch(/positive/);
    expect(value(parseId('m42'))).toMatch(/positive/);
  });
});
