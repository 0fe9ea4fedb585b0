import { localDate, localParts, zonedTime } from '../core/time.js';

/**
 * The pure figures of group health, from membership spells and posts. Times are epoch ms; months,
 * weeks (Monday first) and days are local to the zone given.
 */

/** A stretch of membership of one contact in one group. */
export interface Spell {
  contactId: string;
  joinedAt: number;
  how: 'join' | 'seen-at-start';
  leftAt: number | null;
}

/** A local period [start, end) with its label. */
export interface Period {
  label: string;
  start: number;
  end: number;
}

/** Retention of one month's joiners. */
export interface RetentionFigure {
  /** `YYYY-MM`. */
  month: string;
  /** Distinct contacts who joined (a `room-join`) in the month. */
  joined: number;
  /** Of those, still in at the end of the month (or at `asOf` for a month not over). */
  retained: number;
  /** retained / joined; null when nobody joined. */
  rate: number | null;
  /** Distinct contacts whose membership ended in the month (anyone, not only that month's joiners). */
  left: number;
}

/** Effective interaction of one week. */
export interface InteractionFigure {
  /** Monday, `YYYY-MM-DD`. */
  week: string;
  /** Distinct non-staff contacts in the group at any time in the week (posting proves membership). */
  members: number;
  /** Distinct non-staff contacts who posted in the week. */
  posters: number;
  /** posters / members; null when there were no members. */
  rate: number | null;
}

/** The local months overlapping [from, to] (dates `YYYY-MM-DD`). */
export function monthsBetween(from: string, to: string, tz: string): Period[] {
  const out: Period[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    const start = zonedTime(y, m, 1, 0, 0, tz).getTime();
    const end = zonedTime(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1, 0, 0, tz).getTime();
    out.push({ label: `${y}-${String(m).padStart(2, '0')}`, start, end });
    if (m === 12) {
      y++;
      m = 1;
    } else m++;
  }
  return out;
}

/** The local weeks (Monday to Sunday) overlapping [from, to], labelled by their Monday. */
export function weeksBetween(from: string, to: string, tz: string): Period[] {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const first = zonedTime(fy, fm, fd, 12, 0, tz);
  const back = (localParts(first, tz).weekday + 6) % 7;
  let monday = dayStart(fy, fm, fd - back, tz);
  const out: Period[] = [];
  while (localDate(new Date(monday), tz) <= to) {
    const p = localParts(new Date(monday + 12 * 3_600_000), tz);
    const next = dayStart(p.year, p.month, p.day + 7, tz);
    out.push({ label: localDate(new Date(monday), tz), start: monday, end: next });
    monday = next;
  }
  return out;
}

/** The local days of [from, to]. */
export function daysBetween(from: string, to: string, tz: string): Period[] {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const out: Period[] = [];
  for (let i = 0; ; i++) {
    const start = dayStart(y, m, d + i, tz);
    const label = localDate(new Date(start), tz);
    if (label > to) break;
    out.push({ label, start, end: dayStart(y, m, d + i + 1, tz) });
  }
  return out;
}

function dayStart(y: number, m: number, d: number, tz: string): number {
  // zonedTime normalises day overflow through Date.UTC; read back the local date to be exact.
  const noon = zonedTime(y, m, d, 12, 0, tz);
  const p = localParts(noon, tz);
  return zonedTime(p.year, p.month, p.day, 0, 0, tz).getTime();
}

const inAt = (s: Spell, t: number) => s.joinedAt <= t && (s.leftAt === null || s.leftAt > t);

/**
 * Retention of the contacts who joined in `month`: still in at the month's end, or at `asOf` when
 * that is earlier. A contact who joined, left and joined again counts once, retained if in at the end.
 * Spells seen at start-up are not joins. Pure.
 */
export function retention(spells: readonly Spell[], month: Period, asOf: number): RetentionFigure {
  const at = Math.min(month.end - 1, asOf);
  const joiners = new Set(spells.filter((s) => s.how === 'join' && s.joinedAt >= month.start && s.joinedAt < month.end).map((s) => s.contactId));
  const retained = [...joiners].filter((id) => spells.some((s) => s.contactId === id && inAt(s, at))).length;
  const left = new Set(spells.filter((s) => s.leftAt !== null && s.leftAt >= month.start && s.leftAt < month.end).map((s) => s.contactId)).size;
  return { month: month.label, joined: joiners.size, retained, rate: joiners.size ? retained / joiners.size : null, left };
}

/**
 * Effective interaction in `week`: distinct posters / distinct members in the group at any time of the
 * week (a poster not on record counts as a member: posting proves it). Staff are left out by the caller. Pure.
 */
export function interaction(spells: readonly Spell[], posterIds: readonly string[], week: Period): InteractionFigure {
  const posters = new Set(posterIds);
  const members = new Set(posters);
  for (const s of spells) if (s.joinedAt < week.end && (s.leftAt === null || s.leftAt >= week.start)) members.add(s.contactId);
  return { week: week.label, members: members.size, posters: posters.size, rate: members.size ? posters.size / members.size : null };
}

/** Members in the group at instant `at`. Pure. */
export function membersAt(spells: readonly Spell[], at: number): number {
  return new Set(spells.filter((s) => inAt(s, at)).map((s) => s.contactId)).size;
}
