/**
 * Merging two member records of one person into one: `members merge KEEP DROP` (CLI) and
 * `POST /api/members/:keep/merge` (console) both call {@link mergeMembers}.
 */
import type { Db } from '../../platform/db/client.js';
import { tierAfterGrowth, tierByCode } from '../members.rules.js';
import type { MembershipPlaybook } from '../playbook.js';

/** What a merge moved, for the operator and the audit trail. */
export interface MergeSummary {
  keep: number;
  drop: number;
  moved: { ledger: number; coupons: number; orders: number; events: number; referrals: number; contacts: number; wakeup: number; picks: number };
  /** The kept record after the merge. */
  after: { points: number; growth: number; tier: string; orderCount: number; contactId: string | null; phone: string | null };
  /** What the operator should know (a phone of DROP not kept, a per-member limit now exceeded). */
  notes: string[];
}

export type MergeResult = { ok: true; summary: MergeSummary } | { ok: false; reason: 'same' | 'unknown'; message: string };

interface Row {
  id: number;
  contact_id: string | null;
  name: string;
  phone: string | null;
  store_code: string | null;
  guide_code: string | null;
  tags: string;
  tier: string;
  growth: number;
  points: number;
  birthday_kind: string | null;
  birth_month: number | null;
  birth_day: number | null;
  birth_year: number | null;
  joined_at: number | null;
  last_active_at: number | null;
  last_purchase_at: number | null;
  order_count: number;
  opted_out_at: number | null;
  referrer_id: number | null;
  unionid: string | null;
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Moves everything of member DROP to member KEEP and deletes DROP, in one transaction: the points
 * ledger (KEEP's running balance rebuilt in order), coupons, orders, membership events, members DROP
 * referred, contact links (DROP's contact becomes KEEP's when KEEP has none, a further link
 * otherwise), wake-up episodes and steps, 3+3+3 picks. SLA questions and opt-outs are kept by contact
 * id, so they follow the contact links. KEEP's blanks are filled from DROP (phone, name, store, guide,
 * birthday, unionid); balance = ledger sum, growth and order count add up, the tier is the higher one
 * or what the growth earns.
 * @example mergeMembers(db, 12, 345, playbook, Date.now())
 */
export function mergeMembers(db: Db, keepId: number, dropId: number, playbook: MembershipPlaybook, now: number): MergeResult {
  if (keepId === dropId) return { ok: false, reason: 'same', message: `KEEP and DROP are the same member (${keepId})` };
  const c = db.$client;
  const get = c.prepare<[number], Row>('select * from members where id = ?');
  return c
    .transaction((): MergeResult => {
      const keep = get.get(keepId);
      const drop = get.get(dropId);
      if (!keep || !drop) return { ok: false, reason: 'unknown', message: `no member ${!keep ? keepId : dropId}` };
      const notes: string[] = [];
      const run = (sql: string, ...args: unknown[]) => c.prepare(sql).run(...args).changes;

      const ledger = run('update points_ledger set member_id = ? where member_id = ?', keepId, dropId);
      rebuildBalances(db, keepId);
      const coupons = run('update coupons set member_id = ? where member_id = ?', keepId, dropId);
      const orders = run('update orders set member_id = ? where member_id = ?', keepId, dropId);
      const events = run('update member_events set member_id = ? where member_id = ?', keepId, dropId);
      const referrals = run('update members set referrer_id = ? where referrer_id = ? and id <> ?', keepId, dropId, keepId);
      const wakeup = moveWakeup(db, keepId, dropId, now);
      const picks = run('update or ignore guide_chat_picks set member_id = ? where member_id = ?', keepId, dropId);
      run('delete from guide_chat_picks where member_id = ?', dropId);
      run('delete from member_bindings where member_id in (?, ?)', keepId, dropId);
      let contacts = run('update member_links set member_id = ? where member_id = ?', keepId, dropId);

      // DROP goes before KEEP takes its phone, contact and unionid (each is unique).
      run('delete from members where id = ?', dropId);
      let contactId = keep.contact_id;
      if (drop.contact_id !== null) {
        contacts++;
        if (contactId === null) contactId = drop.contact_id;
        else run('insert into member_links (contact_id, member_id, source, linked_at) values (?, ?, ?, ?)', drop.contact_id, keepId, 'merge', now);
      }
      if (drop.phone !== null && keep.phone !== null && drop.phone !== keep.phone)
        notes.push(`member ${dropId}'s phone (${maskTail(drop.phone)}) was not kept: member ${keepId} has its own`);
      const growth = keep.growth + drop.growth;
      const higher = [keep.tier, drop.tier]
        .map((t) => tierByCode(t, playbook))
        .filter((t) => t !== null)
        .sort((a, b) => b.minGrowth - a.minGrowth)[0];
      const tier = tierAfterGrowth(higher?.code ?? keep.tier, growth, playbook).code;
      const points = c.prepare<[number], number>('select coalesce(sum(delta), 0) from points_ledger where member_id = ?').pluck().get(keepId) ?? 0;
      const birthdayFromDrop = keep.birth_month === null && drop.birth_month !== null;
      const tags = JSON.stringify([...new Set([...(JSON.parse(keep.tags) as string[]), ...(JSON.parse(drop.tags) as string[])])]);
      const referrer = keep.referrer_id ?? (drop.referrer_id === keepId ? null : drop.referrer_id);
      c.prepare(
        `update members set contact_id = ?, phone = ?, name = ?, store_code = ?, guide_code = ?, tags = ?, tier = ?, growth = ?, points = ?,
      birthday_kind = ?, birth_month = ?, birth_day = ?, birth_year = ?, joined_at = ?, last_active_at = ?, last_purchase_at = ?, order_count = ?,
      opted_out_at = ?, referrer_id = ?, unionid = ?, updated_at = ? where id = ?`,
      ).run(
        contactId,
        keep.phone ?? drop.phone,
        keep.name || drop.name,
        keep.store_code ?? drop.store_code,
        keep.guide_code ?? drop.guide_code,
        tags,
        tier,
        growth,
        points,
        birthdayFromDrop ? drop.birthday_kind : keep.birthday_kind,
        birthdayFromDrop ? drop.birth_month : keep.birth_month,
        birthdayFromDrop ? drop.birth_day : keep.birth_day,
        birthdayFromDrop ? drop.birth_year : keep.birth_year,
        minOf(keep.joined_at, drop.joined_at),
        maxOf(keep.last_active_at, drop.last_active_at),
        maxOf(keep.last_purchase_at, drop.last_purchase_at),
        keep.order_count + drop.order_count,
        keep.opted_out_at ?? drop.opted_out_at,
        referrer,
        keep.unionid ?? drop.unionid,
        now,
        keepId,
      );
      for (const r of c
        .prepare<[number], { reward_code: string; n: number; lim: number }>(
          `select c.reward_code, count(*) as n, r.per_member_limit as lim
      from coupons c join rewards r on r.code = c.reward_code where c.member_id = ? and r.per_member_limit is not null
      group by c.reward_code having count(*) > r.per_member_limit`,
        )
        .all(keepId)) {
        notes.push(`member ${keepId} now holds ${r.n} coupons of ${r.reward_code} (limit ${r.lim}): both records had them`);
      }
      return {
        ok: true,
        summary: {
          keep: keepId,
          drop: dropId,
          moved: { ledger, coupons, orders, events, referrals, contacts, wakeup, picks },
          after: { points, growth, tier, orderCount: keep.order_count + drop.order_count, contactId, phone: keep.phone ?? drop.phone },
          notes,
        },
      };
    })
    .immediate();
}

function maskTail(phone: string): string {
  return `尾号${phone.slice(-4)}`;
}

/** Rewrites `balance_after` of a member's ledger in id order (rows of two members interleave after a merge). */
function rebuildBalances(db: Db, memberId: number): void {
  const c = db.$client;
  const rows = c
    .prepare<[number], { id: number; delta: number; balance_after: number }>('select id, delta, balance_after from points_ledger where member_id = ? order by id')
    .all(memberId);
  const set = c.prepare('update points_ledger set balance_after = ? where id = ?');
  let balance = 0;
  for (const r of rows) {
    balance += r.delta;
    if (r.balance_after !== balance) set.run(balance, r.id);
  }
}

/** DROP's wake-up episodes and steps go to KEEP; when both have an active episode, DROP's is stopped. */
function moveWakeup(db: Db, keepId: number, dropId: number, now: number): number {
  const c = db.$client;
  if (c.prepare("select 1 from wakeup_episodes where member_id = ? and status = 'active'").get(keepId)) {
    c.prepare("update wakeup_episodes set status = 'stopped', ended_at = ? where member_id = ? and status = 'active'").run(now, dropId);
  }
  const episodes = c.prepare<[number], { id: number; anchor_at: number }>('select id, anchor_at from wakeup_episodes where member_id = ?').all(dropId);
  const taken = c.prepare<[number, number], number>('select 1 from wakeup_episodes where member_id = ? and anchor_at = ?').pluck();
  const move = c.prepare('update wakeup_episodes set member_id = ?, anchor_at = ? where id = ?');
  for (const e of episodes) {
    // One episode per silence (member + anchor): a silence both records had is kept apart by a millisecond.
    let anchor = e.anchor_at;
    while (taken.get(keepId, anchor) !== undefined) anchor++;
    move.run(keepId, anchor, e.id);
  }
  c.prepare('update wakeup_steps set member_id = ? where member_id = ?').run(keepId, dropId);
  return episodes.length;
}
