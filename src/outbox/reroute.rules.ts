import type { RouteChoice } from './routing.rules.js';

/**
 * The pure parts of routing rows again when reach changes: an `unreachable` row that an account now
 * reaches, and a queued row whose account lost its target.
 */

/** An `unreachable` row looked at again: its id and expiry. */
export interface UnreachableRow {
  id: number;
  expiresAt: number | null;
}

/** What becomes of `unreachable` rows routed again. */
export interface UnreachablePlan {
  /** Queued on the account that now reaches the target (maybe by another contact id of the person). */
  queue: { id: number; to: string; targetId: string }[];
  /** Past their expiry: they end `expired`, never queued. */
  expire: number[];
}

/**
 * For `unreachable` rows and the routing's choice for each: expired rows end `expired`; rows an
 * account reaches now are queued on it; the rest stay unreachable.
 * @example unreachablePlan([{ id: 1, expiresAt: null }], [{ account: 'hz02', targetId: 'c1', why: 'least-loaded' }], 0) // { queue: [{ id: 1, to: 'hz02', targetId: 'c1' }], expire: [] }
 */
export function unreachablePlan(rows: readonly UnreachableRow[], choices: readonly RouteChoice[], now: number): UnreachablePlan {
  const out: UnreachablePlan = { queue: [], expire: [] };
  rows.forEach((r, i) => {
    if (r.expiresAt !== null && r.expiresAt <= now) out.expire.push(r.id);
    else {
      const c = choices[i];
      if (c && 'account' in c) out.queue.push({ id: r.id, to: c.account, targetId: c.targetId });
    }
  });
  return out;
}

/** What becomes of queued rows whose account no longer reaches their target. */
export interface LostPlan {
  /** Moved to another account that reaches the target. */
  move: { id: number; from: string; to: string; targetId: string }[];
  /** No other account reaches it: `unreachable`, with the reason. */
  unreachable: { id: number; from: string; reason: string }[];
}

/**
 * For queued rows of `account` whose target it lost, and the routing's choice for each (the lost
 * reach is already gone from the table, so the choice is never that account by that contact id).
 * @example lostPlan('hz01', [{ id: 7 }], [{ unreachable: 'no enabled account is in group r1' }]) // { move: [], unreachable: [{ id: 7, from: 'hz01', reason: 'no enabled account is in group r1' }] }
 */
export function lostPlan(account: string, rows: readonly { id: number }[], choices: readonly RouteChoice[]): LostPlan {
  const out: LostPlan = { move: [], unreachable: [] };
  rows.forEach((r, i) => {
    const c = choices[i];
    if (!c) return;
    if ('account' in c) out.move.push({ id: r.id, from: account, to: c.account, targetId: c.targetId });
    else out.unreachable.push({ id: r.id, from: account, reason: c.unreachable });
  });
  return out;
}
