import { localParts, zonedTime, type DailyWindow } from '../core/time.js';
import type { StageDef, WakeupPlaybook } from './playbook.js';

/**
 * The wake-up rules, pure: they take `now` (epoch ms) and the timezone. The SQL in wakeup.repo.ts
 * answers the same questions for the whole store at once; these are the reference it is tested against.
 */

export const DAY_MS = 86_400_000;

/** Whole days between the member's last activity and `now`. */
export function silentDays(anchorAt: number, now: number): number {
  return Math.floor((now - anchorAt) / DAY_MS);
}

/** The local date before `date` (`YYYY-MM-DD`, no timezone involved): core's previousDate. @example dayBefore('2026-12-01') // '2026-11-30' */
export { previousDate as dayBefore } from '../core/calendar.js';

/** What the rules need to know about one member. */
export interface MemberFacts {
  /** Last activity (the dormancy anchor): the latest of message/purchase, else joined, else created. */
  anchorAt: number;
  joinedAt: number | null;
  optedOut: boolean;
  /** A contact of the bot account (reachable through the outbox). */
  contactId: string | null;
  guideCode: string | null;
  /** Last marketing message sent to the member (any purpose), if any. */
  lastMarketingAt: number | null;
  openQuestion: boolean;
}

export type Exclusion = 'opted-out' | 'new-member' | 'unreachable' | 'too-long-silent' | 'recent-marketing' | 'open-question';

/**
 * Why a member may not start a dormant episode now, or null when they may (they must also be silent
 * at least `stages[0].days`, see `dueStage`). Recent marketing and an open question do not stop an
 * episode from starting: they postpone each stage (`stepExclusion`), for both arms alike.
 */
export function exclusionFor(m: MemberFacts, pb: WakeupPlaybook, now: number): Exclusion | null {
  if (m.optedOut) return 'opted-out';
  if (m.joinedAt !== null && m.joinedAt > now - pb.exclusions.newMemberDays * DAY_MS) return 'new-member';
  if (!m.contactId && !m.guideCode) return 'unreachable';
  if (silentDays(m.anchorAt, now) > pb.exclusions.maxSilentDays) return 'too-long-silent';
  return null;
}

/** The exclusions checked again before every stage (both arms alike): recent marketing, an open question. */
export function stepExclusion(m: Pick<MemberFacts, 'lastMarketingAt' | 'openQuestion'>, pb: WakeupPlaybook, now: number): Exclusion | null {
  if (pb.exclusions.marketingWithinDays > 0 && m.lastMarketingAt !== null && m.lastMarketingAt >= now - pb.exclusions.marketingWithinDays * DAY_MS) return 'recent-marketing';
  if (pb.exclusions.openQuestion && m.openQuestion) return 'open-question';
  return null;
}

/** An episode as the stage rule sees it. */
export interface EpisodeFacts {
  anchorAt: number;
  /** Stages done so far (0 = none). */
  stage: number;
  lastStepAt: number | null;
}

/**
 * The 1-based stage the episode enters now, or null: the next stage, once the member has been
 * silent its `days` and `minDaysBetweenStages` have passed since the previous stage.
 */
export function dueStage(e: EpisodeFacts, pb: WakeupPlaybook, now: number): number | null {
  const next = pb.stages[e.stage];
  if (!next) return null;
  if (silentDays(e.anchorAt, now) < next.days) return null;
  if (e.lastStepAt !== null && now - e.lastStepAt < pb.minDaysBetweenStages * DAY_MS) return null;
  return e.stage + 1;
}

/** True when the episode finished its last stage at least `lapseAfterDays` ago. */
export function isLapsed(e: EpisodeFacts, pb: WakeupPlaybook, now: number): boolean {
  return e.stage >= pb.stages.length && e.lastStepAt !== null && now - e.lastStepAt >= pb.lapseAfterDays * DAY_MS;
}

/** Why an active episode ends, from the member's latest facts; null while still silent. */
export type StopReason = 'opt-out' | 'message' | 'purchase' | 'redemption';

/** Latest activity of a member in an episode, as the stop rule sees it. */
export interface StopFacts {
  optedOut: boolean;
  lastMessageAt: number | null;
  lastPurchaseAt: number | null;
  lastRedemptionAt: number | null;
}

/**
 * The reason an episode anchored at `anchorAt` stops, with the moment it happened: opt-out first,
 * then the earliest counted activity after the anchor.
 */
export function stopReason(f: StopFacts, anchorAt: number, pb: WakeupPlaybook, now: number): { reason: StopReason; at: number } | null {
  if (f.optedOut) return { reason: 'opt-out', at: now };
  const found: { reason: StopReason; at: number }[] = [];
  const counts = (a: 'message' | 'purchase' | 'redemption') => pb.activity.includes(a);
  if (counts('message') && f.lastMessageAt !== null && f.lastMessageAt > anchorAt) found.push({ reason: 'message', at: f.lastMessageAt });
  if (counts('purchase') && f.lastPurchaseAt !== null && f.lastPurchaseAt > anchorAt) found.push({ reason: 'purchase', at: f.lastPurchaseAt });
  if (counts('redemption') && f.lastRedemptionAt !== null && f.lastRedemptionAt > anchorAt) found.push({ reason: 'redemption', at: f.lastRedemptionAt });
  found.sort((a, b) => a.at - b.at);
  return found[0] ?? null;
}

/** One send window on a given local day, as instants. */
export interface WindowSlot {
  /** Index in the playbook's (sorted) windows. */
  index: number;
  start: number;
  end: number;
}

/**
 * The window wake-ups of a run at `now` go into: the one open now, else the next one later the same
 * local day; null when today's windows are over (the next run is tomorrow's first window).
 */
export function windowFor(now: number, windows: readonly DailyWindow[], tz: string): WindowSlot | null {
  const p = localParts(new Date(now), tz);
  for (const [index, w] of windows.entries()) {
    const start = zonedTime(p.year, p.month, p.day, Math.floor(w.startMinute / 60), w.startMinute % 60, tz).getTime();
    const end = zonedTime(p.year, p.month, p.day, Math.floor(w.endMinute / 60), w.endMinute % 60, tz).getTime();
    if (now < end) return { index, start, end };
  }
  return null;
}

/**
 * How many wake-ups a run for window `index` (of `count`) may still create today: the daily budget is
 * released in equal parts per window (what an earlier window left unused carries over).
 * @example allowance(200, 0, 2, 0) // 100; allowance(200, 1, 2, 80) // 120
 */
export function allowance(budget: number, index: number, count: number, usedToday: number): number {
  return Math.max(0, Math.floor((budget * (index + 1)) / count) - usedToday);
}

/** 32-bit FNV-1a of a text (the seed), as an unsigned integer. */
export function seedHash(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The murmur3 finalizer: a 32-bit avalanche mix. */
function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Folds one 32-bit word into the running hash. */
function mixWord(h: number, word: number): number {
  return fmix32((h ^ Math.imul(word, 0xcc9e2d51)) + 0x9e3779b9);
}

/**
 * The deterministic random draw in [0, 1) of one dormant episode, from the seed (hashed once, see
 * `seedHash`), the member id and the silence's anchor (epoch ms): murmur3-style mixing of the 32-bit
 * words, `h / 2^32`. Cheap enough to run in SQL for a million members (`wakeup_draw`), and with the
 * seed recorded every assignment is reproducible.
 * @example holdoutDraw('2026-q4', 42, 1_790_000_000_000) // the same number on every run
 */
export function holdoutDraw(seed: string | number, memberId: number, anchorAt: number): number {
  let h = typeof seed === 'number' ? seed >>> 0 : seedHash(seed);
  h = mixWord(h, memberId >>> 0);
  h = mixWord(h, Math.floor(memberId / 0x1_0000_0000) >>> 0);
  h = mixWord(h, anchorAt >>> 0);
  h = mixWord(h, Math.floor(anchorAt / 0x1_0000_0000) >>> 0);
  return h / 0x1_0000_0000;
}

export type Arm = 'treatment' | 'holdout';

/** Holdout when the draw falls under the share. */
export function armFor(draw: number, share: number): Arm {
  return draw < share ? 'holdout' : 'treatment';
}

/** The stage text for a tier (falls back to `default`). */
export function stageText(stage: StageDef, tier: string): string {
  return stage.texts[tier] ?? stage.texts['default']!;
}
