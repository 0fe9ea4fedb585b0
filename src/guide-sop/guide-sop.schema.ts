import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Tables of the guide "3+3+3" routine. Times are epoch ms; `date` is the local `YYYY-MM-DD` in TIMEZONE.
 * Staff codes and member ids are not foreign keys on purpose: a roster re-import may remove a guide,
 * and their history must stay readable in reports.
 */

/** One row per guide per working day: the card as planned, and what was ticked. The daily record. */
export const guideDays = sqliteTable(
  'guide_days',
  {
    date: text('date').notNull(),
    guideCode: text('guide_code').notNull(),
    storeCode: text('store_code'),
    /** JSON of `CardPlan` (moments copy, named members with reasons, groups), frozen when planned. */
    plan: text('plan').notNull(),
    momentsQuota: integer('moments_quota').notNull(),
    chatsQuota: integer('chats_quota').notNull(),
    groupsQuota: integer('groups_quota').notNull(),
    /** Bit i set = item i+1 of that list done. */
    momentsDone: integer('moments_done').notNull().default(0),
    chatsDone: integer('chats_done').notNull().default(0),
    groupsDone: integer('groups_done').notNull().default(0),
    /** Items done and items due (the three quotas summed); kept in step with the bits for reports. */
    done: integer('done').notNull().default(0),
    total: integer('total').notNull(),
    /** When `done` first reached `total`. */
    completedAt: integer('completed_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.date, t.guideCode] }), index('guide_days_guide_idx').on(t.guideCode, t.date), index('guide_days_store_idx').on(t.storeCode, t.date)],
);

/** Members named on a guide's card: so the same member is not suggested again within the playbook's days. */
export const guideChatPicks = sqliteTable(
  'guide_chat_picks',
  {
    date: text('date').notNull(),
    guideCode: text('guide_code').notNull(),
    memberId: integer('member_id').notNull(),
    /** The rule that picked them (`birthday`, `silent` …). */
    rule: text('rule').notNull(),
  },
  (t) => [primaryKey({ columns: [t.date, t.guideCode, t.memberId] }), index('guide_chat_picks_member_idx').on(t.memberId, t.date)],
);

/** A guide's post seen in a group: counts once per group per day toward the group quota. */
export const guideGroupPosts = sqliteTable(
  'guide_group_posts',
  {
    date: text('date').notNull(),
    guideCode: text('guide_code').notNull(),
    roomId: text('room_id').notNull(),
    messageId: text('message_id').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.date, t.guideCode, t.roomId] })],
);

/** When staff (any role) last posted in a group: "longest since a staff post" for group selection. */
export const guideRoomActivity = sqliteTable('guide_room_activity', {
  roomId: text('room_id').primaryKey(),
  lastStaffPostAt: integer('last_staff_post_at').notNull(),
});

/**
 * A member's latest question (question-like text in a group or a private chat) and whether staff
 * answered it: the "open question" rule of the card.
 */
export const guideQuestions = sqliteTable(
  'guide_questions',
  {
    contactId: text('contact_id').primaryKey(),
    /** The group it was asked in; null for a private chat. */
    roomId: text('room_id'),
    text: text('text').notNull(),
    askedAt: integer('asked_at').notNull(),
    answeredAt: integer('answered_at'),
  },
  (t) => [index('guide_questions_room_idx').on(t.roomId, t.askedAt), index('guide_questions_open_idx').on(t.answeredAt, t.askedAt)],
);
