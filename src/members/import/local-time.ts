/**
 * Local wall-clock readings → instants, fast enough for a million rows. `zonedTime` (core/time.ts)
 * asks Intl twice per call; here the zone's UTC offset is worked out once per local calendar day and
 * reused for every time of that day. A day whose offset changes (a DST switch) is not cached: each of
 * its times goes through `zonedTime`, so results are always the same as `zonedTime`'s.
 */
import { zonedTime } from '../../core/time.js';

/** Most days remembered per zone before the memo starts over (about 270 years of dates). */
const MAX_DAYS = 100_000;
const memo = new Map<string, Map<number, number>>();

function dayOffset(year: number, month: number, day: number, tz: string): number {
  let days = memo.get(tz);
  if (!days) memo.set(tz, (days = new Map()));
  const key = year * 10_000 + month * 100 + day;
  let offset = days.get(key);
  if (offset === undefined) {
    const atStart = Date.UTC(year, month - 1, day, 0, 0) - zonedTime(year, month, day, 0, 0, tz).getTime();
    const atEnd = Date.UTC(year, month - 1, day, 23, 59) - zonedTime(year, month, day, 23, 59, tz).getTime();
    offset = atStart === atEnd ? atStart : Number.NaN;
    if (days.size >= MAX_DAYS) days.clear();
    days.set(key, offset);
  }
  return offset;
}

/**
 * The instant (epoch ms) at which the wall clock in `tz` shows the given local time; the same as
 * `zonedTime(...).getTime() + second * 1000`.
 * @example localInstant(2024, 5, 1, 13, 45, 0, 'Asia/Shanghai') // 1714542300000
 */
export function localInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, tz: string): number {
  const offset = dayOffset(year, month, day, tz);
  if (Number.isNaN(offset)) return zonedTime(year, month, day, hour, minute, tz).getTime() + second * 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second) - offset;
}
