import type { MembershipPlaybook, Tier } from './playbook.js';

/** Pure membership arithmetic: tiers, points and growth. No store, no clock. */

type TierRules = Pick<MembershipPlaybook, 'tiers'>;
type PointRules = Pick<MembershipPlaybook, 'points'>;

/**
 * The tier a growth value earns (tiers are sorted lowest first; the first starts at 0).
 * @example tierFor(3500, playbook).code // 'silver'
 */
export function tierFor(growth: number, playbook: TierRules): Tier {
  let tier = playbook.tiers[0]!;
  for (const t of playbook.tiers) if (growth >= t.minGrowth) tier = t;
  return tier;
}

/** The tier with this code, or null when the playbook has no such tier (e.g. a renamed one). */
export function tierByCode(code: string, playbook: TierRules): Tier | null {
  return playbook.tiers.find((t) => t.code === code) ?? null;
}

/** The lowest tier: where every new member starts. */
export function baseTier(playbook: TierRules): Tier {
  return playbook.tiers[0]!;
}

/** The tier above `code`, or null at the top. */
export function nextTier(code: string, playbook: TierRules): Tier | null {
  const i = playbook.tiers.findIndex((t) => t.code === code);
  return playbook.tiers[i + 1] ?? null;
}

/**
 * The higher of the member's current tier and the tier their growth earns (tiers are never lowered
 * by an order; with `tierDowngrade: yearly` only the yearly review lowers them, see `reviewTier`). A stored tier the playbook no longer knows counts as the lowest.
 */
export function tierAfterGrowth(currentCode: string, growth: number, playbook: TierRules): Tier {
  const earned = tierFor(growth, playbook);
  const current = tierByCode(currentCode, playbook);
  return current && current.minGrowth > earned.minGrowth ? current : earned;
}

/**
 * Points for an order: floor(amount ÷ yuanPerPoint × multiplier), in integers (no float drift).
 * @example pointsForOrder(12_345, 1.5, playbook) // 123.45 RMB at 10 RMB/point ×1.5 → 18
 */
export function pointsForOrder(amountFen: number, multiplier: number, playbook: PointRules): number {
  const multiplierPct = Math.round(multiplier * 100);
  return Math.floor((amountFen * multiplierPct) / (playbook.points.yuanPerPoint * 100 * 100));
}

/** Growth for an order: whole RMB × growthPerYuan. */
export function growthForOrder(amountFen: number, playbook: PointRules): number {
  return Math.floor(amountFen / 100) * playbook.points.growthPerYuan;
}

/** The length of the window `tierDowngrade: yearly` reviews: the 12 months before the review day. */
export const REVIEW_WINDOW_MONTHS = 12;

/**
 * Whether a member who joined on local date `joined` (`YYYY-MM-DD`) is reviewed on local date
 * `today`: on each anniversary of joining, from the first one on; a 29 February joiner on 28 February
 * in common years.
 * @example isReviewDay('2024-02-29', '2025-02-28') // true
 */
export function isReviewDay(joined: string, today: string): boolean {
  const [jy, jm, jd] = joined.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  if (ty <= jy) return false;
  if (jm === tm && jd === td) return true;
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return jm === 2 && jd === 29 && tm === 2 && td === 28 && !leap(ty);
}

/**
 * The yearly review (`tierDowngrade: yearly`): the growth a member keeps is what the last 12 months
 * earned, and the tier is the one that growth earns, but never above the current tier (a review only
 * lowers; orders raise). A stored tier the playbook no longer knows counts as the lowest.
 * @example reviewTier('gold', 3200, playbook) // { tier: silver, growth: 3200, downgraded: true }
 */
export function reviewTier(currentCode: string, growthLast12Months: number, playbook: TierRules): { tier: Tier; growth: number; downgraded: boolean } {
  const earned = tierFor(growthLast12Months, playbook);
  const current = tierByCode(currentCode, playbook) ?? baseTier(playbook);
  const tier = earned.minGrowth < current.minGrowth ? earned : current;
  return { tier, growth: growthLast12Months, downgraded: tier.code !== currentCode && tier.minGrowth < current.minGrowth };
}
