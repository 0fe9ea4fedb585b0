import { inWindow, windowEnd, type DailyWindow } from '../core/time.js';
import { PURPOSES, type Purpose } from './purposes.js';

/** What the sender must do with one queued message right now. */
export type SendDecision =
  { action: 'send' } | { action: 'defer'; until: number; why: DeferWhy; expiresAt?: number | null } | { action: 'skip'; reason: string } | { action: 'expire'; reason: string };

/** Why a message waits past its time; shown to operators as `deferred until 08:30 (quiet hours)`. */
export type DeferWhy = 'not-before' | 'quiet-hours' | 'retry' | 'not-logged-in';

export const DEFER_LABELS: Record<DeferWhy, string> = {
  'not-before': 'scheduled',
  'quiet-hours': 'quiet hours',
  retry: 'retry after a failed attempt',
  'not-logged-in': 'account not logged in',
};

export interface SendFacts {
  purpose: Purpose;
  targetKind: 'contact' | 'room';
  notBefore: number | null;
  expiresAt: number | null;
  /** The contact opted out of marketing. */
  optedOut: boolean;
  /** Marketing messages already sent to this contact today (local day). */
  marketingSentToday: number;
}

export interface SendPolicy {
  timezone: string;
  quietHours: DailyWindow;
  marketingCapPerDay: number;
}

/**
 * The sender's rules, in order. For marketing to a person, opt-out first (an opted-out member's row is
 * `skipped opted-out` whenever it is decided), then expiry, not-before, the per-member daily cap and
 * quiet hours. Quiet hours defer, never drop: the message waits for the end of the window and its
 * expiry moves with it (the time it had left runs from when it may first go).
 * Service purposes (replies, alerts, staff prompts) ignore opt-out, caps and quiet hours.
 * @example decideSend(facts, Date.parse('2026-11-25T14:00:00Z'), policy) // 22:00 Shanghai → defer to 08:30
 */
export function decideSend(f: SendFacts, now: number, policy: SendPolicy): SendDecision {
  const marketing = PURPOSES[f.purpose].marketing;
  if (marketing && f.targetKind === 'contact' && f.optedOut) return { action: 'skip', reason: 'opted-out' };
  if (f.expiresAt !== null && now >= f.expiresAt) {
    return { action: 'expire', reason: `expired at ${new Date(f.expiresAt).toISOString()} before it could go` };
  }
  if (f.notBefore !== null && now < f.notBefore) {
    return { action: 'defer', until: f.notBefore, why: 'not-before' };
  }
  if (!marketing) return { action: 'send' };
  if (f.targetKind === 'contact' && f.marketingSentToday >= policy.marketingCapPerDay) {
    return { action: 'skip', reason: `member-cap ${policy.marketingCapPerDay}/day reached` };
  }
  const until = quietUntil(now, policy);
  if (until !== null) {
    return { action: 'defer', until, why: 'quiet-hours', expiresAt: shiftExpiry(f.expiresAt, Math.max(now, f.notBefore ?? 0), until) };
  }
  return { action: 'send' };
}

/** The end of the quiet window `now` falls in, or null outside it. */
export function quietUntil(now: number, policy: Pick<SendPolicy, 'quietHours' | 'timezone'>): number | null {
  const at = new Date(now);
  return inWindow(at, policy.quietHours, policy.timezone) ? windowEnd(at, policy.quietHours, policy.timezone).getTime() : null;
}

/** The expiry of a message held from `from` to `until`: the time it had left runs from `until`. */
export function shiftExpiry(expiresAt: number | null, from: number, until: number): number | null {
  return expiresAt === null ? null : until + Math.max(0, expiresAt - from);
}

/** A random pause between two sends of one account, in [min, max] ms. */
export function sendGap(minMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(minMs + (maxMs - minMs) * random());
}
