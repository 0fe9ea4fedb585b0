import { describe, expect, it } from 'vitest';
import { estimateCapacity } from './capacity.rules.js';

const budget = { ratePerMinute: 20, gapMinMs: 1000, gapMaxMs: 3000 };
const base = { ...budget, cardTime: '09:30', cardsBy: '11:30' };

describe('3+3+3 capacity across accounts', () => {
  it('10,000 cards via 120 accounts: the last goes out minutes after the card time', () => {
    const shares = Array.from({ length: 120 }, (_, i) => ({ account: `g${i}`, messages: i < 40 ? 84 : 83, budget }));
    const e = estimateCapacity({ ...base, cards: 10_000, accounts: shares, unreachable: 0 });
    expect(e).toMatchObject({ accounts: 120, minutesNeeded: 5, lastCardAt: '09:35', ok: true, unreachable: 0 });
    expect(e.message).toBe('10,000 guide cards via 120 accounts: the last goes out about 09:35, within 11:30');
  });

  it('warns when the busiest account cannot finish by the deadline, and names the unreachable guides', () => {
    const e = estimateCapacity({
      ...base,
      cards: 3000,
      accounts: [
        { account: 'hz01', messages: 2900, budget },
        { account: 'hq', messages: 60, budget },
      ],
      unreachable: 40,
    });
    expect(e).toMatchObject({ accounts: 2, minutesNeeded: 153, lastCardAt: '12:03', ok: false, unreachable: 40 });
    expect(e.message).toBe(
      '3,000 guide cards via 2 accounts take 153 min: the last goes out about 12:03, after 11:30 (busiest: hz01). ' +
        'Add sending accounts or spread the guides over more of them; 40 guides no enabled account reaches: their cards are recorded unreachable, not sent',
    );
  });

  it('keeps the one-account line without routing', () => {
    expect(estimateCapacity({ ...base, cards: 100 })).toMatchObject({ accounts: 1, unreachable: 0, lastCardAt: '09:36', ok: true });
  });
});
