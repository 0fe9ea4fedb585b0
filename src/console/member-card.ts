/**
 * Members as operators look them up in the console: a search by phone (whole or its last four
 * digits), name or contact id, and one member's card. Read-only; phones masked.
 */
import { maskPhones } from '../core/mask.js';
import type { Db } from '../platform/db/client.js';
import { describeContent } from './outbox-list.js';
import { storedTags } from '../core/text.js';

/** One search result. */
export interface MemberHit {
  id: number;
  name: string;
  phone: string | null;
  contactId: string | null;
  storeCode: string | null;
  tier: string;
  tierName: string;
  points: number;
  lastActiveAt: number | null;
}

const mask = (v: unknown) => (typeof v === 'string' ? maskPhones(v) : null);

/**
 * Members matching `q`: a phone (11 digits), the last four digits of one, a contact id, or part of a
 * name. Phones come back masked.
 * @example searchMembers(db, '5678', tierName) // members whose phone ends in 5678
 */
export function searchMembers(db: Db, q: string, tierName: (code: string) => string, limit = 20): MemberHit[] {
  const text = q.trim();
  if (text === '') return [];
  const digits = text.replace(/[\s-]/gu, '');
  const like = `%${text.replace(/[%_\\]/gu, '')}%`;
  const rows = db.$client
    .prepare(
      `
    select id, name, phone, contact_id as contactId, store_code as storeCode, tier, points, last_active_at as lastActiveAt from members
    where contact_id = @q or id = (select member_id from member_links where contact_id = @q) or (@digits glob '[0-9]*' and (phone = @digits or (length(@digits) = 4 and phone like '%' || @digits)))
       or name like @like escape '\\'
    order by case when contact_id = @q or phone = @digits then 0 else 1 end, id limit @limit`,
    )
    .all({ q: text, digits, like, limit }) as Omit<MemberHit, 'tierName'>[];
  return rows.map((r) => ({ ...r, name: maskPhones(r.name), phone: mask(r.phone), tierName: tierName(r.tier) }));
}

/** A member's card: who, tier, points and ledger, coupons, contact, wake-up, open questions, campaigns received. */
export interface MemberCard extends MemberHit {
  growth: number;
  guideCode: string | null;
  guideName: string | null;
  storeName: string | null;
  tags: string[];
  joinedAt: number | null;
  optedOutAt: number | null;
  orderCount: number;
  lastPurchaseAt: number | null;
  /** The WeChat contact the member is linked to (null: not linked yet), as the bot has seen it. */
  contact: { id: string; name: string; firstSeenAt: number; lastSeenAt: number; lastInboundAt: number | null } | null;
  ledger: { delta: number; reason: string; ref: string; balanceAfter: number; at: number }[];
  coupons: { code: string; reward: string; status: string; issuedAt: number; expiresAt: number; usedAt: number | null }[];
  wakeup: { stage: number; arm: string; status: string; startedAt: number; lastStepAt: number | null; endedAt: number | null; endReason: string | null }[];
  openQuestions: { id: number; where: string; preview: string; openedAt: number; dueAt: number }[];
  /** Other WeChat contacts linked to this member (a merge, a binding in chat …). */
  links: { contactId: string; name: string; source: string; linkedAt: number }[];
  /** Groups the member is in now. */
  groups: { roomId: string; name: string; joinedAt: number }[];
  /** Campaigns that reached the member: sent to them, or posted in a group while they were in it. */
  campaigns: { id: string; name: string; via: string; at: number }[];
  /** Marketing and service messages sent to the member's contact, newest first. */
  messages: { id: number; purpose: string; status: string; text: string; at: number; campaign: string | null }[];
}

/** One member's card, or null when there is no such member. */
export function memberCard(db: Db, id: number, tierName: (code: string) => string): MemberCard | null {
  const c = db.$client;
  const m = c
    .prepare(
      `select m.id, m.name, m.phone, m.contact_id as contactId, m.store_code as storeCode, m.tier, m.points, m.growth,
      m.last_active_at as lastActiveAt, m.guide_code as guideCode, s.name as guideName, st.name as storeName, m.tags, m.joined_at as joinedAt,
      m.opted_out_at as optedOutAt, m.order_count as orderCount, m.last_purchase_at as lastPurchaseAt
    from members m left join staff s on s.code = m.guide_code left join stores st on st.code = m.store_code where m.id = ?`,
    )
    .get(id) as
    | (Omit<MemberCard, 'tags' | 'tierName' | 'contact' | 'ledger' | 'coupons' | 'wakeup' | 'openQuestions' | 'messages' | 'groups' | 'campaigns' | 'links'> & { tags: string })
    | undefined;
  if (!m) return null;
  const contactId = m.contactId;
  const groups = contactId
    ? (c
        .prepare(
          `select gm.room_id as roomId, coalesce(g.name, r.topic, gm.room_id) as name, gm.joined_at as joinedAt
      from group_memberships gm left join groups g on g.room_id = gm.room_id left join rooms r on r.id = gm.room_id
      where gm.contact_id = ? and gm.left_at is null order by gm.joined_at`,
        )
        .all(contactId) as MemberCard['groups'])
    : [];
  const campaigns = contactId
    ? (c
        .prepare(
          `
      select t.campaign_id as id, coalesce(ca.name, t.campaign_id) as name, case when t.target_kind = 'room' then coalesce(g.name, t.target_id) else '私聊' end as via, max(o.sent_at) as at
      from campaign_targets t join outbox o on o.id = t.outbox_id and o.status = 'sent'
      left join campaigns ca on ca.id = t.campaign_id left join groups g on g.room_id = t.target_id
      where (t.target_kind = 'contact' and t.target_id = @contact)
         or (t.target_kind = 'room' and exists (select 1 from group_memberships gm where gm.room_id = t.target_id and gm.contact_id = @contact
               and gm.joined_at <= o.sent_at and (gm.left_at is null or gm.left_at > o.sent_at)))
      group by t.campaign_id, t.target_id order by at desc limit 30`,
        )
        .all({ contact: contactId }) as MemberCard['campaigns'])
    : [];
  return {
    ...m,
    groups,
    campaigns,
    links: c
      .prepare(
        `select l.contact_id as contactId, coalesce(ct.name, '') as name, l.source, l.linked_at as linkedAt
      from member_links l left join contacts ct on ct.id = l.contact_id where l.member_id = ? order by l.linked_at`,
      )
      .all(id) as MemberCard['links'],
    name: maskPhones(m.name),
    phone: mask(m.phone),
    tierName: tierName(m.tier),
    tags: storedTags(m.tags),
    contact: contactId
      ? ((c.prepare(`select id, name, first_seen_at as firstSeenAt, last_seen_at as lastSeenAt, last_inbound_at as lastInboundAt from contacts where id = ?`).get(contactId) as
          MemberCard['contact'] | undefined) ?? { id: contactId, name: '', firstSeenAt: 0, lastSeenAt: 0, lastInboundAt: null })
      : null,
    ledger: c
      .prepare(`select delta, reason, ref, balance_after as balanceAfter, created_at as at from points_ledger where member_id = ? order by id desc limit 50`)
      .all(id) as MemberCard['ledger'],
    coupons: c
      .prepare(
        `select c.code, coalesce(r.name, c.reward_code) as reward, c.status, c.issued_at as issuedAt, c.expires_at as expiresAt, c.used_at as usedAt
      from coupons c left join rewards r on r.code = c.reward_code where c.member_id = ? order by c.issued_at desc limit 50`,
      )
      .all(id) as MemberCard['coupons'],
    wakeup: c
      .prepare(
        `select stage, arm, status, started_at as startedAt, last_step_at as lastStepAt, ended_at as endedAt, end_reason as endReason
      from wakeup_episodes where member_id = ? order by id desc limit 10`,
      )
      .all(id) as MemberCard['wakeup'],
    openQuestions: contactId
      ? (
          c
            .prepare(
              `select id, conversation_name as "where", preview, opened_at as openedAt, target_due_at as dueAt
      from sla_questions where member_id = ? and status = 'open' order by opened_at`,
            )
            .all(contactId) as MemberCard['openQuestions']
        ).map((q) => ({ ...q, preview: maskPhones(q.preview) }))
      : [],
    messages: contactId
      ? (
          c
            .prepare(
              `select id, purpose, status, content, coalesce(sent_at, created_at) as at, key from outbox
      where target_kind = 'contact' and target_id = ? order by id desc limit 30`,
            )
            .all(contactId) as { id: number; purpose: string; status: string; content: string; at: number; key: string }[]
        ).map(({ content, key, ...r }) => ({ ...r, text: describeContent(content), campaign: key.startsWith('campaign:') ? (key.split(':')[1] ?? null) : null }))
      : [],
  };
}
