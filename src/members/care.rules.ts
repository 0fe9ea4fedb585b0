import chineseDays from 'chinese-days';

// chinese-days ships CommonJS to Node's ESM loader: its functions are reached through the default export.
const { getDayDetail, getLunarDate, getLunarFestivals } = chineseDays;

/**
 * Lifecycle-care calendar rules. Pure and deterministic: they take a local date (`YYYY-MM-DD` in the
 * configured timezone) and read the chinese-days calendar (public holidays, lunar dates, festivals).
 */

// Calendar arithmetic lives in core (one copy for every capability); re-exported for this folder's callers.
import { nextDate, previousDate } from '../core/calendar.js';
export { nextDate, previousDate };

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** A birthday (calendar, month, day) to celebrate on a date. */
export interface BirthdayKey {
  calendar: 'solar' | 'lunar';
  month: number;
  day: number;
}

/**
 * The birthdays celebrated on a local date. Solar: the same month/day, and 29 February on 28 February
 * of common years. Lunar: the lunar month/day of the date (not in a leap month: a lunar birthday is
 * kept in the regular month), and day 30 on day 29 when the lunar month is short.
 * @example birthdaysOn('2026-06-22') // [{ solar 6/22 }, { lunar 5/8 }]
 */
export function birthdaysOn(date: string): BirthdayKey[] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const keys: BirthdayKey[] = [{ calendar: 'solar', month: m, day: d }];
  if (m === 2 && d === 28 && !isLeapYear(y)) keys.push({ calendar: 'solar', month: 2, day: 29 });
  const lunar = getLunarDate(date);
  if (!lunar.isLeap) {
    keys.push({ calendar: 'lunar', month: lunar.lunarMon, day: lunar.lunarDay });
    if (lunar.lunarDay === 29 && getLunarDate(nextDate(date)).lunarDay === 1) keys.push({ calendar: 'lunar', month: lunar.lunarMon, day: 30 });
  }
  return keys;
}

/** `中秋节` and `中秋` are the same festival. */
function festivalKey(name: string): string {
  return name.trim().replace(/节$/, '');
}

function holidayName(date: string): string | null {
  const d = getDayDetail(date);
  if (d.work) return null;
  const parts = d.name.split(',');
  return parts.length >= 2 ? festivalKey(parts[1]!) : null;
}

function lunarFestivalKeys(date: string): string[] {
  return getLunarFestivals(date, date).flatMap((f) => f.name.map(festivalKey));
}

/**
 * The festival (from `wanted`, as configured) that falls on a local date, or null. A lunar festival
 * (春节, 端午节, 中秋节 …) counts on its lunar day; a public holiday with no lunar day (元旦, 劳动节,
 * 国庆节) counts on the first day off of its official break.
 * @example festivalOn('2026-09-25', ['中秋节', '国庆节']) // '中秋节'
 */
export function festivalOn(date: string, wanted: readonly string[]): string | null {
  const lunar = lunarFestivalKeys(date);
  for (const name of wanted) if (lunar.includes(festivalKey(name))) return name;
  const holiday = holidayName(date);
  if (!holiday || holidayName(previousDate(date)) === holiday) return null;
  const name = wanted.find((w) => festivalKey(w) === holiday);
  if (!name) return null;
  // A holiday whose break holds the festival's lunar day is greeted on that day instead.
  for (let d = date, i = 0; i < 10 && holidayName(d) === holiday; d = nextDate(d), i++) {
    if (lunarFestivalKeys(d).includes(holiday)) return null;
  }
  return name;
}
