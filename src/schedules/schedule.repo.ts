import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { scheduleRuns } from '../platform/db/schema.js';

export type ScheduleRun = typeof scheduleRuns.$inferSelect;

/** The record of schedule slots: the row's primary key (name, slot) is what makes a slot fire once. */
export class ScheduleRepo {
  constructor(private readonly db: Db) {}

  /** Records a slot as queued; false when the slot was already recorded (by us or another process). */
  open(name: string, slot: number, now: number): boolean {
    return this.db.insert(scheduleRuns).values({ name, slot, status: 'queued', createdAt: now }).onConflictDoNothing().run().changes === 1;
  }

  /** Records a slot that will not run (missed beyond its catch-up window). */
  skip(name: string, slot: number, now: number, reason: string): boolean {
    return this.db.insert(scheduleRuns).values({ name, slot, status: 'skipped', reason, createdAt: now, finishedAt: now }).onConflictDoNothing().run().changes === 1;
  }

  /** Marks a slot running; false when it is already done or skipped. */
  start(name: string, slot: number, now: number): boolean {
    return (
      this.db
        .update(scheduleRuns)
        .set({ status: 'running', startedAt: now })
        .where(and(eq(scheduleRuns.name, name), eq(scheduleRuns.slot, slot), notInArray(scheduleRuns.status, ['done', 'skipped'])))
        .run().changes === 1
    );
  }

  finish(name: string, slot: number, now: number, error?: string): void {
    this.db
      .update(scheduleRuns)
      .set({ status: error ? 'failed' : 'done', reason: error ?? null, finishedAt: now })
      .where(and(eq(scheduleRuns.name, name), eq(scheduleRuns.slot, slot)))
      .run();
  }

  get(name: string, slot: number): ScheduleRun | undefined {
    return this.db
      .select()
      .from(scheduleRuns)
      .where(and(eq(scheduleRuns.name, name), eq(scheduleRuns.slot, slot)))
      .get();
  }

  /** Slots recorded but not finished (queued, or running when the process died). */
  unfinished(): ScheduleRun[] {
    return this.db
      .select()
      .from(scheduleRuns)
      .where(inArray(scheduleRuns.status, ['queued', 'running']))
      .all();
  }

  /** Whether any slot of this schedule was ever recorded (false on the first start after install). */
  hasAny(name: string): boolean {
    return this.db.select({ name: scheduleRuns.name }).from(scheduleRuns).where(eq(scheduleRuns.name, name)).limit(1).get() !== undefined;
  }
}
