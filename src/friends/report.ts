import { and, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { staff, stores } from '../platform/db/schema.js';
import { friendRequests } from './friends.schema.js';
import type { FriendsPlaybook } from './playbook.js';

/** One line of the daily breakdown: requests received that day by store, guide and channel. */
export interface FriendsDayLine {
  day: string;
  storeCode: string | null;
  guideCode: string | null;
  channel: string;
  /** New friends accepted. */
  accepted: number;
  /** Contacts who came back (accepted, not new). */
  returning: number;
  /** Waiting for their delayed accept. */
  pending: number;
  /** Over the day's cap: still pending on the platform. */
  capped: number;
  skipped: number;
  failed: number;
}

/** A store's new friends this month against its target. */
export interface FriendsMonthLine {
  storeCode: string;
  storeName: string;
  month: string;
  newFriends: number;
  target: number;
  /** newFriends / target, 0..1+ */
  progress: number;
}

/** A request still waiting (capped or scheduled). */
export interface PendingLine {
  id: string;
  contactId: string;
  contactName: string;
  hello: string;
  status: string;
  channel: string;
  storeCode: string | null;
  receivedDay: string;
}

export interface FriendsReport {
  from: string;
  to: string;
  days: FriendsDayLine[];
  month: FriendsMonthLine[];
  pending: PendingLine[];
}

/**
 * New friends per day by store, guide and channel (by the local day the request came in), the month
 * of `to` against each store's target (new friends accepted that month), and every request still waiting.
 * @example friendsReport(db, playbook, { from: '2026-11-01', to: '2026-11-07', store: null })
 */
export function friendsReport(db: Db, playbook: FriendsPlaybook, q: { from: string; to: string; store: string | null }): FriendsReport {
  const inStore = q.store ? sql`${friendRequests.storeCode} = ${q.store}` : sql`1 = 1`;
  const n = (cond: ReturnType<typeof sql>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
  const days = db
    .select({
      day: friendRequests.receivedDay,
      storeCode: friendRequests.storeCode,
      guideCode: friendRequests.guideCode,
      channel: friendRequests.channel,
      accepted: n(sql`${friendRequests.status} = 'accepted' and ${friendRequests.returning} = 0`),
      returning: n(sql`${friendRequests.status} = 'accepted' and ${friendRequests.returning} = 1`),
      pending: n(sql`${friendRequests.status} = 'scheduled'`),
      capped: n(sql`${friendRequests.status} = 'capped'`),
      skipped: n(sql`${friendRequests.status} = 'skipped'`),
      failed: n(sql`${friendRequests.status} = 'failed'`),
    })
    .from(friendRequests)
    .where(and(gte(friendRequests.receivedDay, q.from), lte(friendRequests.receivedDay, q.to), inStore, sql`${friendRequests.status} <> 'duplicate'`))
    .groupBy(friendRequests.receivedDay, friendRequests.storeCode, friendRequests.guideCode, friendRequests.channel)
    .orderBy(friendRequests.receivedDay, friendRequests.storeCode, friendRequests.guideCode, friendRequests.channel)
    .all();

  const month = q.to.slice(0, 7);
  const counts = new Map(
    db
      .select({ storeCode: friendRequests.storeCode, n: sql<number>`count(*)` })
      .from(friendRequests)
      .where(sql`${friendRequests.status} = 'accepted' and ${friendRequests.returning} = 0 and ${friendRequests.acceptedDay} like ${`${month}-%`}`)
      .groupBy(friendRequests.storeCode)
      .all()
      .map((r) => [r.storeCode, r.n]),
  );
  const storeRows = db.select({ code: stores.code, name: stores.name }).from(stores).orderBy(stores.code).all();
  const monthLines = storeRows
    .filter((s) => !q.store || s.code === q.store)
    .map((s): FriendsMonthLine => {
      const newFriends = counts.get(s.code) ?? 0;
      const target = playbook.targetFor(s.code);
      return { storeCode: s.code, storeName: s.name, month, newFriends, target, progress: newFriends / target };
    });

  const pending = db
    .select({
      id: friendRequests.id,
      contactId: friendRequests.contactId,
      contactName: friendRequests.contactName,
      hello: friendRequests.hello,
      status: friendRequests.status,
      channel: friendRequests.channel,
      storeCode: friendRequests.storeCode,
      receivedDay: friendRequests.receivedDay,
    })
    .from(friendRequests)
    .where(and(sql`${friendRequests.status} in ('capped', 'scheduled')`, inStore))
    .orderBy(friendRequests.receivedAt)
    .all();

  return { from: q.from, to: q.to, days, month: monthLines, pending };
}

/** The report as text for a terminal. */
export function renderFriendsReport(r: FriendsReport, db?: Db): string {
  const guideNames = db
    ? new Map(
        db
          .select({ code: staff.code, name: staff.name })
          .from(staff)
          .all()
          .map((s) => [s.code, s.name]),
      )
    : new Map<string, string>();
  const out = [`New friends ${r.from} … ${r.to}`, ''];
  out.push(`Month ${r.month[0]?.month ?? r.to.slice(0, 7)} (new friends accepted vs target)`);
  for (const m of r.month) out.push(`  ${m.storeCode} ${m.storeName}: ${m.newFriends}/${m.target} (${(m.progress * 100).toFixed(1)}%)`);
  if (!r.month.length) out.push('  (no stores)');
  out.push('', 'By day, store, guide, channel: accepted / returning / pending / capped / skipped / failed');
  for (const d of r.days) {
    const guide = d.guideCode ? `${d.guideCode}${guideNames.has(d.guideCode) ? ` ${guideNames.get(d.guideCode)}` : ''}` : '-';
    out.push(`  ${d.day}  ${d.storeCode ?? '-'}  ${guide}  ${d.channel}:  ${d.accepted} / ${d.returning} / ${d.pending} / ${d.capped} / ${d.skipped} / ${d.failed}`);
  }
  if (!r.days.length) out.push('  (no requests)');
  out.push('', `Waiting (${r.pending.length}): capped = over the daily cap, still pending on WeChat; scheduled = accept under way`);
  for (const p of r.pending) out.push(`  ${p.receivedDay}  ${p.status.padEnd(9)}  ${p.contactName || p.contactId}  ${p.channel}  "${p.hello}"`);
  return out.join('\n');
}
