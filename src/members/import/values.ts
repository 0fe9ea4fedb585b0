/**
 * Validation of single CSV values, pure: each parser takes the raw cell and returns the value or the
 * reason, phrased for an operator ("… use YYYY-MM-DD"). No machine timezone is ever consulted: local
 * date-times are interpreted in the zone passed in.
 */
import { STAFF_ROLES, type StaffRole } from '../../platform/db/schema.js';
import { cleanCell, structuredCell } from './cells.js';
import { localInstant } from './local-time.js';

/** A parsed value, or why the cell is not acceptable. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (why: string): Parsed<never> => ({ ok: false, why });

// ── Phones ───────────────────────────────────────────────────────────────────────────

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * A mainland China mobile number, normalised to 11 digits. Tolerates `+86`/`0086`/`86` prefixes,
 * spaces, dashes, dots and brackets, full-width digits, and a `.0` left by spreadsheet tools.
 * @example parsePhone('+86 138-0013-8000') // { ok: true, value: '13800138000' }
 */
export function parsePhone(raw: string): Parsed<string> {
  const s = structuredCell(raw);
  if (s === '') return bad('is empty: a mobile number is required');
  if (/^\d(\.\d+)?e\+?\d+$/i.test(s)) {
    return bad('is in scientific notation (Excel shortened it): format the column as text in Excel and export again');
  }
  let digits = s.replace(/\.0+$/, '').replace(/[\s\-.()]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  if (!/^\d+$/.test(digits)) return bad('is not a mobile number: only digits, spaces, dashes and a +86 prefix are allowed');
  if (digits.length !== 11) return bad(`has ${digits.length} digits: a mainland mobile number has 11 (1[3-9]xxxxxxxxx)`);
  if (!MOBILE.test(digits)) return bad('is not a mainland mobile number: it must start with 13 to 19');
  return ok(digits);
}

// ── Dates ────────────────────────────────────────────────────────────────────────────

/** A calendar date as written; `year` is null for a birthday given without one (`05-20`). */
export interface CalendarDate {
  year: number | null;
  month: number;
  day: number;
}

/** A local wall-clock reading, before a timezone turns it into an instant. */
interface WallClock extends CalendarDate {
  year: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC when the text carried an offset (`Z`, `+08:00`); null = local time. */
  offsetMinutes: number | null;
}

const DATE_HINT = 'use YYYY-MM-DD, e.g. 2024-05-01';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function checkDay(year: number | null, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `is not a real date: there is no month ${month}`;
  // Without a year, 29 February is allowed (a leap-day birthday).
  const max = daysInMonth(year ?? 2000, month);
  if (day < 1 || day > max) return `is not a real date: ${year === null ? 'month ' : `${year}-`}${String(month).padStart(2, '0')} has no day ${day}`;
  return null;
}

/** Excel stores dates as days since 1899-12-30 (its 1900 leap-year bug included). */
function fromExcelSerial(serial: number): WallClock {
  const ms = Math.round((serial - 25569) * 86_400_000);
  const d = new Date(ms); // read back in UTC only: this is wall-clock arithmetic, not an instant
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    offsetMinutes: null,
  };
}

const YMD = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?/;
const YMD_COMPACT = /^(\d{4})(\d{2})(\d{2})(?!\d)/;
const TIME = /^(?:\s+|T)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const EXCEL_SERIAL = /^(\d{5})(\.\d+)?$/;

/** Digits of `s` from `from` to `to` as a number, or -1 when any is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The common shapes `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS`, read without regular expressions. */
function canonicalWallClock(s: string, withTime: boolean): WallClock | null {
  if (s.length !== 10 && !(withTime && s.length === 19)) return null;
  if (s[4] !== '-' || s[7] !== '-') return null;
  const [year, month, day] = [digitsAt(s, 0, 4), digitsAt(s, 5, 7), digitsAt(s, 8, 10)];
  if (year < 0 || month < 0 || day < 0) return null;
  if (s.length === 10) return { year, month, day, hour: 0, minute: 0, second: 0, offsetMinutes: null };
  if (s[10] !== ' ' && s[10] !== 'T') return null;
  if (s[13] !== ':' || s[16] !== ':') return null;
  const [hour, minute, second] = [digitsAt(s, 11, 13), digitsAt(s, 14, 16), digitsAt(s, 17, 19)];
  if (hour < 0 || minute < 0 || second < 0) return null;
  return { year, month, day, hour, minute, second, offsetMinutes: null };
}

function parseWallClock(s: string, withTime: boolean): Parsed<WallClock> {
  const fast = canonicalWallClock(s, withTime);
  if (fast && fast.hour <= 23 && fast.minute <= 59 && fast.second <= 59 && checkDay(fast.year, fast.month, fast.day) === null) return ok(fast);
  const serial = EXCEL_SERIAL.exec(s);
  if (serial) return ok(fromExcelSerial(Number(s)));
  const m = YMD.exec(s) ?? YMD_COMPACT.exec(s);
  if (!m) {
    if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}/.test(s)) return bad(`puts the year last, which is ambiguous (day or month first?): ${DATE_HINT}`);
    return bad(`is not a date: ${DATE_HINT}`);
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const rest = s.slice(m[0].length);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let offsetMinutes: number | null = null;
  if (rest.trim() !== '') {
    if (!withTime) return bad(`has something after the date ("${rest.trim()}"): ${DATE_HINT}`);
    const t = TIME.exec(rest);
    if (!t) return bad('has a time that is not HH:MM or HH:MM:SS, e.g. 2024-05-01 13:45:00');
    [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
    if (hour > 23 || minute > 59 || second > 59) return bad(`has a time that does not exist (${t[1]}:${t[2]}${t[3] ? `:${t[3]}` : ''})`);
    const zone = t[4];
    if (zone) {
      if (zone.toUpperCase() === 'Z') offsetMinutes = 0;
      else {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
        offsetMinutes = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
      }
    }
  }
  const dayProblem = checkDay(year, month, day);
  if (dayProblem) return bad(dayProblem);
  return ok({ year, month, day, hour, minute, second, offsetMinutes });
}

/**
 * A calendar date for birthdays: `YYYY-MM-DD`, `YYYY/M/D`, `YYYY年M月D日`, `YYYYMMDD`, an Excel serial
 * number, or month and day alone (`05-20`, `5月20日`). Years before 1900 or after `latest` (a year, or
 * today's local date: a birthday cannot be in the future) are refused.
 * @example parseCalendarDate('1990/5/8', 2026) // { ok: true, value: { year: 1990, month: 5, day: 8 } }
 */
export function parseCalendarDate(raw: string, latest: number | { year: number; month: number; day: number }): Parsed<CalendarDate> {
  const maxYear = typeof latest === 'number' ? latest : latest.year;
  const s = structuredCell(raw);
  if (s === '') return bad(`is empty: ${DATE_HINT}`);
  const md = /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s);
  if (md) {
    const [month, day] = [Number(md[1]), Number(md[2])];
    const problem = checkDay(null, month, day);
    return problem ? bad(problem) : ok({ year: null, month, day });
  }
  const wall = parseWallClock(s, false);
  if (!wall.ok) return wall;
  const { year, month, day } = wall.value;
  if (year < 1900 || year > maxYear) return bad(`has the year ${year}: expected 1900 to ${maxYear}`);
  if (typeof latest !== 'number' && year === latest.year && (month > latest.month || (month === latest.month && day > latest.day))) {
    const t = `${latest.year}-${String(latest.month).padStart(2, '0')}-${String(latest.day).padStart(2, '0')}`;
    return bad(`is in the future: a birthday is ${t} (today) or earlier`);
  }
  return ok({ year, month, day });
}

/**
 * A date or date-time as an instant (epoch ms). Local readings (`2024-05-01 13:45`, `2024/5/1`,
 * an Excel serial number) are interpreted in `timeZone`, never the machine's; an explicit offset
 * (`2024-05-01T05:45:00Z`, `+08:00`) is honoured. A date alone means local midnight.
 * @example parseDateTime('2024-05-01 13:45', 'Asia/Shanghai') // { ok: true, value: 1714542300000 }
 */
export function parseDateTime(raw: string, timeZone: string): Parsed<number> {
  const s = structuredCell(raw);
  if (s === '') return bad(`is empty: ${DATE_HINT} with an optional time HH:MM:SS`);
  const wall = parseWallClock(s, true);
  if (!wall.ok) return wall;
  const w = wall.value;
  if (w.year < 1970 || w.year > 2999) return bad(`has the year ${w.year}: expected 1970 or later`);
  if (w.offsetMinutes !== null) {
    return ok(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - w.offsetMinutes * 60_000);
  }
  return ok(localInstant(w.year, w.month, w.day, w.hour, w.minute, w.second, timeZone));
}

// ── Amounts ──────────────────────────────────────────────────────────────────────────

/** Largest amount one order may carry: ¥10,000,000.00 (a larger one is almost surely a shifted column). */
export const MAX_AMOUNT_FEN = 1_000_000_000;

/**
 * An amount in yuan (up to 2 decimals) as integer fen, without floating point. Tolerates `¥`/`￥`,
 * `元`, `RMB`/`CNY` and thousands separators; refuses negatives, 3+ significant decimals and
 * scientific notation.
 * @example parseAmountFen('￥1,234.5') // { ok: true, value: 123450 }
 */
export function parseAmountFen(raw: string): Parsed<number> {
  const s0 = structuredCell(raw);
  if (s0 === '') return bad('is empty: an amount in yuan such as 128.50 is required');
  const s = s0
    .replace(/^(?:¥|RMB|CNY)\s*/i, '')
    .replace(/\s*(?:元|RMB|CNY)$/i, '')
    .replace(/,(?=\d{3}(?:\D|$))/g, '');
  if (/^-/.test(s) || /^\(.*\)$/.test(s)) return bad('is negative: refunds are not imported as orders');
  if (/e/i.test(s)) return bad('is in scientific notation: format the column as a number with 2 decimals and export again');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return bad('is not an amount: write yuan with up to 2 decimals, e.g. 128.50');
  const decimals = (m[2] ?? '').replace(/0+$/, '');
  if (decimals.length > 2) return bad('has more than 2 decimals: amounts are in yuan, to the fen (0.01)');
  const fen = Number(m[1]) * 100 + Number(decimals.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen) || fen > MAX_AMOUNT_FEN) return bad(`is more than the ${(MAX_AMOUNT_FEN / 100).toLocaleString('en-US')} yuan allowed for one order`);
  return ok(fen);
}

// ── Roles, days, tags, codes, names ─────────────────────────────────────────────────

const ROLE_WORDS: Record<string, StaffRole> = {
  导购: 'guide',
  导购员: 'guide',
  店员: 'guide',
  guide: 'guide',
  ba: 'guide',
  店长: 'store-manager',
  门店经理: 'store-manager',
  storemanager: 'store-manager',
  manager: 'store-manager',
  社群运营: 'community-admin',
  社群: 'community-admin',
  运营: 'community-admin',
  群主: 'community-admin',
  communityadmin: 'community-admin',
  community: 'community-admin',
  admin: 'community-admin',
  总部: 'hq',
  总部运营: 'hq',
  hq: 'hq',
  headquarters: 'hq',
};

/**
 * A staff role: 导购/guide, 店长/store-manager, 社群运营/community-admin, 总部/hq (and a few common
 * synonyms), case- and punctuation-insensitive.
 */
export function parseRole(raw: string): Parsed<StaffRole> {
  const s = structuredCell(raw)
    .toLowerCase()
    .replace(/[\s\-_]/g, '');
  if (s === '') return bad(`is empty: one of 导购/guide, 店长/store-manager, 社群运营/community-admin, 总部/hq`);
  const role = ROLE_WORDS[s];
  if (role) return ok(role);
  return bad(`is not a role: one of 导购/guide, 店长/store-manager, 社群运营/community-admin, 总部/hq (${STAFF_ROLES.length} roles)`);
}

const DAY_WORDS: Record<string, number> = {
  日: 0,
  天: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};
const ALL_DAYS = '0123456';
const DAYS_HINT = 'write days like 1-5, 周一至周五, 1,3,5, Mon-Fri, 每天 (0 or 7 = Sunday)';

function dayOf(token: string): number | null {
  const t = token.replace(/^(?:周|星期|礼拜)/, '').toLowerCase();
  if (/^[0-7]$/.test(t)) return Number(t) % 7;
  return DAY_WORDS[t] ?? null;
}

/**
 * Working days as the store keeps them: local weekday digits `0` (Sunday) to `6`, sorted.
 * Accepts `0123456`/`1234567`, ranges (`1-5`, `周一至周五`, `Mon-Fri`), lists (`1,3,5`, `一、三、五`)
 * and the words 每天/全部/daily, 工作日/weekdays, 周末/weekends.
 * @example parseWorkingDays('周一至周五') // { ok: true, value: '12345' }
 */
export function parseWorkingDays(raw: string): Parsed<string> {
  const s = structuredCell(raw).toLowerCase();
  if (s === '') return bad(`is empty: ${DAYS_HINT}`);
  if (['每天', '全部', '全周', 'all', 'daily', 'everyday', 'every day'].includes(s)) return ok(ALL_DAYS);
  if (['工作日', 'weekdays', 'weekday'].includes(s)) return ok('12345');
  if (['周末', 'weekends', 'weekend'].includes(s)) return ok('06');
  const days = new Set<number>();
  if (/^[0-7]{2,8}$/.test(s)) {
    for (const c of s) days.add(Number(c) % 7);
  } else {
    for (const token of s.split(/[\s,;、，；/|]+/).filter(Boolean)) {
      const range = /^(.+?)\s*(?:-|~|～|至|到|—)\s*(.+)$/.exec(token);
      if (range) {
        const [from, to] = [dayOf(range[1]!), dayOf(range[2]!)];
        if (from === null || to === null) return bad(`has "${token}", which is not a day range: ${DAYS_HINT}`);
        // 1-7 and Mon-Sun run through Sunday: treat Sunday at the end of a range as 7.
        const end = to === 0 && from > 0 ? 7 : to;
        if (end < from) return bad(`has the range "${token}", which runs backwards: ${DAYS_HINT}`);
        for (let d = from; d <= end; d++) days.add(d % 7);
      } else {
        const d = dayOf(token);
        if (d === null) return bad(`has "${token}", which is not a day: ${DAYS_HINT}`);
        days.add(d);
      }
    }
  }
  if (days.size === 0) return bad(`names no day: ${DAYS_HINT}`);
  return ok([...days].sort((a, b) => a - b).join(''));
}

/**
 * Tags separated by commas (ASCII or Chinese), 、, semicolons or `|`; trimmed, blanks and repeats
 * dropped, order kept. Stored as a JSON array.
 * @example parseTags('VIP，宝妈、VIP') // ['VIP', '宝妈']
 */
export function parseTags(raw: string): string[] {
  const out: string[] = [];
  for (const part of cleanCell(raw).split(/[,，、;；|]+/)) {
    const t = part.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Solar (公历/阳历) or lunar (农历/阴历) birthday. */
export function parseBirthdayKind(raw: string): Parsed<'solar' | 'lunar'> {
  const s = structuredCell(raw).toLowerCase();
  if (['公历', '阳历', '新历', 'solar', 'gregorian'].includes(s)) return ok('solar');
  if (['农历', '阴历', '旧历', 'lunar'].includes(s)) return ok('lunar');
  return bad('is not a birthday kind: 公历/solar or 农历/lunar');
}

/** Longest code or id accepted (store, staff, room, order, contact). */
export const MAX_CODE_LENGTH = 64;

/**
 * A code or id (store code, staff number, room id, order id): no spaces inside, at most 64
 * characters, compared exactly (case matters).
 */
export function parseCode(raw: string): Parsed<string> {
  const s = structuredCell(raw);
  if (s === '') return bad('is empty');
  if (/\s/.test(s)) return bad('contains spaces: codes and ids are written without spaces');
  if (s.length > MAX_CODE_LENGTH) return bad(`is ${s.length} characters long: at most ${MAX_CODE_LENGTH}`);
  return ok(s);
}

/** Longest name accepted: longer text is almost surely a shifted column. */
export const MAX_NAME_LENGTH = 100;

/** A person's, store's or group's name: trimmed free text of at most 100 characters. */
export function parseName(raw: string): Parsed<string> {
  const s = cleanCell(raw);
  if (s === '') return bad('is empty: a name is required');
  if (s.length > MAX_NAME_LENGTH) return bad(`is ${s.length} characters long: at most ${MAX_NAME_LENGTH}`);
  return ok(s);
}

/** A positive whole number (a member id). */
export function parseId(raw: string): Parsed<number> {
  const s = structuredCell(raw).replace(/\.0+$/, '');
  if (!/^\d{1,15}$/.test(s) || Number(s) === 0) return bad('is not a member id: a positive whole number');
  return ok(Number(s));
}
