import { describe, expect, it } from 'vitest';
import { formatLocal, inWindow, localDate, localParts, parseWindow, startOfLocalDay, windowEnd, zonedTime } from './time.js';

const SH = 'Asia/Shanghai';

describe('time in the configured zone', () => {
  it('reads wall-clock parts in Shanghai whatever the machine TZ', () => {
    const p = localParts(new Date('2026-11-25T16:30:00Z'), SH);
    expect(p).toMatchObject({ year: 2026, month: 11, day: 26, hour: 0, minute: 30, weekday: 4 });
    expect(localDate(new Date('2026-11-25T16:30:00Z'), SH)).toBe('2026-11-26');
  });

  it('turns a local wall-clock time into the right instant', () => {
    expect(zonedTime(2026, 11, 25, 9, 30, SH).toISOString()).toBe('2026-11-25T01:30:00.000Z');
    expect(zonedTime(2026, 3, 8, 3, 0, 'America/New_York').toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(startOfLocalDay(new Date('2026-11-25T16:30:00Z'), SH).toISOString()).toBe('2026-11-25T16:00:00.000Z');
  });

  it('parses windows and rejects malformed ones', () => {
    expect(parseWindow('21:30-08:30')).toEqual({ startMinute: 1290, endMinute: 510 });
    expect(parseWindow('25:00-08:00')).toBeNull();
    expect(parseWindow('9-10')).toBeNull();
  });

  it('knows when a wrapping quiet window holds and when it ends', () => {
    const w = parseWindow('21:30-08:30')!;
    const at2200 = zonedTime(2026, 11, 25, 22, 0, SH);
    const at0800 = zonedTime(2026, 11, 26, 8, 0, SH);
    const at1200 = zonedTime(2026, 11, 26, 12, 0, SH);
    expect(inWindow(at2200, w, SH)).toBe(true);
    expect(inWindow(at0800, w, SH)).toBe(true);
    expect(inWindow(at1200, w, SH)).toBe(false);
    expect(windowEnd(at2200, w, SH).toISOString()).toBe(zonedTime(2026, 11, 26, 8, 30, SH).toISOString());
    expect(windowEnd(at0800, w, SH).toISOString()).toBe(zonedTime(2026, 11, 26, 8, 30, SH).toISOString());
    expect(windowEnd(at1200, w, SH)).toBe(at1200);
  });
});

describe('formatLocal: the one way a person reads an instant', () => {
  it('shows local time in the configured zone, 24-hour, one format whatever the machine TZ', () => {
    const t = Date.parse('2026-11-25T16:09:13.559Z');
    expect(formatLocal(t, SH)).toBe('2026-11-26 00:09');
    expect(formatLocal(t, SH, 'second')).toBe('2026-11-26 00:09:13');
    expect(formatLocal(t, SH, 'date')).toBe('2026-11-26');
    expect(formatLocal(t, SH, 'time')).toBe('00:09');
    expect(formatLocal(new Date(t), 'UTC')).toBe('2026-11-25 16:09');
    expect(formatLocal(t, 'America/New_York')).toBe('2026-11-25 11:09');
  });
});
