/**
 * Calendar arithmetic on local dates written `YYYY-MM-DD` (no timezone involved: the date is already
 * local; turn an instant into one with `localDate` in ./time.ts). One copy for every capability.
 */

const DAY_MS = 86_400_000;

function utcOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

/** `date` plus `n` days (n may be negative). @example addDays('2026-02-27', 2) // '2026-03-01' */
export function addDays(date: string, n: number): string {
  return new Date(utcOf(date) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The next calendar date. @example nextDate('2026-02-28') // '2026-03-01' */
export function nextDate(date: string): string {
  return addDays(date, 1);
}

/** The calendar date before. @example previousDate('2026-12-01') // '2026-11-30' */
export function previousDate(date: string): string {
  return addDays(date, -1);
}

/** Whole days from `a` to `b` (b − a). @example daysBetween('2026-11-25', '2026-12-01') // 6 */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcOf(b) - utcOf(a)) / DAY_MS);
}

/** Weekday of a date, 0 = Sunday. @example weekdayOf('2026-11-25') // 3 */
export function weekdayOf(date: string): number {
  return new Date(utcOf(date)).getUTCDay();
}
