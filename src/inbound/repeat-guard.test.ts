import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { openTestDb } from '../platform/db/client.js';
import { RepeatGuard } from './repeat-guard.js';

const MIN = 60_000;

describe('RepeatGuard', () => {
  it('lets the same answer to the same person through once per window, each answer and person on its own', () => {
    const db = openTestDb();
    const clock = new ManualClock('2026-12-01T02:00:00Z');
    const guard = new RepeatGuard(db, clock, 10 * MIN);
    expect(guard.allow('wx-a', 'not-member')).toBe(true);
    expect(guard.allow('wx-a', 'not-member')).toBe(false);
    expect(guard.allow('wx-a', 'help-hint')).toBe(true);
    expect(guard.allow('wx-b', 'not-member')).toBe(true);
    clock.advance(10 * MIN - 1);
    expect(guard.allow('wx-a', 'not-member')).toBe(false);
    clock.advance(1);
    expect(guard.allow('wx-a', 'not-member')).toBe(true);
    expect(guard.allow('wx-a', 'not-member')).toBe(false);
  });

  it('is shared by every guard on the same store, and a clock set back does not silence anyone for good', () => {
    const db = openTestDb();
    const clock = new ManualClock('2026-12-01T02:00:00Z');
    expect(new RepeatGuard(db, clock, 10 * MIN).allow('wx-a', 'admin-refused')).toBe(true);
    expect(new RepeatGuard(db, clock, 10 * MIN).allow('wx-a', 'admin-refused')).toBe(false);
    clock.advance(-3_600_000);
    expect(new RepeatGuard(db, clock, 10 * MIN).allow('wx-a', 'admin-refused')).toBe(true);
  });

  it('with a window of 0 lets everything through', () => {
    const guard = new RepeatGuard(openTestDb(), new ManualClock(0), 0);
    expect([guard.allow('wx-a', 'guide-hint'), guard.allow('wx-a', 'guide-hint')]).toEqual([true, true]);
  });
});
