import { CronExpressionParser } from 'cron-parser';

/** What to do, at start-up, about the most recent slot of a schedule. */
export type CatchUp = { action: 'none' } | { action: 'run'; slot: number } | { action: 'skip'; slot: number; lateMs: number };

/** The latest slot of `cron` at or before `now`, in `timezone`; null when there is none. */
export function previousSlot(cron: string, now: Date, timezone: string): Date | null {
  try {
    // cron-parser's prev() is strictly before currentDate; nudge by 1 ms so a slot exactly at `now` counts.
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(now.getTime() + 1) })
      .prev()
      .toDate();
  } catch {
    return null;
  }
}

/** The next slot strictly after `now`. */
export function nextSlot(cron: string, now: Date, timezone: string): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: now }).next().toDate();
  } catch {
    return null;
  }
}

/**
 * The catch-up rule: a slot missed while the bot was down runs if it is less than `catchUpMs` late,
 * otherwise it is recorded as skipped. `alreadyRecorded` means some process handled it.
 */
export function catchUpDecision(lastSlot: Date | null, alreadyRecorded: boolean, now: Date, catchUpMs: number): CatchUp {
  if (!lastSlot || alreadyRecorded) return { action: 'none' };
  const lateMs = now.getTime() - lastSlot.getTime();
  if (lateMs <= catchUpMs) return { action: 'run', slot: lastSlot.getTime() };
  return { action: 'skip', slot: lastSlot.getTime(), lateMs };
}
