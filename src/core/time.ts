/**
 * Wall-clock arithmetic in a configured IANA timezone, independent of the machine's TZ.
 * Everything here is pure: it takes the instant and the zone.
 */

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** True when `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function localParts(at: Date, tz: string): LocalParts {
  const out: Partial<LocalParts> = {};
  for (const p of formatter(tz).formatToParts(at)) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value);
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = WEEKDAYS[p.value] ?? 0;
        break;
      default:
        break;
    }
  }
  return out as LocalParts;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDate(at: Date, tz: string): string {
  const p = localParts(at, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Minutes since local midnight. */
export function minuteOfDay(at: Date, tz: string): number {
  const p = localParts(at, tz);
  return p.hour * 60 + p.minute;
}

/** The instant at which the wall clock in `tz` shows the given local time. */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, tz: string): Date {
  // Start from the UTC reading of those wall-clock figures, then correct by the zone's offset (twice, for DST edges).
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(t), tz);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    t += guess - shown;
  }
  return new Date(t);
}

/** Local midnight starting the day that contains `at`, as an instant. */
export function startOfLocalDay(at: Date, tz: string): Date {
  const p = localParts(at, tz);
  return zonedTime(p.year, p.month, p.day, 0, 0, tz);
}

/** A daily window given as minutes of day; `start > end` wraps past midnight (21:30-08:30). */
export interface DailyWindow {
  startMinute: number;
  endMinute: number;
}

/** Parses `HH:MM-HH:MM`; returns null when malformed. */
export function parseWindow(text: string): DailyWindow | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59) return null;
  return { startMinute: h1 * 60 + m1, endMinute: h2 * 60 + m2 };
}

/** A daily window back as `HH:MM-HH:MM`. */
export function windowText(w: DailyWindow): string {
  const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${hm(w.startMinute)}-${hm(w.endMinute)}`;
}

export function inWindow(at: Date, w: DailyWindow, tz: string): boolean {
  if (w.startMinute === w.endMinute) return false;
  const m = minuteOfDay(at, tz);
  return w.startMinute < w.endMinute ? m >= w.startMinute && m < w.endMinute : m >= w.startMinute || m < w.endMinute;
}

/** When `at` lies in the window, the instant the window ends; otherwise `at` itself. */
export function windowEnd(at: Date, w: DailyWindow, tz: string): Date {
  if (!inWindow(at, w, tz)) return at;
  const p = localParts(at, tz);
  const m = p.hour * 60 + p.minute;
  const endH = Math.floor(w.endMinute / 60);
  const endM = w.endMinute % 60;
  let end = zonedTime(p.year, p.month, p.day, endH, endM, tz);
  // Wrapping window and we are before midnight: the end is tomorrow.
  if (w.startMinute > w.endMinute && m >= w.startMinute) {
    end = zonedTime(p.year, p.month, p.day + 1, endH, endM, tz);
  }
  return end;
}

/** How much of an instant a person needs to read: `2026-12-01 09:05` (default), with seconds, the date or the time only. */
export type TimeStyle = 'minute' | 'second' | 'date' | 'time';

/**
 * The one way an instant is shown to a person (chat replies, reports, CLI tables): local time in the
 * configured zone, 24-hour, `YYYY-MM-DD HH:mm` unless a shorter or longer style is asked for. Machine
 * output (`--json`, the API) keeps epoch milliseconds instead.
 * @example formatLocal(Date.UTC(2026, 11, 1, 1, 5), 'Asia/Shanghai') // '2026-12-01 09:05'
 * @example formatLocal(Date.UTC(2026, 11, 1, 1, 5, 7), 'Asia/Shanghai', 'second') // '2026-12-01 09:05:07'
 * @example formatLocal(Date.UTC(2026, 11, 1, 1, 5), 'Asia/Shanghai', 'time') // '09:05'
 */
export function formatLocal(at: number | Date, tz: string, style: TimeStyle = 'minute'): string {
  const p = localParts(typeof at === 'number' ? new Date(at) : at, tz);
  const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  const time = `${pad(p.hour)}:${pad(p.minute)}`;
  switch (style) {
    case 'date':
      return date;
    case 'time':
      return time;
    case 'second':
      return `${date} ${time}:${pad(p.second)}`;
    default:
      return `${date} ${time}`;
  }
}
