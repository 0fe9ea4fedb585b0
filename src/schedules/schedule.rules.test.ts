import { describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { catchUpDecision, nextSlot, previousSlot } from './schedule.rules.js';

const SH = 'Asia/Shanghai';

describe('schedule slots', () => {
  it('finds the previous and next 09:30 slot in Shanghai time', () => {
    const now = zonedTime(2026, 11, 25, 11, 0, SH);
    expect(previousSlot('30 9 * * *', now, SH)?.toISOString()).toBe('2026-11-25T01:30:00.000Z');
    expect(nextSlot('30 9 * * *', now, SH)?.toISOString()).toBe('2026-11-26T01:30:00.000Z');
  });
  it('counts a slot exactly at now as the previous one', () => {
    const at = zonedTime(2026, 11, 25, 9, 30, SH);
    expect(previousSlot('30 9 * * *', at, SH)?.getTime()).toBe(at.getTime());
  });
  it('runs a missed slot within the catch-up window, skips an older one, ignores a recorded one', () => {
    const slot = zonedTime(2026, 11, 25, 9, 30, SH);
    const h = 3_600_000;
    expect(catchUpDecision(slot, false, new Date(slot.getTime() + h), 2 * h)).toEqual({ action: 'run', slot: slot.getTime() });
    expect(catchUpDecision(slot, false, new Date(slot.getTime() + 3 * h), 2 * h)).toEqual({ action: 'skip', slot: slot.getTime(), lateMs: 3 * h });
    expect(catchUpDecision(slot, true, new Date(slot.getTime() + h), 2 * h)).toEqual({ action: 'none' });
  });
});
