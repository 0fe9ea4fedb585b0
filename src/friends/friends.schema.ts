import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Tables of new-friend handling (issue 9). Times are epoch ms; `*Day` columns are local dates
 * (YYYY-MM-DD in TIMEZONE) fixed when the row was written, so reports never depend on the machine's TZ.
 */

/**
 * What became of a friend request:
 * `scheduled` accept due at `dueAt` (counts toward the day's cap) · `accepted` · `capped` over the
 * day's cap, left pending on the platform · `skipped` greeting lacks the playbook's keyword ·
 * `duplicate` the contact already had a request in flight · `failed` the platform refused the accept.
 */
export const FRIEND_REQUEST_STATUSES = ['scheduled', 'accepted', 'capped', 'skipped', 'duplicate', 'failed'] as const;
export type FriendRequestStatus = (typeof FRIEND_REQUEST_STATUSES)[number];

/** One row per friend request the account received (keyed by the provider's friendship id). */
export const friendRequests = sqliteTable(
  'friend_requests',
  {
    id: text('id').primaryKey(),
    account: text('account').notNull(),
    contactId: text('contact_id').notNull(),
    contactName: text('contact_name').notNull().default(''),
    hello: text('hello').notNull().default(''),
    /** Where the contact came from: a channel code (`HZ01-g03`), `invite:<code>`, `store:<code>`, `default`, `manual`. */
    channel: text('channel').notNull(),
    storeCode: text('store_code'),
    guideCode: text('guide_code'),
    /** A code-shaped token in the greeting that matched nothing (the contact went to the default store). */
    unknownCode: text('unknown_code'),
    /** The contact was a friend before (deleted the account and came back): accepted, not welcomed as new. */
    returning: integer('returning', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: FRIEND_REQUEST_STATUSES }).notNull(),
    reason: text('reason'),
    receivedAt: integer('received_at').notNull(),
    receivedDay: text('received_day').notNull(),
    /** The local day whose accept cap this request uses (set when scheduled). */
    capDay: text('cap_day'),
    dueAt: integer('due_at'),
    acceptedAt: integer('accepted_at'),
    acceptedDay: text('accepted_day'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('friend_requests_status_idx').on(t.account, t.status, t.capDay),
    index('friend_requests_contact_idx').on(t.contactId),
    index('friend_requests_day_idx').on(t.receivedDay),
    index('friend_requests_accepted_idx').on(t.acceptedDay),
  ],
);

export const FRIEND_STATUSES = ['friend', 'removed'] as const;

/**
 * One row per contact who became a friend of an account: the attribution (store, guide, channel) a
 * member who later replies 入会 inherits, whether they were welcomed, and whether they removed the account.
 */
export const friends = sqliteTable(
  'friends',
  {
    contactId: text('contact_id').primaryKey(),
    account: text('account').notNull(),
    name: text('name').notNull().default(''),
    storeCode: text('store_code'),
    guideCode: text('guide_code'),
    channel: text('channel').notNull(),
    status: text('status', { enum: FRIEND_STATUSES }).notNull().default('friend'),
    firstAddedAt: integer('first_added_at').notNull(),
    lastAddedAt: integer('last_added_at').notNull(),
    /** How many times the account accepted this contact (2+ = they came back). */
    addCount: integer('add_count').notNull().default(1),
    welcomedAt: integer('welcomed_at'),
    /** When a `confirm` came after the accept was recorded (the platform may send it earlier, or never). */
    confirmedAt: integer('confirmed_at'),
    removedAt: integer('removed_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('friends_store_idx').on(t.storeCode, t.guideCode)],
);
