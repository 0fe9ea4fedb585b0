import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Tables of group health (issue 5). Times are epoch ms; local months, weeks and days are derived in
 * TIMEZONE when reporting.
 */

/** How a membership spell began: a `room-join` event, or found in the member list at a check. */
export const SPELL_STARTS = ['join', 'seen-at-start'] as const;
export type SpellStart = (typeof SPELL_STARTS)[number];

/**
 * How it ended: `left` (a `room-leave` naming them as their own remover), `removed` (someone removed
 * them), `gone-at-check` (missing from the member list at a start-up or daily check: WeChat does not
 * announce people who leave on their own).
 */
export const SPELL_ENDS = ['left', 'removed', 'gone-at-check'] as const;
export type SpellEnd = (typeof SPELL_ENDS)[number];

/**
 * One row per stretch of time a contact was in a group: from a join (or from when the bot first saw
 * them there) to a leave. At most one open spell per group and contact.
 */
export const groupMemberships = sqliteTable(
  'group_memberships',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    roomId: text('room_id').notNull(),
    contactId: text('contact_id').notNull(),
    /** As the provider named them at the join; '' when unknown. */
    contactName: text('contact_name').notNull().default(''),
    joinedAt: integer('joined_at').notNull(),
    how: text('how', { enum: SPELL_STARTS }).notNull(),
    inviterId: text('inviter_id'),
    leftAt: integer('left_at'),
    leftHow: text('left_how', { enum: SPELL_ENDS }),
    removerId: text('remover_id'),
    /** The welcome batch this join was put in (joins only); null: not welcomed (staff, off, seen at start). */
    welcomeBatchId: integer('welcome_batch_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('group_memberships_open_uq')
      .on(t.roomId, t.contactId)
      .where(sql`left_at is null`),
    index('group_memberships_room_idx').on(t.roomId, t.joinedAt),
    index('group_memberships_left_idx').on(t.roomId, t.leftAt),
    index('group_memberships_batch_idx').on(t.welcomeBatchId),
  ],
);

export const WELCOME_BATCH_STATUSES = ['open', 'queued', 'skipped'] as const;
export type WelcomeBatchStatus = (typeof WELCOME_BATCH_STATUSES)[number];

/**
 * One welcome per batch of joins in a group: `open` collects joins until `batchSize` or `dueAt`
 * (opened + `within`), then `queued` (one outbox row, key `groups-welcome:<id>`) or `skipped`
 * (everyone in it left before it went). At most one open batch per group.
 */
export const groupWelcomeBatches = sqliteTable(
  'group_welcome_batches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    roomId: text('room_id').notNull(),
    status: text('status', { enum: WELCOME_BATCH_STATUSES }).notNull().default('open'),
    openedAt: integer('opened_at').notNull(),
    dueAt: integer('due_at').notNull(),
    /** Joins named in the welcome (set when it is queued or skipped). */
    size: integer('size'),
    reason: text('reason'),
    closedAt: integer('closed_at'),
  },
  (t) => [
    uniqueIndex('group_welcome_open_uq')
      .on(t.roomId)
      .where(sql`status = 'open'`),
    index('group_welcome_status_idx').on(t.status),
  ],
);

export const SPAM_KINDS = ['qr-code', 'link', 'link-card', 'mini-program'] as const;
export type SpamKind = (typeof SPAM_KINDS)[number];

/**
 * Suspected spam in a group (a non-staff member posting a QR code, a link or a mini-program card):
 * the message as it came in, kept for review, and whom it was reported to.
 */
export const groupSpam = sqliteTable(
  'group_spam',
  {
    /** The inbound message id. */
    messageId: text('message_id').primaryKey(),
    roomId: text('room_id').notNull(),
    talkerId: text('talker_id').notNull(),
    talkerName: text('talker_name').notNull().default(''),
    kind: text('kind', { enum: SPAM_KINDS }).notNull(),
    /** What gave it away: the URL, the card's title, the hint word. */
    detail: text('detail').notNull().default(''),
    /** The InboundMessage as JSON (type, text, card payload). */
    raw: text('raw').notNull(),
    postedAt: integer('posted_at').notNull(),
    /** Contact id the alert went to; null when no alert (no owner found, or one was sent for this person lately). */
    alertedTo: text('alerted_to'),
    alertKey: text('alert_key'),
    /** Why there was no alert. */
    noAlertReason: text('no_alert_reason'),
    /**
     * Set when the alert waits for a digest (posted outside the store's service hours): when the digest
     * goes. The digest's outbox key is `alertKey`.
     */
    digestAt: integer('digest_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('group_spam_room_idx').on(t.roomId, t.postedAt), index('group_spam_time_idx').on(t.postedAt)],
);

/** The bot accounts' own contact ids (for counting their posts as staff posts), written at each login. */
export const groupAccounts = sqliteTable('group_accounts', {
  account: text('account').primaryKey(),
  selfId: text('self_id').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
