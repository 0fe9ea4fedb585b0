import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** All times are epoch milliseconds (UTC instants); local dates are derived with the configured TZ. */

/** Every contact the bot has seen (members, staff, strangers). */
export const contacts = sqliteTable('contacts', {
  id: text('id').primaryKey(),
  name: text('name').notNull().default(''),
  firstSeenAt: integer('first_seen_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
  /** Last message this contact sent (group or private): a member's last activity. */
  lastInboundAt: integer('last_inbound_at'),
});

/** Every group (room) the bot has seen. */
export const rooms = sqliteTable('rooms', {
  id: text('id').primaryKey(),
  topic: text('topic').notNull().default(''),
  firstSeenAt: integer('first_seen_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
  lastMessageAt: integer('last_message_at'),
});

/** The inbound log: each accepted message once, keyed by the provider's message id. */
export const inboundMessages = sqliteTable('inbound_messages', {
  id: text('id').primaryKey(),
  account: text('account').notNull(),
  /** Room id for group messages, talker id for private chats. */
  conversationId: text('conversation_id').notNull(),
  talkerId: text('talker_id').notNull(),
  roomId: text('room_id'),
  type: text('type').notNull(),
  text: text('text').notNull().default(''),
  mentionSelf: integer('mention_self', { mode: 'boolean' }).notNull().default(false),
  providerAt: integer('provider_at').notNull(),
  receivedAt: integer('received_at').notNull(),
}, (t) => [
  index('inbound_conversation_idx').on(t.conversationId, t.providerAt),
  index('inbound_talker_idx').on(t.talkerId, t.providerAt),
]);

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'expired', 'unknown'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One row per outbound message: what was promised to whom, and what became of it. */
export const outbox = sqliteTable('outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull(),
  account: text('account').notNull(),
  targetKind: text('target_kind', { enum: ['contact', 'room'] }).notNull(),
  targetId: text('target_id').notNull(),
  /** JSON of OutboundContent. */
  content: text('content').notNull(),
  purpose: text('purpose').notNull(),
  priority: integer('priority').notNull(),
  notBefore: integer('not_before'),
  expiresAt: integer('expires_at'),
  status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('queued'),
  attempts: integer('attempts').notNull().default(0),
  /** The bot process that claimed it for sending (see Sender.instanceId). */
  claimedBy: text('claimed_by'),
  /** Why it was skipped, failed, expired or is unknown. */
  reason: text('reason'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  sentAt: integer('sent_at'),
}, (t) => [
  uniqueIndex('outbox_key_uq').on(t.key),
  index('outbox_status_idx').on(t.status),
  index('outbox_target_sent_idx').on(t.targetId, t.sentAt),
]);

/** Contacts who opted out of marketing (退订). Service messages still reach them. */
export const optOuts = sqliteTable('opt_outs', {
  contactId: text('contact_id').primaryKey(),
  at: integer('at').notNull(),
  source: text('source').notNull(),
});

export const SCHEDULE_RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'skipped'] as const;

/** One row per schedule slot: the guarantee that a slot fires once. */
export const scheduleRuns = sqliteTable('schedule_runs', {
  name: text('name').notNull(),
  /** The slot's instant (epoch ms), not the moment it ran. */
  slot: integer('slot').notNull(),
  status: text('status', { enum: SCHEDULE_RUN_STATUSES }).notNull(),
  reason: text('reason'),
  createdAt: integer('created_at').notNull(),
  startedAt: integer('started_at'),
  finishedAt: integer('finished_at'),
}, (t) => [primaryKey({ columns: [t.name, t.slot] })]);

