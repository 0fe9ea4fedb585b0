import chineseDays from 'chinese-days';
import { formatLocal, localParts, zonedTime } from '../core/time.js';

// chinese-days ships CommonJS to Node's ESM loader: its functions are reached through the default export.
const { getDayDetail } = chineseDays;

/**
 * Business time: the SLA clock runs only while a store serves. Pure: every function takes the
 * instants, the service hours and the IANA timezone (never the machine's TZ).
 *
 * A day serves when its weekday is a service day (`days`) and, if it is a statutory public holiday in
 * the chinese-days calendar (春节, 国庆节 …), when `holidays` is not `closed`. `days: workdays` follows
 * the official calendar, including the make-up working days (调休) on weekends.
 */

/** A daily window in minutes of the local day: 0 ≤ open < close ≤ 1440 (24:00). */
export interface DayWindow {
  open: number;
  close: number;
}

/** When a store's service runs. */
export interface ServiceHours extends DayWindow {
  /** `every-day`, `workdays` (official calendar) or local weekdays 0 (Sunday) – 6. */
  days: 'every-day' | 'workdays' | readonly number[];
  /** On statutory public holidays: `closed`, `open` (the usual window) or another window. */
  holidays: 'open' | 'closed' | DayWindow;
}

/** 09:00–21:00 every day, public holidays included (the default). */
export const DEFAULT_SERVICE_HOURS: ServiceHours = Object.freeze({ open: 9 * 60, close: 21 * 60, days: 'every-day', holidays: 'open' });

const MAX_DAYS = 800;

// Calendar arithmetic lives in core (one copy for every capability); re-exported for this folder's callers.
import { nextDate, weekdayOf } from '../core/calendar.js';
export { nextDate };

const QUARTER_HOUR = 900_000;
const offsetMemo = new Map<string, number>();

/**
 * `YYYY-MM-DD` of an instant in `tz`. Same answer as core/time's localDate, faster: the zone's UTC
 * offset is computed once per quarter hour (offsets only change on such boundaries).
 */
export function localDateOf(at: number, tz: string): string {
  const bucket = Math.floor(at / QUARTER_HOUR);
  const key = `${tz}|${bucket}`;
  let offset = offsetMemo.get(key);
  if (offset === undefined) {
    const start = bucket * QUARTER_HOUR;
    const p = localParts(new Date(start), tz);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - start;
    if (offsetMemo.size > 20_000) offsetMemo.clear();
    offsetMemo.set(key, offset);
  }
  return new Date(at + offset).toISOString().slice(0, 10);
}

const holidayMemo = new Map<string, { holiday: boolean; workday: boolean }>();

/** Calendar facts of a local date from chinese-days: a statutory public holiday, an official working day. */
export function calendarDay(date: string): { holiday: boolean; workday: boolean } {
  let v = holidayMemo.get(date);
  if (!v) {
    const d = getDayDetail(date);
    // Named festival days carry "English,中文,n"; ordinary weekends carry the weekday's name.
    v = { holiday: !d.work && d.name.includes(','), workday: d.work };
    if (holidayMemo.size > 5000) holidayMemo.clear();
    holidayMemo.set(date, v);
  }
  return v;
}

/**
 * The service window of a local date, or null when the store does not serve that day.
 * @example serviceWindowOn('2026-10-01', { ...DEFAULT_SERVICE_HOURS, holidays: 'closed' }) // null (国庆节)
 */
export function serviceWindowOn(date: string, hours: ServiceHours): DayWindow | null {
  const cal = calendarDay(date);
  if (hours.days === 'workdays') {
    if (!cal.workday) return cal.holiday && hours.holidays !== 'closed' ? holidayWindow(hours) : null;
    return { open: hours.open, close: hours.close };
  }
  if (cal.holiday) return hours.holidays === 'closed' ? null : holidayWindow(hours);
  if (hours.days !== 'every-day' && !hours.days.includes(weekdayOf(date))) return null;
  return { open: hours.open, close: hours.close };
}

function holidayWindow(hours: ServiceHours): DayWindow {
  return hours.holidays === 'open' || hours.holidays === 'closed' ? { open: hours.open, close: hours.close } : hours.holidays;
}

const instantMemo = new WeakMap<ServiceHours, Map<string, readonly [number, number] | null>>();

/** The service window of `date` as instants [start, end) in `tz`, memoised per hours object. */
function dayInstants(date: string, hours: ServiceHours, tz: string): readonly [number, number] | null {
  let memo = instantMemo.get(hours);
  if (!memo) instantMemo.set(hours, (memo = new Map()));
  const key = `${tz}|${date}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const w = serviceWindowOn(date, hours);
  let v: readonly [number, number] | null = null;
  if (w) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const start = zonedTime(y, m, d, Math.floor(w.open / 60), w.open % 60, tz).getTime();
    const end = zonedTime(y, m, d, Math.floor(w.close / 60), w.close % 60, tz).getTime();
    v = end > start ? [start, end] : null;
  }
  if (memo.size > 5000) memo.clear();
  memo.set(key, v);
  return v;
}

/** True when the SLA clock runs at `at`. */
export function isServiceTime(at: number, hours: ServiceHours, tz: string): boolean {
  const w = dayInstants(localDateOf(at, tz), hours, tz);
  return w !== null && at >= w[0] && at < w[1];
}

/**
 * Service time between two instants, in ms (0 when `to` ≤ `from`).
 * @example businessMsBetween(fri2055, mon0905, hours, 'Asia/Shanghai') // 5 min Friday + weekend days + 5 min Monday
 */
export function businessMsBetween(from: number, to: number, hours: ServiceHours, tz: string): number {
  if (!(to > from)) return 0;
  let total = 0;
  let date = localDateOf(from, tz);
  for (let i = 0; i < MAX_DAYS * 4; i++) {
    const w = dayInstants(date, hours, tz);
    if (w) {
      if (w[0] >= to) break;
      const s = Math.max(w[0], from);
      const e = Math.min(w[1], to);
      if (e > s) total += e - s;
    } else if (dayStartAfter(date, tz) >= to) {
      break;
    }
    date = nextDate(date);
  }
  return total;
}

/** Local midnight after `date` (the start of the next date), as an instant. */
function dayStartAfter(date: string, tz: string): number {
  const [y, m, d] = nextDate(date).split('-').map(Number) as [number, number, number];
  return zonedTime(y, m, d, 0, 0, tz).getTime();
}

/**
 * The instant at which `ms` of service time have passed since `from`. A start outside service time
 * counts from the next opening. `ms` = 0 gives `from` itself when in service, else the next opening.
 * @throws Error when the hours never serve within 800 days (the playbook refuses such hours).
 * @example addBusinessMs(at2058, 5 * 60_000, hours, tz) // 09:03 the next service day (2 min + 3 min)
 */
export function addBusinessMs(from: number, ms: number, hours: ServiceHours, tz: string): number {
  let left = Math.max(0, ms);
  let date = localDateOf(from, tz);
  for (let i = 0; i < MAX_DAYS; i++) {
    const w = dayInstants(date, hours, tz);
    if (w && w[1] > from) {
      const cursor = Math.max(w[0], from);
      const available = w[1] - cursor;
      if (left <= available) return cursor + left;
      left -= available;
    }
    date = nextDate(date);
  }
  throw new Error(`service hours never serve within ${MAX_DAYS} days of ${new Date(from).toISOString()}`);
}

/** `HH:MM` local time of an instant, for messages. */
export function localClock(at: number, tz: string): string {
  return formatLocal(at, tz, 'time');
}
