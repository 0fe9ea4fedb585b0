import { localDate } from '../core/time.js';
import { DEFER_LABELS, type DeferWhy } from './outbox.rules.js';

/** The fields of an outbox row its displayed state reads. */
export interface DescribedRow {
  status: string;
  notBefore: number | null;
  deferredUntil: number | null;
  deferredWhy: string | null;
}

/** `08:30` when `at` is on the local day of `now`, else `11-26 08:30`. */
function clockText(at: number, now: number, tz: string): string {
  const hm = new Date(at).toLocaleTimeString('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hour12: false });
  const day = localDate(new Date(at), tz);
  return day === localDate(new Date(now), tz) ? hm : `${day.slice(5)} ${hm}`;
}

/**
 * A row's state as an operator reads it: a queued row that waits says until when and why
 * (`deferred until 08:30 (quiet hours)`, `scheduled for 11-26 10:00`); every other row its status.
 * @example displayStatus({ status: 'queued', notBefore: null, deferredUntil: t0830, deferredWhy: 'quiet-hours' }, now, 'Asia/Shanghai') // 'deferred until 08:30 (quiet hours)'
 */
export function displayStatus(r: DescribedRow, now: number, tz: string): string {
  if (r.status !== 'queued') return r.status;
  if (r.deferredUntil !== null && r.deferredUntil > now) {
    const why = DEFER_LABELS[r.deferredWhy as DeferWhy] ?? r.deferredWhy ?? 'held';
    return `deferred until ${clockText(r.deferredUntil, now, tz)} (${why})`;
  }
  if (r.notBefore !== null && r.notBefore > now) return `scheduled for ${clockText(r.notBefore, now, tz)}`;
  return 'queued';
}
