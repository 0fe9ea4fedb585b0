import { sql } from 'drizzle-orm';
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
export const inboundMessages = sqliteTable(
  'inbound_messages',
  {
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
  },
  (t) => [
    index('inbound_conversation_idx').on(t.conversationId, t.providerAt),
    // Time-ordered, so it grows at its right edge (cheap on the hot path); the dashboard's per-hour counts use it.
    index('inbound_time_idx').on(t.providerAt),
  ],
);

/** `unreachable`: no enabled account reaches the target (outbox routing); recorded with the reason, never sent. */
export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'expired', 'unknown', 'unreachable'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One row per outbound message: what was promised to whom, and what became of it. */
export const outbox = sqliteTable(
  'outbox',
  {
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
    /** When the feed gave it a job in Redis (null: it waits in SQLite only). */
    fedAt: integer('fed_at'),
    /** Generation of its job: a job whose generation is not the row's is stale and dropped unsent. */
    fedGen: integer('fed_gen').notNull().default(0),
    /** Held back until this instant (quiet hours, a retry, …); see `deferredWhy`. */
    deferredUntil: integer('deferred_until'),
    deferredWhy: text('deferred_why'),
    /** Times it was moved to another account because its account went down (outbox routing). */
    rerouted: integer('rerouted').notNull().default(0),
  },
  (t) => [uniqueIndex('outbox_key_uq').on(t.key), index('outbox_status_idx').on(t.status), index('outbox_target_sent_idx').on(t.targetId, t.sentAt)],
);

/** Contacts who opted out of marketing (退订). Service messages still reach them. */
export const optOuts = sqliteTable('opt_outs', {
  contactId: text('contact_id').primaryKey(),
  at: integer('at').notNull(),
  source: text('source').notNull(),
});

export const SCHEDULE_RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'skipped'] as const;

/** One row per schedule slot: the guarantee that a slot fires once. */
export const scheduleRuns = sqliteTable(
  'schedule_runs',
  {
    name: text('name').notNull(),
    /** The slot's instant (epoch ms), not the moment it ran. */
    slot: integer('slot').notNull(),
    status: text('status', { enum: SCHEDULE_RUN_STATUSES }).notNull(),
    reason: text('reason'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.name, t.slot] })],
);

// ── Membership (issue: members, staff and points) ───────────────────────────────────

export const STAFF_ROLES = ['guide', 'store-manager', 'community-admin', 'hq'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const stores = sqliteTable('stores', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  city: text('city').notNull().default(''),
  createdAt: integer('created_at').notNull(),
});

/** Guides, store managers, community admins and HQ staff. */
export const staff = sqliteTable(
  'staff',
  {
    /** Staff number (工号), the key imports use. */
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    storeCode: text('store_code').references(() => stores.code),
    /** Their own WeChat/WeCom contact id, once known. */
    contactId: text('contact_id'),
    /** Phone; shown and logged masked only. */
    phone: text('phone'),
    /** Days they work, as local weekday digits 0 (Sunday) to 6: `0123456` = every day. */
    workingDays: text('working_days').notNull().default('0123456'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('staff_contact_uq').on(t.contactId), index('staff_store_idx').on(t.storeCode, t.role)],
);

/**
 * One row counting changes to `staff` (triggers `staff_roster_insert/update/delete`, migration 0011):
 * the directory of people (core/directory.ts) reads the roster again only when it moved, whoever wrote
 * it (an import from the CLI, the console, a test).
 */
export const rosterVersion = sqliteTable('roster_version', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
});

export const BIRTHDAY_KINDS = ['solar', 'lunar'] as const;

export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** WeChat/WeCom contact id when the member is linked (入会 or import). */
    contactId: text('contact_id'),
    name: text('name').notNull().default(''),
    /** Mainland mobile number; shown and logged masked only. */
    phone: text('phone'),
    storeCode: text('store_code').references(() => stores.code),
    /** Owning guide (staff code). */
    guideCode: text('guide_code').references(() => staff.code),
    /** JSON array of tags. */
    tags: text('tags').notNull().default('[]'),
    tier: text('tier').notNull(),
    /** Growth value: decides the tier. */
    growth: integer('growth').notNull().default(0),
    /** Spendable points: always equal to the sum of the ledger (checked by `doctor`). */
    points: integer('points').notNull().default(0),
    birthdayKind: text('birthday_kind', { enum: BIRTHDAY_KINDS }),
    birthMonth: integer('birth_month'),
    birthDay: integer('birth_day'),
    birthYear: integer('birth_year'),
    joinedAt: integer('joined_at'),
    /** Last message or interaction (inbound activity). */
    lastActiveAt: integer('last_active_at'),
    lastPurchaseAt: integer('last_purchase_at'),
    orderCount: integer('order_count').notNull().default(0),
    optedOutAt: integer('opted_out_at'),
    referralCode: text('referral_code').notNull(),
    referrerId: integer('referrer_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The brand's WeChat unionid for this person, when its CRM has one (import members). */
    unionid: text('unionid'),
  },
  (t) => [
    uniqueIndex('members_contact_uq').on(t.contactId),
    uniqueIndex('members_unionid_uq').on(t.unionid),
    uniqueIndex('members_phone_uq').on(t.phone),
    uniqueIndex('members_referral_uq').on(t.referralCode),
    index('members_guide_idx').on(t.guideCode),
    index('members_store_idx').on(t.storeCode),
    index('members_active_idx').on(t.lastActiveAt),
    // The last activity as core/activity.ts defines it (same expression, so the 3+3+3 silent scan can use it).
    index('members_activity_idx').on(sql`coalesce(max(${t.lastActiveAt}, ${t.lastPurchaseAt}), ${t.lastActiveAt}, ${t.lastPurchaseAt}, ${t.joinedAt}, ${t.createdAt})`),
    index('members_birthday_idx').on(t.birthdayKind, t.birthMonth, t.birthDay),
  ],
);

/**
 * Further contact ids of one member (a second account's contact, a record merged in). The member's
 * own `members.contact_id` is the contact the bot reaches them by; a contact id is linked to one
 * member at most, here or there (see src/members/identity/).
 */
export const memberLinks = sqliteTable(
  'member_links',
  {
    contactId: text('contact_id').primaryKey(),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    /** How it was linked: `merge`, `chat` … */
    source: text('source').notNull(),
    linkedAt: integer('linked_at').notNull(),
  },
  (t) => [index('member_links_member_idx').on(t.memberId)],
);

/** `refused`: the fact was not given; kept `binding.lockHours` so neither that contact nor that member can try again at once. */
export const BINDING_STATES = ['asked-phone', 'asked-fact', 'held', 'refused'] as const;
export type BindingState = (typeof BINDING_STATES)[number];

/** A contact's binding to a member record in progress in chat (one per contact). */
export const memberBindings = sqliteTable(
  'member_bindings',
  {
    contactId: text('contact_id').primaryKey(),
    contactName: text('contact_name').notNull().default(''),
    /** The member command that started it (`join`, `points` …), answered once bound. */
    command: text('command').notNull(),
    state: text('state', { enum: BINDING_STATES }).notNull(),
    /** The member the phone matched (asked-fact, held). */
    memberId: integer('member_id'),
    /** Wrong answers to the fact asked. */
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('member_bindings_member_idx').on(t.memberId)],
);

/** Groups (rooms) the brand runs, with their store and owning guide. */
export const groups = sqliteTable(
  'groups',
  {
    roomId: text('room_id').primaryKey(),
    name: text('name').notNull(),
    storeCode: text('store_code').references(() => stores.code),
    guideCode: text('guide_code').references(() => staff.code),
    tags: text('tags').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('groups_store_idx').on(t.storeCode), index('groups_guide_idx').on(t.guideCode)],
);

export const orders = sqliteTable(
  'orders',
  {
    orderId: text('order_id').primaryKey(),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    /** Amount in fen (分). */
    amountFen: integer('amount_fen').notNull(),
    orderedAt: integer('ordered_at').notNull(),
    storeCode: text('store_code').references(() => stores.code),
    importedAt: integer('imported_at').notNull(),
  },
  (t) => [index('orders_member_idx').on(t.memberId, t.orderedAt)],
);

export const LEDGER_REASONS = ['order', 'redeem', 'referral', 'care', 'adjust', 'expire'] as const;

/** Append-only points ledger. `ref` is unique: the same order or redemption never counts twice. */
export const pointsLedger = sqliteTable(
  'points_ledger',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    delta: integer('delta').notNull(),
    reason: text('reason', { enum: LEDGER_REASONS }).notNull(),
    ref: text('ref').notNull(),
    balanceAfter: integer('balance_after').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('ledger_ref_uq').on(t.ref), index('ledger_member_idx').on(t.memberId, t.id)],
);

/** The rewards catalogue as loaded from the membership playbook; stock is live here. */
export const rewards = sqliteTable('rewards', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  cost: integer('cost').notNull(),
  /** Stock left; null = unlimited. */
  stock: integer('stock'),
  /** The playbook's stock figure last applied (-1 = unlimited; null = not recorded yet): a new figure restocks. */
  stockSet: integer('stock_set'),
  perMemberLimit: integer('per_member_limit'),
  validityDays: integer('validity_days').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  updatedAt: integer('updated_at').notNull(),
});

export const COUPON_STATUSES = ['issued', 'used', 'expired'] as const;

export const coupons = sqliteTable(
  'coupons',
  {
    code: text('code').primaryKey(),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    rewardCode: text('reward_code')
      .notNull()
      .references(() => rewards.code),
    status: text('status', { enum: COUPON_STATUSES }).notNull().default('issued'),
    /** What issued it (a redemption's ledger ref, a care scene): unique, so it is issued once. */
    ref: text('ref').notNull(),
    issuedAt: integer('issued_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    /** The order it was used on (import orders with a coupon column); set with status `used`. */
    usedOrderId: text('used_order_id'),
  },
  (t) => [uniqueIndex('coupons_ref_uq').on(t.ref), index('coupons_member_idx').on(t.memberId, t.status)],
);

export const MEMBER_EVENT_KINDS = ['first-purchase', 'repurchase', 'tier-upgrade', 'tier-downgrade'] as const;
export type MemberEventKind = (typeof MEMBER_EVENT_KINDS)[number];

/**
 * Membership domain events (first purchase, repurchase, tier upgrade) written in the same transaction
 * as the change that caused them; lifecycle care reads the unhandled ones and marks them handled.
 */
export const memberEvents = sqliteTable(
  'member_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    kind: text('kind', { enum: MEMBER_EVENT_KINDS }).notNull(),
    /** Unique: `<kind>:<orderId>`, so a re-run never records an event twice. */
    ref: text('ref').notNull(),
    /** JSON details (order points, order count, tiers). */
    data: text('data').notNull().default('{}'),
    at: integer('at').notNull(),
    handledAt: integer('handled_at'),
  },
  (t) => [uniqueIndex('member_events_ref_uq').on(t.ref), index('member_events_pending_idx').on(t.handledAt, t.id)],
);

/**
 * The last time each automatic non-command answer (help hint, not a member, refused admin command …)
 * went to a contact: the same answer goes to the same person at most once per `AUTO_REPLY_REPEAT_MINUTES`.
 */
export const autoReplies = sqliteTable(
  'auto_replies',
  {
    contactId: text('contact_id').notNull(),
    kind: text('kind').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.kind] })],
);

/**
 * Who reaches whom: the contacts each bot account is friends with and the groups it is in (from login
 * lists, contact and room events). A row is removed when the account loses the friend or leaves the
 * group. `last_inbound_at`: when the target last wrote to this account (replies go back through it).
 */
export const accountReach = sqliteTable(
  'account_reach',
  {
    account: text('account').notNull(),
    targetKind: text('target_kind', { enum: ['contact', 'room'] }).notNull(),
    targetId: text('target_id').notNull(),
    seenAt: integer('seen_at').notNull(),
    lastInboundAt: integer('last_inbound_at'),
  },
  (t) => [primaryKey({ columns: [t.account, t.targetKind, t.targetId] }), index('account_reach_target_idx').on(t.targetKind, t.targetId)],
);
