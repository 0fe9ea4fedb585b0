import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Tables of the response-time SLA (issue 6). Times are epoch ms; "business" durations count only
 * service time (see business-time.rules.ts), raw durations count wall time.
 */

export const SLA_QUESTION_STATUSES = ['open', 'answered', 'handled'] as const;
export type SlaQuestionStatus = (typeof SLA_QUESTION_STATUSES)[number];

/**
 * One member question: opened by a member's message in a tracked conversation, extended by the same
 * member's next messages, closed by a staff reply (`answered`) or a staff command (`handled`).
 * At most one open question per conversation and member (partial unique index).
 */
export const slaQuestions = sqliteTable(
  'sla_questions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The room id for a group, the member's contact id for a private chat. */
    conversationId: text('conversation_id').notNull(),
    /** Null for a private chat. */
    roomId: text('room_id'),
    /** Group name (or the member's name for a private chat), as known when it opened. */
    conversationName: text('conversation_name').notNull().default(''),
    /** The member's contact id. */
    memberId: text('member_id').notNull(),
    memberName: text('member_name').notNull().default(''),
    storeCode: text('store_code'),
    /** Owner guide (staff code): the group's guide, or the member's guide in a private chat. */
    guideCode: text('guide_code'),
    firstMessageId: text('first_message_id').notNull(),
    lastMessageId: text('last_message_id').notNull(),
    /** The start of the first message, for alerts and lists. */
    preview: text('preview').notNull().default(''),
    messageCount: integer('message_count').notNull().default(1),
    openedAt: integer('opened_at').notNull(),
    lastMessageAt: integer('last_message_at').notNull(),
    /** When the response target (business time) runs out. */
    targetDueAt: integer('target_due_at').notNull(),
    /** When it becomes backlog (open this long in business time). */
    backlogAt: integer('backlog_at').notNull(),
    /** Highest escalation tier fired (index into the playbook's tiers); -1 = none. */
    escalatedTier: integer('escalated_tier').notNull().default(-1),
    /** When the next tier (escalatedTier + 1) falls due; null when no tier is left. */
    nextDueAt: integer('next_due_at'),
    /**
     * When a tier fell due with nobody to alert, even after the fallbacks (group owner → store manager →
     * the brand's community admins and HQ), and nobody had been alerted before: counted as unrouted, not
     * as escalated. Cleared when a later tier reaches someone.
     */
    unroutedAt: integer('unrouted_at'),
    status: text('status', { enum: SLA_QUESTION_STATUSES }).notNull().default('open'),
    closedAt: integer('closed_at'),
    /** Staff code, or `account` for a person typing on the bot account's phone, or `cli`. */
    closedBy: text('closed_by'),
    closedByMessageId: text('closed_by_message_id'),
    /** closedAt − openedAt (wall time). */
    responseMs: integer('response_ms'),
    /** closedAt − openedAt counted in service time only. */
    responseBusinessMs: integer('response_business_ms'),
  },
  (t) => [
    // Partial indexes over open questions only (queries must say status = 'open' as a literal to use them).
    uniqueIndex('sla_questions_open_uq')
      .on(t.conversationId, t.memberId)
      .where(sql`status = 'open'`),
    index('sla_questions_backlog_idx')
      .on(t.backlogAt)
      .where(sql`status = 'open'`),
    index('sla_questions_due_idx')
      .on(t.nextDueAt)
      .where(sql`status = 'open'`),
    index('sla_questions_opened_idx').on(t.openedAt),
  ],
);

/**
 * One escalation alert of one question to one staff member. Unique per question, tier and person, so
 * a tier alerts each person once. `bundleKey` groups the alerts sent together in one message.
 */
export const slaAlerts = sqliteTable(
  'sla_alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('question_id')
      .notNull()
      .references(() => slaQuestions.id),
    tier: integer('tier').notNull(),
    staffCode: text('staff_code').notNull(),
    contactId: text('contact_id').notNull(),
    dueAt: integer('due_at').notNull(),
    firedAt: integer('fired_at').notNull(),
    /** Outbox key of the bundled message this alert went out in; null until bundled. */
    bundleKey: text('bundle_key'),
    /** When the bundle was handed to the outbox. */
    sentAt: integer('sent_at'),
  },
  (t) => [uniqueIndex('sla_alerts_uq').on(t.questionId, t.tier, t.staffCode), index('sla_alerts_pending_idx').on(t.staffCode, t.sentAt)],
);

/** Satisfaction questions asked after a private-chat question was answered, and the ratings given. */
export const slaSurveys = sqliteTable(
  'sla_surveys',
  {
    questionId: integer('question_id')
      .primaryKey()
      .references(() => slaQuestions.id),
    memberId: text('member_id').notNull(),
    /** When the question to the member was queued, and the earliest it goes out. */
    askedAt: integer('asked_at').notNull(),
    sendAt: integer('send_at').notNull(),
    /** 1–5, once answered. */
    rating: integer('rating'),
    answeredAt: integer('answered_at'),
  },
  (t) => [index('sla_surveys_member_idx').on(t.memberId, t.askedAt)],
);
