/**
 * The yearly tier review (`tierDowngrade: yearly` in the playbook). On each anniversary of joining
 * (`joined_at`, else when the record was created), a member keeps the growth of the last 12 months
 * (from their orders) and the tier that growth earns, never above the current tier. A lower tier is
 * recorded as a `tier-downgrade` event, which lifecycle care turns into a message when
 * `texts.care.tierDowngrade` is set. Runs daily; a second run of the same day changes nothing more.
 */
import type Database from 'better-sqlite3';
import { localDate, localParts, zonedTime } from '../core/time.js';
import type { Db } from '../platform/db/client.js';
import { growthForOrder, isReviewDay, REVIEW_WINDOW_MONTHS, reviewTier } from './members.rules.js';
import type { MembershipPlaybook } from './playbook.js';

export interface TierReviewResult {
  reviewed: number;
  downgraded: number;
}

interface Candidate {
  id: number;
  tier: string;
  growth: number;
  since: number;
}

/** The instants [from, to) of the local days, in every year since `firstYear`, that are anniversaries of `today`. */
function anniversaryRanges(today: string, firstYear: number, tz: string): [number, number][] {
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const ranges: [number, number][] = [];
  for (let y = firstYear; y < ty; y++) {
    const days = [td];
    if (tm === 2 && td === 28) days.push(29); // 29 February joiners, in common years (the rule decides)
    for (const d of days) ranges.push([zonedTime(y, tm, d, 0, 0, tz).getTime(), zonedTime(y, tm, d + 1, 0, 0, tz).getTime()]);
  }
  return ranges;
}

/**
 * Reviews the members whose anniversary of joining is the local day of `slot`.
 * @example runTierReview(db, playbook, new Date(), 'Asia/Shanghai') // { reviewed: 12, downgraded: 3 }
 */
export function runTierReview(db: Db, playbook: MembershipPlaybook, slot: Date, tz: string): TierReviewResult {
  const result: TierReviewResult = { reviewed: 0, downgraded: 0 };
  if (playbook.tierDowngrade !== 'yearly') return result;
  const sqlite: Database.Database = db.$client;
  const today = localDate(slot, tz);
  const first = sqlite.prepare<[], number | null>('select min(coalesce(joined_at, created_at)) from members').pluck().get();
  if (first === null || first === undefined) return result;
  const ranges = anniversaryRanges(today, localParts(new Date(first), tz).year, tz);
  if (ranges.length === 0) return result;
  const since = sqlite.prepare<number[], Candidate>(`select id, tier, growth, coalesce(joined_at, created_at) as since from members
    where ${ranges.map(() => '(coalesce(joined_at, created_at) >= ? and coalesce(joined_at, created_at) < ?)').join(' or ')}`);
  const candidates = since.all(...ranges.flat()).filter((m) => isReviewDay(localDate(new Date(m.since), tz), today));
  const p = localParts(slot, tz);
  const windowStart = zonedTime(p.year, p.month - REVIEW_WINDOW_MONTHS, p.day, 0, 0, tz).getTime();
  // The last 12 months: from the same local day a year ago up to now (orders of today included).
  const orders = sqlite.prepare<[number, number], { amountFen: number }>('select amount_fen as amountFen from orders where member_id = ? and ordered_at >= ?');
  const update = sqlite.prepare<[string, number, number, number]>('update members set tier = ?, growth = ?, updated_at = ? where id = ?');
  const event = sqlite.prepare<[number, string, string, number]>(
    "insert into member_events (member_id, kind, ref, data, at) values (?, 'tier-downgrade', ?, ?, ?) on conflict (ref) do nothing",
  );
  const at = slot.getTime();
  sqlite
    .transaction(() => {
      for (const m of candidates) {
        const growth = orders.all(m.id, windowStart).reduce((g, o) => g + growthForOrder(o.amountFen, playbook), 0);
        const r = reviewTier(m.tier, growth, playbook);
        result.reviewed++;
        if (r.tier.code === m.tier && r.growth === m.growth) continue;
        update.run(r.tier.code, r.growth, at, m.id);
        if (r.downgraded) {
          result.downgraded++;
          event.run(m.id, `tier-downgrade:${today}:${m.id}`, JSON.stringify({ tierBefore: m.tier, tierAfter: r.tier.code, growth: r.growth }), at);
        }
      }
    })
    .immediate();
  return result;
}
