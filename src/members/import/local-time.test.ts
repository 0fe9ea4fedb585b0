import { describe, expect, it } from 'vitest';
import { zonedTime } from '../../core/time.js';
import { localInstant } from './local-time.js';

describe('localInstant', () => {
  it.each(['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'UTC'])('agrees with zonedTime in %s, DST days included', (tz) => {
    const days: [number, number, number][] = [
      [2024, 3, 10],
      [2024, 3, 31],
      [2024, 4, 7],
      [2024, 10, 6],
      [2024, 11, 3],
      [2024, 10, 27],
      [2024, 5, 1],
    ];
    for (const [y, m, d] of days) {
      for (let minuteOfDay = 0; minuteOfDay < 24 * 60; minuteOfDay += 17) {
        const [h, mi] = [Math.floor(minuteOfDay / 60), minuteOfDay % 60];
        expect(localInstant(y, m, d, h, mi, 30, tz)).toBe(zonedTime(y, m, d, h, mi, tz).getTime() + 30_000);
      }
    }
  });

  it('reads Asia/Shanghai as UTC+8', () => {
    expect(localInstant(2024, 5, 1, 13, 45, 0, 'Asia/Shanghai')).toBe(Date.UTC(2024, 4, 1, 5, 45));
  });
});
