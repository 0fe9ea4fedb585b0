import { describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { DEFAULT_SERVICE_HOURS, addBusinessMs, businessMsBetween, calendarDay, isServiceTime, serviceWindowOn, type ServiceHours } from './business-time.rules.js';

const SH = 'Asia/Shanghai';
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (y: number, mo: number, d: number, h: number, mi = 0) => zonedTime(y, mo, d, h, mi, SH).getTime();
const hours = (over: Partial<ServiceHours> = {}): ServiceHours => ({ ...DEFAULT_SERVICE_HOURS, ...over });

describe('business time: the clock runs only in service hours', () => {
  it('a question at 20:58 with service ending at 21:00 is due at 09:03 the next morning, not at 21:03', () => {
    expect(addBusinessMs(at(2026, 11, 25, 20, 58), 5 * MIN, hours(), SH)).toBe(at(2026, 11, 26, 9, 3));
  });

  it('a deadline may fall exactly on closing time', () => {
    expect(addBusinessMs(at(2026, 11, 25, 20, 55), 5 * MIN, hours(), SH)).toBe(at(2026, 11, 25, 21, 0));
  });

  it('a question asked at night or before opening starts its clock at the next opening', () => {
    expect(addBusinessMs(at(2026, 11, 25, 23, 30), 5 * MIN, hours(), SH)).toBe(at(2026, 11, 26, 9, 5));
    expect(addBusinessMs(at(2026, 11, 26, 3, 0), 15 * MIN, hours(), SH)).toBe(at(2026, 11, 26, 9, 15));
    expect(addBusinessMs(at(2026, 11, 26, 3, 0), 0, hours(), SH)).toBe(at(2026, 11, 26, 9, 0));
  });

  it('skips days off: Friday evening to Monday morning with Monday–Friday service', () => {
    const weekdays = hours({ days: [1, 2, 3, 4, 5] });
    // 2026-11-27 is a Friday.
    expect(addBusinessMs(at(2026, 11, 27, 20, 58), 5 * MIN, weekdays, SH)).toBe(at(2026, 11, 30, 9, 3));
    expect(businessMsBetween(at(2026, 11, 27, 20, 0), at(2026, 11, 30, 10, 0), weekdays, SH)).toBe(2 * HOUR);
    // Every day (the default) serves on the weekend.
    expect(addBusinessMs(at(2026, 11, 27, 20, 58), 5 * MIN, hours(), SH)).toBe(at(2026, 11, 28, 9, 3));
  });

  it('stops on public holidays from the chinese-days calendar when holidays are closed', () => {
    expect(calendarDay('2026-10-01')).toEqual({ holiday: true, workday: false });
    expect(calendarDay('2026-11-28')).toEqual({ holiday: false, workday: false }); // an ordinary Saturday
    const closed = hours({ holidays: 'closed' });
    // 国庆节 2026: 1–7 October off.
    expect(addBusinessMs(at(2026, 9, 30, 20, 58), 5 * MIN, closed, SH)).toBe(at(2026, 10, 8, 9, 3));
    expect(businessMsBetween(at(2026, 9, 30, 20, 0), at(2026, 10, 8, 10, 0), closed, SH)).toBe(2 * HOUR);
    expect(serviceWindowOn('2026-10-03', closed)).toBeNull();
    expect(serviceWindowOn('2026-10-03', hours())).toEqual({ open: 540, close: 1260 });
  });

  it('serves other hours on holidays when given a window', () => {
    const short = hours({ holidays: { open: 10 * 60, close: 18 * 60 } });
    expect(addBusinessMs(at(2026, 10, 1, 17, 58), 5 * MIN, short, SH)).toBe(at(2026, 10, 2, 10, 3));
    expect(isServiceTime(at(2026, 10, 1, 9, 30), short, SH)).toBe(false);
    expect(isServiceTime(at(2026, 10, 1, 10, 30), short, SH)).toBe(true);
  });

  it('follows the official working days, make-up Saturdays (调休) included, with days: workdays', () => {
    const office = hours({ days: 'workdays', holidays: 'closed' });
    // 2026-10-09 Friday, 2026-10-10 Saturday is a make-up working day, 2026-10-11 Sunday is off.
    expect(addBusinessMs(at(2026, 10, 9, 20, 58), 5 * MIN, office, SH)).toBe(at(2026, 10, 10, 9, 3));
    expect(addBusinessMs(at(2026, 10, 10, 20, 58), 5 * MIN, office, SH)).toBe(at(2026, 10, 12, 9, 3));
  });

  it('counts raw time when the service runs all day', () => {
    const always = hours({ open: 0, close: 24 * 60 });
    const from = at(2026, 11, 25, 20, 58);
    expect(addBusinessMs(from, 5 * MIN, always, SH)).toBe(from + 5 * MIN);
    expect(businessMsBetween(from, from + 50 * HOUR, always, SH)).toBe(50 * HOUR);
  });

  it('48 business hours are four 12-hour service days', () => {
    expect(addBusinessMs(at(2026, 11, 25, 9, 0), 48 * HOUR, hours(), SH)).toBe(at(2026, 11, 28, 21, 0));
    expect(addBusinessMs(at(2026, 11, 25, 12, 0), 48 * HOUR, hours(), SH)).toBe(at(2026, 11, 29, 12, 0));
  });

  it('measures nothing backwards and nothing outside service time', () => {
    expect(businessMsBetween(at(2026, 11, 25, 12, 0), at(2026, 11, 25, 11, 0), hours(), SH)).toBe(0);
    expect(businessMsBetween(at(2026, 11, 25, 22, 0), at(2026, 11, 26, 8, 0), hours(), SH)).toBe(0);
    expect(businessMsBetween(at(2026, 11, 25, 20, 58), at(2026, 11, 26, 9, 3), hours(), SH)).toBe(5 * MIN);
  });

  it('gives the same answers in another zone (the machine TZ is never read)', () => {
    const NY = 'America/New_York';
    const from = zonedTime(2026, 11, 25, 20, 58, NY).getTime();
    expect(addBusinessMs(from, 5 * MIN, hours(), NY)).toBe(zonedTime(2026, 11, 26, 9, 3, NY).getTime());
  });
});

describe('local dates', () => {
  it('agree with core/time localDate around midnight and DST changes', async () => {
    const { localDate } = await import('../core/time.js');
    const { localDateOf } = await import('./business-time.rules.js');
    for (const tz of [SH, 'America/New_York', 'Asia/Kolkata', 'UTC']) {
      for (let t = Date.parse('2026-03-07T00:00:00Z'); t < Date.parse('2026-03-10T00:00:00Z'); t += 7 * MIN) {
        expect(localDateOf(t, tz), `${tz} ${new Date(t).toISOString()}`).toBe(localDate(new Date(t), tz));
      }
    }
  });
});
