/**
 * A member's last activity, defined once. Activity is a message (any inbound message, group or
 * private), a purchase (an order), a redemption (兑换, which is itself a message to the bot, so it moves
 * `last_active_at`) or joining: a member who never wrote and never bought has been silent since they
 * joined (else since they were recorded). Read by the 3+3+3 picks (silent, high-value, keep-in-touch)
 * and the wake-up stages, so every member past the card's silence threshold is in the hands of exactly
 * one routine: the card up to the wake-up threshold, the wake-up from it.
 */

export const DAY_MS = 86_400_000;

/** The member columns activity is computed from (epoch ms or null). */
export interface ActivityFacts {
  lastActiveAt: number | null;
  lastPurchaseAt: number | null;
  /** Joined, else recorded (`coalesce(joined_at, created_at)`). */
  joinedAt?: number | null;
}

/**
 * The last activity: the latest message or purchase, else joining; null only when nothing is known.
 * @example lastActivityAt({ lastActiveAt: null, lastPurchaseAt: 5, joinedAt: 1 }) // 5
 */
export function lastActivityAt(m: ActivityFacts): number | null {
  const a = m.lastActiveAt;
  const p = m.lastPurchaseAt;
  if (a !== null && p !== null) return Math.max(a, p);
  return a ?? p ?? m.joinedAt ?? null;
}

/** Whole days since the last activity at `now` (null when nothing is known). */
export function silentDaysAt(m: ActivityFacts, now: number): number | null {
  const since = lastActivityAt(m);
  return since === null ? null : Math.floor((now - since) / DAY_MS);
}

/**
 * The same as SQL over a `members` row aliased `m` (SQLite's multi-argument `max` is null when an
 * argument is, hence the coalesce chain). The expression index `members_activity_idx` (migration 0011)
 * is this very expression: keep the two the same, or range scans lose the index.
 */
export function activitySql(m = 'm'): string {
  return `coalesce(max(${m}.last_active_at, ${m}.last_purchase_at), ${m}.last_active_at, ${m}.last_purchase_at, ${m}.joined_at, ${m}.created_at)`;
}
