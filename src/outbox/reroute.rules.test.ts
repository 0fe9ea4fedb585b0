import { describe, expect, it } from 'vitest';
import { lostPlan, unreachablePlan } from './reroute.rules.js';

describe('routing rows again when reach changes (pure)', () => {
  it('an unreachable row: queued on the account that reaches it now, expired past its expiry (even if reached), left alone otherwise', () => {
    const now = 1_000;
    const plan = unreachablePlan(
      [
        { id: 1, expiresAt: null },
        { id: 2, expiresAt: 1_000 },
        { id: 3, expiresAt: 2_000 },
        { id: 4, expiresAt: 999 },
      ],
      [
        { account: 'hz01', targetId: 'c1b', why: 'least-loaded' },
        { account: 'hz02', targetId: 'c2', why: 'preferred' },
        { unreachable: 'no enabled account is in group r3' },
        { unreachable: 'no enabled account is in group r4' },
      ],
      now,
    );
    expect(plan).toEqual({ queue: [{ id: 1, to: 'hz01', targetId: 'c1b' }], expire: [2, 4] });
  });

  it('a queued row whose account lost its target: moves to the account routing chose, or becomes unreachable with the reason', () => {
    const plan = lostPlan(
      'hz01',
      [{ id: 7 }, { id: 8 }],
      [{ account: 'hz02', targetId: 'c7', why: 'least-loaded' }, { unreachable: 'no enabled account is a friend of contact c8' }],
    );
    expect(plan).toEqual({
      move: [{ id: 7, from: 'hz01', to: 'hz02', targetId: 'c7' }],
      unreachable: [{ id: 8, from: 'hz01', reason: 'no enabled account is a friend of contact c8' }],
    });
  });
});
