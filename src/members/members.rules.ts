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
 * by an order; `tierDowngrade: never`). A stored tier the playbook no longer knows counts as the lowest.
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
