import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Tables of group campaigns (issue 5). Times are epoch ms. The messages themselves are outbox rows
 * (key `campaign:<id>:<occurrence>:<target>`); these tables hold the campaign, its lifecycle, each
 * occurrence and each target's plan (including targets skipped at planning, e.g. over a group cap).
 */

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'done', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Where a campaign's definition comes from: a file under sop/campaigns/, the CLI or the console. */
export const CAMPAIGN_SOURCES = ['file', 'cli', 'console'] as const;
export type CampaignSource = (typeof CAMPAIGN_SOURCES)[number];

/** One campaign: its definition (validated JSON of a campaign file) and where it is in its life. */
export const campaigns = sqliteTable('campaigns', {
  /** Slug: `member-day`. Used in outbox keys. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Where the definition comes from: a file under sop/campaigns/ (re-read by the bot), the CLI or the console. */
  source: text('source', { enum: CAMPAIGN_SOURCES }).notNull(),
  file: text('file'),
  /** JSON of CampaignDef. */
  definition: text('definition').notNull(),
  status: text('status', { enum: CAMPAIGN_STATUSES }).notNull(),
  /** A run asked for from the CLI (`campaign run`), planned by the bot's next tick. */
  runRequestedAt: integer('run_requested_at'),
  runRequestedBy: text('run_requested_by'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Every lifecycle transition, with who did it. Append-only. */
export const campaignTransitions = sqliteTable(
  'campaign_transitions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    from: text('from_status', { enum: CAMPAIGN_STATUSES }).notNull(),
    to: text('to_status', { enum: CAMPAIGN_STATUSES }).notNull(),
    /** `cli:<user>`, `file`, `scheduler`, `console:<user>`. */
    by: text('by').notNull(),
    reason: text('reason'),
    at: integer('at').notNull(),
  },
  (t) => [index('campaign_transitions_idx').on(t.campaignId, t.id)],
);

/** One occurrence of a campaign (one slot of its schedule, or one manual run): planned once. */
export const campaignOccurrences = sqliteTable(
  'campaign_occurrences',
  {
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** Local `YYYYMMDDHHmm` of the slot in the configured timezone: part of the outbox keys. */
    occurrence: text('occurrence').notNull(),
    /** The slot instant. */
    at: integer('at').notNull(),
    /** End of the spread window. */
    windowEnd: integer('window_end').notNull(),
    /** Messages not sent by then end `expired`. */
    expiresAt: integer('expires_at').notNull(),
    targeted: integer('targeted').notNull().default(0),
    plannedAt: integer('planned_at').notNull(),
    by: text('by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.occurrence] }), index('campaign_occurrences_at_idx').on(t.at)],
);

/** One target of one occurrence: its first outbox row, or why it was skipped at planning. */
export const campaignTargets = sqliteTable(
  'campaign_targets',
  {
    campaignId: text('campaign_id').notNull(),
    occurrence: text('occurrence').notNull(),
    targetKind: text('target_kind', { enum: ['contact', 'room'] }).notNull(),
    targetId: text('target_id').notNull(),
    /** The occurrence's slot instant (for per-group caps by local day and month). */
    at: integer('at').notNull(),
    outboxId: integer('outbox_id'),
    /** Set when the target was skipped at planning (`group-cap 1/day`, `no-wechat-contact`). */
    skipReason: text('skip_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.occurrence, t.targetId] }),
    // Per-group caps look up a group's posts by local day and month; member targets never need it.
    index('campaign_targets_room_idx')
      .on(t.targetId, t.at)
      .where(sql`target_kind = 'room'`),
  ],
);
