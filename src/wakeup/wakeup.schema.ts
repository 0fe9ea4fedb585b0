import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Tables of the dormant-member wake-up (issue 7). Times are epoch ms; `date` columns are local dates
 * (TIMEZONE). Member ids are `members.id`.
 */

export const WAKEUP_ARMS = ['treatment', 'holdout'] as const;
export const WAKEUP_EPISODE_STATUSES = ['active', 'stopped', 'lapsed'] as const;
export const WAKEUP_END_REASONS = ['message', 'purchase', 'redemption', 'opt-out', 'lapsed'] as const;
export const WAKEUP_CHANNELS = ['outbox', 'guide'] as const;

/**
 * One dormant episode of a member: it starts when the member has been silent `stages[0].days`, is
 * assigned once to treatment or holdout (seed and draw recorded), goes through the stages and ends
 * when the member comes back (message, purchase, redemption), opts out, or lapses. A member has at
 * most one active episode, and one episode per silence (member + anchor).
 */
export const wakeupEpisodes = sqliteTable(
  'wakeup_episodes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id').notNull(),
    /** The member's last activity when the episode started: the silence this episode is about. */
    anchorAt: integer('anchor_at').notNull(),
    startedAt: integer('started_at').notNull(),
    /** Tier when the episode started (measurement is per tier). */
    tier: text('tier').notNull(),
    guideCode: text('guide_code'),
    arm: text('arm', { enum: WAKEUP_ARMS }).notNull(),
    /** The seed of the run that assigned the arm, and the draw in [0, 1) (holdout when draw < share). */
    holdoutSeed: text('holdout_seed').notNull(),
    holdoutDraw: real('holdout_draw').notNull(),
    holdoutShare: real('holdout_share').notNull(),
    /** Stages entered so far (0 = none yet). */
    stage: integer('stage').notNull().default(0),
    lastStepAt: integer('last_step_at'),
    status: text('status', { enum: WAKEUP_EPISODE_STATUSES }).notNull().default('active'),
    endedAt: integer('ended_at'),
    endReason: text('end_reason', { enum: WAKEUP_END_REASONS }),
    /** What the member said when a reply ended it (shown to the guide). */
    endText: text('end_text'),
    /** When the owning guide was told (the hand-over message was queued). */
    handedOverAt: integer('handed_over_at'),
  },
  (t) => [
    uniqueIndex('wakeup_episodes_silence_uq').on(t.memberId, t.anchorAt),
    uniqueIndex('wakeup_episodes_active_uq')
      .on(t.memberId)
      .where(sql`status = 'active'`),
    // Due stages in priority order (stage, then the longest silent) without a sort: see WakeupRepo.dueSteps.
    index('wakeup_episodes_due_idx').on(t.status, t.stage, t.anchorAt),
  ],
);

/**
 * One stage of one episode, for both arms: for the treatment, what was sent (outbox) or suggested to
 * the guide; for the holdout, the moment the same stage would have gone (nothing is sent). The
 * reactivation window of a stage starts at `at`.
 */
export const wakeupSteps = sqliteTable(
  'wakeup_steps',
  {
    episodeId: integer('episode_id')
      .notNull()
      .references(() => wakeupEpisodes.id),
    stage: integer('stage').notNull(),
    memberId: integer('member_id').notNull(),
    arm: text('arm', { enum: WAKEUP_ARMS }).notNull(),
    tier: text('tier').notNull(),
    /** Local date of the step and the instant it was decided. */
    date: text('date').notNull(),
    at: integer('at').notNull(),
    /** The channel it took (treatment) or would have taken (holdout). */
    channel: text('channel', { enum: WAKEUP_CHANNELS }).notNull(),
    /** Sending account (outbox channel). */
    account: text('account'),
    guideCode: text('guide_code'),
    /** Outbox key and row of the message (treatment, outbox channel), once queued. */
    outboxKey: text('outbox_key'),
    outboxId: integer('outbox_id'),
    /** The send window the message must go in. */
    notBefore: integer('not_before'),
    expiresAt: integer('expires_at'),
    couponCode: text('coupon_code'),
    /** The text sent or suggested (treatment only). */
    text: text('text'),
  },
  (t) => [
    primaryKey({ columns: [t.episodeId, t.stage] }),
    index('wakeup_steps_budget_idx').on(t.date, t.channel, t.arm, t.account),
    index('wakeup_steps_guide_idx').on(t.guideCode, t.date),
  ],
);
