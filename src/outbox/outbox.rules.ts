import { inWindow, windowEnd, type DailyWindow } from '../core/time.js';
import { PURPOSES, type Purpose } from './purposes.js';

/** What the sender must do with one queued message right now. */
export type SendDecision =
  | { action: 'send' }
  | { action: 'defer'; until: number; why: string }
  | { action: 'skip'; reason: string }
  | { action: 'expire'; reason: string };

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
 * The sender's rules, in order: expiry, not-before, then for marketing: opt-out, the per-member
 * daily cap, quiet hours (deferred to the end of the quiet window, unless that passes expiry).
 * Service purposes (replies, alerts, staff prompts) ignore opt-out, caps and quiet hours.
 * @example decideSend(facts, Date.parse('2026-11-25T14:00:00Z'), policy) // 22:00 Shanghai → defer
 */
export function decideSend(f: SendFacts, now: number, policy: SendPolicy): SendDecision {
  if (f.expiresAt !== null && now >= f.expiresAt) {
    return { action: 'expire', reason: `expired at ${new Date(f.expiresAt).toISOString()} before it could go` };
  }
  if (f.notBefore !== null && now < f.notBefore) {
    return { action: 'defer', until: f.notBefore, why: 'not-before' };
  }
  if (!PURPOSES[f.purpose].marketing) return { action: 'send' };
  if (f.targetKind === 'contact') {
    if (f.optedOut) return { action: 'skip', reason: 'opted-out' };
    if (f.marketingSentToday >= policy.marketingCapPerDay) {
      return { action: 'skip', reason: `member-cap ${policy.marketingCapPerDay}/day reached` };
    }
  }
  const at = new Date(now);
  if (inWindow(at, policy.quietHours, policy.timezone)) {
    const until = windowEnd(at, policy.quietHours, policy.timezone).getTime();
    if (f.expiresAt !== null && until >= f.expiresAt) {
      return { action: 'expire', reason: 'quiet hours last past its expiry' };
    }
    return { action: 'defer', until, why: 'quiet-hours' };
  }
  return { action: 'send' };
}

/** A random pause between two sends of one account, in [min, max] ms. */
export function sendGap(minMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(minMs + (maxMs - minMs) * random());
}
