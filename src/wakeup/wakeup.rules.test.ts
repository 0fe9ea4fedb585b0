import { describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { newcombe, wald, wilson } from './stats.rules.js';
import { shippedWakeup } from './testing.js';
import {
  DAY_MS,
  allowance,
  armFor,
  dayBefore,
  dueStage,
  exclusionFor,
  holdoutDraw,
  isLapsed,
  seedHash,
  stageText,
  stepExclusion,
  stopReason,
  windowFor,
  type MemberFacts,
} from './wakeup.rules.js';

const SH = 'Asia/Shanghai';
const pb = shippedWakeup();
const now = zonedTime(2026, 11, 25, 10, 0, SH).getTime();
const member = (over: Partial<MemberFacts> = {}): MemberFacts => ({
  anchorAt: now - 40 * DAY_MS,
  joinedAt: now - 400 * DAY_MS,
  optedOut: false,
  contactId: 'wx-1',
  guideCode: 'G1',
  lastMarketingAt: null,
  openQuestion: false,
  ...over,
});

describe('stage entry', () => {
  it('enters stage 1 at 30 silent days, stage 2 at 60, stage 3 at 90, never before, with the gap between stages', () => {
    expect(dueStage({ anchorAt: now - 29 * DAY_MS - 1, stage: 0, lastStepAt: null }, pb, now)).toBeNull();
    expect(dueStage({ anchorAt: now - 30 * DAY_MS, stage: 0, lastStepAt: null }, pb, now)).toBe(1);
    expect(dueStage({ anchorAt: now - 59 * DAY_MS, stage: 1, lastStepAt: now - 29 * DAY_MS }, pb, now)).toBeNull();
    expect(dueStage({ anchorAt: now - 60 * DAY_MS, stage: 1, lastStepAt: now - 30 * DAY_MS }, pb, now)).toBe(2);
    expect(dueStage({ anchorAt: now - 90 * DAY_MS, stage: 2, lastStepAt: now - 30 * DAY_MS }, pb, now)).toBe(3);
    // Found late (95 days silent) it still starts with stage 1, then waits minDaysBetweenStages.
    expect(dueStage({ anchorAt: now - 95 * DAY_MS, stage: 0, lastStepAt: null }, pb, now)).toBe(1);
    expect(dueStage({ anchorAt: now - 95 * DAY_MS, stage: 1, lastStepAt: now - 13 * DAY_MS }, pb, now)).toBeNull();
    expect(dueStage({ anchorAt: now - 95 * DAY_MS, stage: 1, lastStepAt: now - 14 * DAY_MS }, pb, now)).toBe(2);
    expect(dueStage({ anchorAt: now - 200 * DAY_MS, stage: 3, lastStepAt: now - 20 * DAY_MS }, pb, now)).toBeNull();
  });

  it('lapses lapseAfterDays after the last stage', () => {
    expect(isLapsed({ anchorAt: 0, stage: 3, lastStepAt: now - 13 * DAY_MS }, pb, now)).toBe(false);
    expect(isLapsed({ anchorAt: 0, stage: 3, lastStepAt: now - 14 * DAY_MS }, pb, now)).toBe(true);
    expect(isLapsed({ anchorAt: 0, stage: 2, lastStepAt: now - 99 * DAY_MS }, pb, now)).toBe(false);
  });

  it('picks the tier text, else default', () => {
    expect(stageText(pb.stages[0]!, 'gold')).toMatch(/金卡/);
    expect(stageText(pb.stages[0]!, 'silver')).toBe(pb.stages[0]!.texts['default']);
  });
});

describe('exclusions', () => {
  it('opted out, new, unreachable and too long silent never start; recent marketing and open questions postpone', () => {
    expect(exclusionFor(member(), pb, now)).toBeNull();
    expect(exclusionFor(member({ optedOut: true }), pb, now)).toBe('opted-out');
    expect(exclusionFor(member({ joinedAt: now - 10 * DAY_MS }), pb, now)).toBe('new-member');
    expect(exclusionFor(member({ contactId: null, guideCode: null }), pb, now)).toBe('unreachable');
    expect(exclusionFor(member({ contactId: null }), pb, now)).toBeNull();
    expect(exclusionFor(member({ anchorAt: now - 400 * DAY_MS }), pb, now)).toBe('too-long-silent');
    expect(stepExclusion({ lastMarketingAt: now - 6 * DAY_MS, openQuestion: false }, pb, now)).toBe('recent-marketing');
    expect(stepExclusion({ lastMarketingAt: now - 8 * DAY_MS, openQuestion: false }, pb, now)).toBeNull();
    expect(stepExclusion({ lastMarketingAt: null, openQuestion: true }, pb, now)).toBe('open-question');
  });
});

describe('stop', () => {
  const anchor = now - 40 * DAY_MS;
  const none = { optedOut: false, lastMessageAt: anchor, lastPurchaseAt: null, lastRedemptionAt: null };
  it('stops on opt-out first, else on the earliest activity after the anchor', () => {
    expect(stopReason(none, anchor, pb, now)).toBeNull();
    expect(stopReason({ ...none, optedOut: true, lastMessageAt: now }, anchor, pb, now)).toEqual({ reason: 'opt-out', at: now });
    expect(stopReason({ ...none, lastPurchaseAt: now - 2000, lastRedemptionAt: now - 1000 }, anchor, pb, now)).toEqual({ reason: 'purchase', at: now - 2000 });
    expect(stopReason({ ...none, lastMessageAt: now - 500, lastRedemptionAt: now - 1000 }, anchor, pb, now)).toEqual({ reason: 'redemption', at: now - 1000 });
  });
});

describe('send windows and budget', () => {
  const at = (h: number, m = 0) => zonedTime(2026, 11, 25, h, m, SH).getTime();
  it('uses the window open now, else the next one today, else none (whatever the machine TZ)', () => {
    expect(windowFor(at(8), pb.windows, SH)).toEqual({ index: 0, start: at(10), end: at(12) });
    expect(windowFor(at(10, 30), pb.windows, SH)).toEqual({ index: 0, start: at(10), end: at(12) });
    expect(windowFor(at(12), pb.windows, SH)).toEqual({ index: 1, start: at(19), end: at(21) });
    expect(windowFor(at(20, 59), pb.windows, SH)).toEqual({ index: 1, start: at(19), end: at(21) });
    expect(windowFor(at(21), pb.windows, SH)).toBeNull();
  });
  it('releases the daily budget in equal parts per window; unused carries over; never negative', () => {
    expect(allowance(200, 0, 2, 0)).toBe(100);
    expect(allowance(200, 1, 2, 80)).toBe(120);
    expect(allowance(200, 1, 2, 200)).toBe(0);
    expect(allowance(5, 0, 2, 0)).toBe(2);
    expect(allowance(5, 1, 2, 2)).toBe(3);
    expect(allowance(200, 0, 2, 150)).toBe(0);
  });
});

describe('dates', () => {
  it('the day before a local date crosses months and years', () => {
    expect(dayBefore('2026-12-01')).toBe('2026-11-30');
    expect(dayBefore('2027-01-01')).toBe('2026-12-31');
    expect(dayBefore('2028-03-01')).toBe('2028-02-29');
  });
});

describe('holdout assignment', () => {
  it('is deterministic for a seed, member and silence, and differs with the seed', () => {
    expect(holdoutDraw('s1', 42, 1000)).toBe(holdoutDraw('s1', 42, 1000));
    expect(holdoutDraw('s1', 42, 1000)).not.toBe(holdoutDraw('s2', 42, 1000));
    expect(holdoutDraw('s1', 42, 1000)).not.toBe(holdoutDraw('s1', 42, 2000));
    expect(armFor(0.05, 0.1)).toBe('holdout');
    expect(armFor(0.1, 0.1)).toBe('treatment');
  });
  it('splits close to the share', () => {
    let holdout = 0;
    for (let i = 1; i <= 20_000; i++) if (armFor(holdoutDraw('seed', i, 0), 0.1) === 'holdout') holdout++;
    expect(holdout / 20_000).toBeGreaterThan(0.09);
    expect(holdout / 20_000).toBeLessThan(0.11);
  });
  it('is spread evenly over [0, 1) for consecutive members, anchors a day apart and other seeds', () => {
    const deciles = (draws: number[]) => {
      const bins = new Array<number>(10).fill(0);
      for (const d of draws) bins[Math.floor(d * 10)]!++;
      return bins.map((b) => b / draws.length);
    };
    const anchor = 1_790_000_000_000;
    const sets = [
      Array.from({ length: 20_000 }, (_, i) => holdoutDraw('2026-q4', 1_000_000 + i, anchor)),
      Array.from({ length: 20_000 }, (_, i) => holdoutDraw('2026-q4', 42, anchor - i * DAY_MS)),
      Array.from({ length: 20_000 }, (_, i) => holdoutDraw(`seed-${i}`, 42, anchor)),
    ];
    for (const draws of sets) {
      for (const share of deciles(draws)) expect(Math.abs(share - 0.1)).toBeLessThan(0.015);
      expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    }
  });
  it('takes the seed as text or already hashed (what SQL passes), with the same result', () => {
    expect(holdoutDraw(seedHash('2026-q4'), 7, 1_790_000_000_123)).toBe(holdoutDraw('2026-q4', 7, 1_790_000_000_123));
    expect(seedHash('a')).not.toBe(seedHash('b'));
  });
});

describe('lift and its 95% interval', () => {
  const r4 = (x: number | undefined) => Math.round((x ?? NaN) * 10_000) / 10_000;
  it('matches Newcombe (1998) table II, method 10 (hybrid score) and method 1 (Wald)', () => {
    const a = newcombe(56, 70, 48, 80);
    expect([r4(a.diff!), r4(a.ci?.low), r4(a.ci?.high)]).toEqual([0.2, 0.0524, 0.3339]);
    const w = wald(56, 70, 48, 80);
    expect([r4(w.ci?.low), r4(w.ci?.high)]).toEqual([0.0575, 0.3425]);
    const b = newcombe(9, 10, 3, 10);
    expect([r4(b.ci?.low), r4(b.ci?.high)]).toEqual([0.1705, 0.809]);
    const c = newcombe(5, 56, 0, 29);
    expect([r4(c.ci?.low), r4(c.ci?.high)]).toEqual([-0.0381, 0.1926]);
    const d = newcombe(0, 10, 0, 20);
    expect([r4(d.ci?.low), r4(d.ci?.high)]).toEqual([-0.1611, 0.2775]);
  });
  it('has no lift when a group is empty; Wilson of 0/0 is [0, 1]', () => {
    expect(newcombe(3, 10, 0, 0)).toEqual({ diff: null, ci: null });
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
