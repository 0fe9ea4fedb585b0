import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, nextDate, previousDate, weekdayOf } from './calendar.js';

describe('calendar dates (YYYY-MM-DD, no timezone)', () => {
  it('adds days across months, leap days and years', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(nextDate('2026-02-28')).toBe('2026-03-01');
    expect(previousDate('2027-01-01')).toBe('2026-12-31');
  });

  it('counts whole days and names the weekday', () => {
    expect(daysBetween('2026-11-25', '2026-12-01')).toBe(6);
    expect(daysBetween('2026-12-01', '2026-11-25')).toBe(-6);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(weekdayOf('2026-11-25')).toBe(3);
    expect(weekdayOf('2026-11-29')).toBe(0);
  });
});
