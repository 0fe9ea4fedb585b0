import { describe, expect, it } from 'vitest';
import { countText, pacedPerMinute, spreadOver } from './capacity.rules.js';

const budget = { ratePerMinute: 20, gapMinMs: 1000, gapMaxMs: 3000 };

describe('capacity across accounts', () => {
  it('paces an account at its budget less the reply slot, or its pauses, whichever is slower', () => {
    expect(pacedPerMinute(budget)).toBe(19);
    expect(pacedPerMinute({ ratePerMinute: 60, gapMinMs: 2000, gapMaxMs: 4000 })).toBe(20);
    expect(pacedPerMinute({ ratePerMinute: 0, gapMinMs: 0, gapMaxMs: 0 })).toBe(Infinity);
  });

  it('finishes when the busiest account sends its last, each at its own pace', () => {
    const s = spreadOver([
      { account: 'a', messages: 95, budget },
      { account: 'b', messages: 38, budget },
      { account: 'slow', messages: 30, budget: { ...budget, ratePerMinute: 6 } },
      { account: 'idle', messages: 0, budget },
    ]);
    expect(s).toEqual({ accounts: 3, messages: 163, minutesNeeded: 6, perMinute: 43, busiest: 'slow' });
  });

  it('10,000 cards over 100 accounts at 20/min: about 6 minutes, not 9 hours', () => {
    const shares = Array.from({ length: 100 }, (_, i) => ({ account: `a${i}`, messages: 100, budget }));
    expect(spreadOver(shares)).toMatchObject({ accounts: 100, messages: 10_000, minutesNeeded: 6, perMinute: 1900 });
    expect(countText(10_000)).toBe('10,000');
  });

  it('says nothing is needed when nothing is routed', () => {
    expect(spreadOver([])).toEqual({ accounts: 0, messages: 0, minutesNeeded: 0, perMinute: null, busiest: null });
  });
});
