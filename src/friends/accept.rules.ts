/** The accept decision for a friend request. Pure: counts, `now` and the random draw are passed in. */

export interface AcceptRules {
  keyword: string | null;
  dailyCap: number;
  delay: { min: number; max: number };
}

/** What to do with a request. */
export type AcceptDecision = { action: 'schedule'; dueAt: number } | { action: 'cap' } | { action: 'skip'; reason: string };

/**
 * Decides one `receive` request: without the keyword (when one is set) it is skipped; with the day's
 * cap used up (`usedToday` = requests already scheduled or accepted on today's cap) it is capped;
 * otherwise accepted at `now` plus a random delay within the range.
 * @param random a draw in [0, 1)
 * @example decideAccept({ hello: 'hi', usedToday: 3, now: 0, random: 0.5 }, { keyword: null, dailyCap: 20, delay: { min: 1000, max: 3000 } })
 * // { action: 'schedule', dueAt: 2000 }
 */
export function decideAccept(input: { hello: string; usedToday: number; now: number; random: number }, rules: AcceptRules): AcceptDecision {
  if (rules.keyword && !input.hello.toLowerCase().includes(rules.keyword.toLowerCase())) {
    return { action: 'skip', reason: `greeting lacks the keyword "${rules.keyword}"` };
  }
  if (input.usedToday >= rules.dailyCap) return { action: 'cap' };
  return { action: 'schedule', dueAt: input.now + acceptDelay(rules.delay, input.random) };
}

/** A delay within [min, max] from a draw in [0, 1). */
export function acceptDelay(range: { min: number; max: number }, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(range.min + (range.max - range.min) * r);
}
