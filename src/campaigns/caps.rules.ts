import { localParts } from '../core/time.js';
import type { CampaignDef } from './campaign.file.js';

/** Days in the local month of `at` (28–31). */
export function daysInMonth(at: Date, tz: string): number {
  const p = localParts(at, tz);
  return new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
}

/** The caps in force for an occurrence at `at`: defaults 1/day and days-in-month per month. */
export function groupCaps(def: Pick<CampaignDef, 'caps'>, at: Date, tz: string): { perDay: number; perMonth: number } {
  return { perDay: def.caps.perGroupPerDay ?? 1, perMonth: def.caps.perGroupPerMonth ?? daysInMonth(at, tz) };
}

/** Campaign posts already planned to one group (not skipped), in the occurrence's local day and month. */
export interface GroupPostCounts {
  day: number;
  month: number;
}

/**
 * Whether one more campaign post may go to a group, and if not, the reason to record.
 * @example capDecision({ day: 1, month: 3 }, { perDay: 1, perMonth: 30 }) // { ok: false, reason: 'group-cap 1/day reached' }
 */
export function capDecision(counts: GroupPostCounts, caps: { perDay: number; perMonth: number }): { ok: true } | { ok: false; reason: string } {
  if (counts.day >= caps.perDay) return { ok: false, reason: `group-cap ${caps.perDay}/day reached` };
  if (counts.month >= caps.perMonth) return { ok: false, reason: `group-cap ${caps.perMonth}/month reached` };
  return { ok: true };
}
