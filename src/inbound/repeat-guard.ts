import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/client.js';

/** Automatic answers that are not the result of a command: each is sent to one person at most once per window. */
export type AutoReplyKind = 'help-hint' | 'not-member' | 'admin-refused' | 'guide-hint' | 'admin-hint';

/**
 * The same automatic answer to the same person at most once per `windowMs`, so a member who repeats
 * themselves (or a script that floods) is not answered at the account's expense. Handlers ask
 * `allow(contactId, kind)` before they enqueue a non-command reply; the answer is recorded in the
 * same statement (`auto_replies`), so two handlers or two processes never both get `true`.
 * A window of 0 turns the guard off.
 * @example
 * const guard = new RepeatGuard(db, clock, 10 * 60_000)
 * if (guard.allow(m.talkerId, 'not-member')) await outbox.enqueue(…)
 */
export class RepeatGuard {
  private readonly claim;

  constructor(
    db: Db,
    private readonly clock: Clock,
    readonly windowMs: number,
  ) {
    // Insert, or move the time on only when the last answer is at least a window old (or in the future:
    // a clock set back must not silence a person for good).
    this.claim = db.$client.prepare(
      `insert into auto_replies (contact_id, kind, last_at) values (@contact, @kind, @now)
       on conflict (contact_id, kind) do update set last_at = excluded.last_at
       where excluded.last_at - auto_replies.last_at >= @window or auto_replies.last_at > excluded.last_at`,
    );
  }

  /** True when `kind` may go to `contactId` now (and records it as sent); false inside the window. */
  allow(contactId: string, kind: AutoReplyKind): boolean {
    if (this.windowMs <= 0) return true;
    return this.claim.run({ contact: contactId, kind, now: this.clock.now().getTime(), window: this.windowMs }).changes === 1;
  }
}

/** The guard as configured (`AUTO_REPLY_REPEAT_MINUTES`); every capability's guard shares the one table. */
export function repeatGuardOf(ctx: { db: Db; clock: Clock; config: { AUTO_REPLY_REPEAT_MINUTES: number } }): RepeatGuard {
  return new RepeatGuard(ctx.db, ctx.clock, ctx.config.AUTO_REPLY_REPEAT_MINUTES * 60_000);
}
