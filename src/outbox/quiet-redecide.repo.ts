import type { Db } from '../platform/db/client.js';
import { MARKETING_PRIORITIES } from './purposes.js';

/**
 * Marketing rows held for quiet hours longer than the quiet hours in force now allow (the window was
 * shortened or moved) are released: due at `release` (the end of the window `now` falls in, or `now`
 * outside it), or at their own not-before when that is later; the expiry the deferral moved forward
 * moves back by the same time. Rows held too short need nothing here: the feed's own quiet-hours
 * statement holds them again. Returns how many rows were released.
 * @example redecideQuietDeferrals(db, Date.now(), quietUntil(now, policy) ?? now)
 */
export function redecideQuietDeferrals(db: Db, now: number, release: number): number {
  const newDue = `max(@release, coalesce(not_before, 0))`;
  const held = `@release > @now and coalesce(not_before, 0) < @release`;
  return db.$client
    .prepare(
      `update outbox set
       deferred_until = case when ${held} then @release else null end,
       deferred_why = case when ${held} then deferred_why else null end,
       expires_at = case when expires_at is null then null else expires_at - (deferred_until - ${newDue}) end,
       updated_at = @now
     where status = 'queued' and fed_at is null and deferred_why = 'quiet-hours'
       and priority in (${MARKETING_PRIORITIES.join(', ')}) and deferred_until > ${newDue}`,
    )
    .run({ now, release }).changes;
}
