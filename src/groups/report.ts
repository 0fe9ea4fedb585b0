import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { groups, rooms, staff } from '../platform/db/schema.js';
import { daysBetween, interaction, membersAt, monthsBetween, retention, weeksBetween, type InteractionFigure, type RetentionFigure, type Spell } from './figures.rules.js';
import { groupAccounts, groupMemberships, groupSpam, type SpamKind } from './groups.schema.js';
import { SPAM_KIND_NAMES } from './spam.rules.js';
import { formatLocal } from '../core/time.js';

/** Options of {@link groupHealthReport}. Dates are local `YYYY-MM-DD` in `timezone`, both included. */
export interface GroupHealthOptions {
  from: string;
  to: string;
  timezone: string;
  /** The report's "now" (epoch ms): retention of a month not over is measured here. */
  now: number;
  /** Only this store's groups. */
  store?: string | null;
  /** The playbook's retention target (default 0.85–0.90). */
  target?: { min: number; max: number };
}

/** Staff posts in one group on one local day. */
export interface StaffPostsFigure {
  day: string;
  /** Posts by roster staff (their own WeChat). */
  staff: number;
  /** Posts by the bot account: its sends, and what a person typed on its phone. */
  bot: number;
  total: number;
}

/** The health of one group. */
export interface GroupHealth {
  roomId: string;
  name: string;
  storeCode: string | null;
  guideCode: string | null;
  /** Non-staff members at the end of the range (or now). */
  members: number;
  retention: RetentionFigure[];
  interaction: InteractionFigure[];
  staffPosts: StaffPostsFigure[];
  /** Suspected spam messages kept in the range. */
  spam: number;
}

/**
 * The group-health report, JSON-ready (the CLI prints it, the console charts it).
 * @example
 * groupHealthReport(db, { from: '2026-11-01', to: '2026-11-30', timezone: 'Asia/Shanghai', now: Date.now() })
 * // {
 * //   from: '2026-11-01', to: '2026-11-30', timezone: 'Asia/Shanghai', asOf: 1764460800000,
 * //   target: { min: 0.85, max: 0.9 },
 * //   total: { joined: 12, retained: 10, rate: 0.833, belowTarget: ['hz01-b@chatroom'] },
 * //   groups: [{
 * //     roomId: 'hz01-a@chatroom', name: '湖滨店宝妈交流1群', storeCode: 'HZ01', guideCode: 'guide-hz01-01', members: 21,
 * //     retention: [{ month: '2026-11', joined: 3, retained: 2, rate: 0.667, left: 1 }],
 * //     interaction: [{ week: '2026-11-23', members: 21, posters: 4, rate: 0.19 }, …],   // weeks start on Monday
 * //     staffPosts: [{ day: '2026-11-25', staff: 2, bot: 3, total: 5 }, …],             // every day of the range
 * //     spam: 1,
 * //   }, …],
 * // }
 */
export function groupHealthReport(db: Db, opts: GroupHealthOptions): GroupHealthReport {
  const tz = opts.timezone;
  const months = monthsBetween(opts.from, opts.to, tz);
  const weeks = weeksBetween(opts.from, opts.to, tz);
  const days = daysBetween(opts.from, opts.to, tz);
  const rangeStart = days[0]?.start ?? 0;
  const rangeEnd = days.at(-1)?.end ?? 0;
  const asOf = Math.min(opts.now, rangeEnd - 1);
  const selfIds = db
    .select({ id: groupAccounts.selfId })
    .from(groupAccounts)
    .all()
    .map((r) => r.id);
  const rosterIds = db
    .select({ id: staff.contactId })
    .from(staff)
    .all()
    .flatMap((r) => (r.id ? [r.id] : []));
  const staffIds = new Set([...rosterIds, ...selfIds]);
  const self = new Set(selfIds);

  const list = listGroups(db, opts.store ?? null);
  const roomIds = list.map((g) => g.roomId);
  const spellsByRoom = new Map<string, Spell[]>(roomIds.map((id) => [id, []]));
  if (roomIds.length) {
    const rows = db
      .select({
        roomId: groupMemberships.roomId,
        contactId: groupMemberships.contactId,
        joinedAt: groupMemberships.joinedAt,
        how: groupMemberships.how,
        leftAt: groupMemberships.leftAt,
      })
      .from(groupMemberships)
      .where(and(inArray(groupMemberships.roomId, roomIds), lt(groupMemberships.joinedAt, rangeEnd)))
      .all();
    for (const r of rows) if (!staffIds.has(r.contactId)) spellsByRoom.get(r.roomId)?.push(r);
  }

  const sqlite = db.$client;
  const rooms = JSON.stringify(roomIds);
  const staffJson = JSON.stringify([...staffIds]);
  const postersQ = sqlite.prepare(`select distinct room_id, talker_id from inbound_messages where provider_at >= ? and provider_at < ?
    and room_id in (select value from json_each(?)) and talker_id not in (select value from json_each(?))`);
  const posters = weeks.map((w) => {
    const byRoom = new Map<string, string[]>();
    for (const r of postersQ.all(w.start, w.end, rooms, staffJson) as { room_id: string; talker_id: string }[]) {
      byRoom.set(r.room_id, [...(byRoom.get(r.room_id) ?? []), r.talker_id]);
    }
    return byRoom;
  });

  const staffQ = sqlite.prepare(`select room_id, talker_id, count(*) n from inbound_messages where provider_at >= ? and provider_at < ?
    and room_id in (select value from json_each(?)) and talker_id in (select value from json_each(?)) group by room_id, talker_id`);
  const botQ = sqlite.prepare(`select target_id, count(*) n from outbox where target_kind = 'room' and status = 'sent' and sent_at >= ? and sent_at < ?
    and target_id in (select value from json_each(?)) group by target_id`);
  const staffPosts = days.map((d) => {
    const byRoom = new Map<string, { staff: number; bot: number }>();
    const at = (room: string) => {
      let v = byRoom.get(room);
      if (!v) byRoom.set(room, (v = { staff: 0, bot: 0 }));
      return v;
    };
    for (const r of staffQ.all(d.start, d.end, rooms, staffJson) as { room_id: string; talker_id: string; n: number }[]) {
      if (self.has(r.talker_id)) at(r.room_id).bot += r.n;
      else at(r.room_id).staff += r.n;
    }
    for (const r of botQ.all(d.start, d.end, rooms) as { target_id: string; n: number }[]) at(r.target_id).bot += r.n;
    return byRoom;
  });

  const spamCounts = new Map(
    roomIds.length
      ? (
          sqlite
            .prepare(
              `select room_id, count(*) n from group_spam where posted_at >= ? and posted_at < ?
    and room_id in (select value from json_each(?)) group by room_id`,
            )
            .all(rangeStart, rangeEnd, rooms) as { room_id: string; n: number }[]
        ).map((r) => [r.room_id, r.n])
      : [],
  );

  const out: GroupHealth[] = list.map((g) => {
    const spells = spellsByRoom.get(g.roomId) ?? [];
    return {
      ...g,
      members: membersAt(spells, asOf),
      retention: months.map((m) => retention(spells, m, opts.now)),
      interaction: weeks.map((w, i) => interaction(spells, posters[i]!.get(g.roomId) ?? [], w)),
      staffPosts: days.map((d, i) => {
        const v = staffPosts[i]!.get(g.roomId) ?? { staff: 0, bot: 0 };
        return { day: d.label, staff: v.staff, bot: v.bot, total: v.staff + v.bot };
      }),
      spam: spamCounts.get(g.roomId) ?? 0,
    };
  });
  const target = opts.target ?? { min: 0.85, max: 0.9 };
  let joined = 0;
  let retained = 0;
  const belowTarget: string[] = [];
  for (const g of out) {
    const j = g.retention.reduce((a, r) => a + r.joined, 0);
    const k = g.retention.reduce((a, r) => a + r.retained, 0);
    joined += j;
    retained += k;
    if (j > 0 && k / j < target.min) belowTarget.push(g.roomId);
  }
  return {
    from: opts.from,
    to: opts.to,
    timezone: tz,
    asOf,
    target,
    total: { joined, retained, rate: joined ? retained / joined : null, belowTarget },
    groups: out,
  };
}

/** What {@link groupHealthReport} returns. */
export interface GroupHealthReport {
  from: string;
  to: string;
  timezone: string;
  /** The instant "members" and the current month's retention are measured at. */
  asOf: number;
  target: { min: number; max: number };
  /** Over every group and month of the range; `belowTarget`: groups whose joiners' retention is under `target.min`. */
  total: { joined: number; retained: number; rate: number | null; belowTarget: string[] };
  groups: GroupHealth[];
}

/** The brand's groups (optionally of one store), then other rooms with membership on record. */
function listGroups(db: Db, store: string | null): Omit<GroupHealth, 'members' | 'retention' | 'interaction' | 'staffPosts' | 'spam'>[] {
  const brand = db
    .select({ roomId: groups.roomId, name: groups.name, storeCode: groups.storeCode, guideCode: groups.guideCode })
    .from(groups)
    .where(store ? eq(groups.storeCode, store) : undefined)
    .orderBy(asc(groups.roomId))
    .all();
  if (store) return brand;
  const known = new Set(brand.map((g) => g.roomId));
  const others = (db.$client.prepare('select distinct room_id from group_memberships order by room_id').pluck().all() as string[]).filter((id) => !known.has(id));
  const topics = new Map(
    others.length
      ? db
          .select({ id: rooms.id, topic: rooms.topic })
          .from(rooms)
          .where(inArray(rooms.id, others))
          .all()
          .map((r) => [r.id, r.topic])
      : [],
  );
  return [...brand, ...others.map((roomId) => ({ roomId, name: topics.get(roomId) || roomId, storeCode: null, guideCode: null }))];
}

/**
 * Members joining and leaving `roomIds` in [from, to) (epoch ms): joins are `room-join` events (not
 * members first seen at a check); leaves are leave events and members found gone at a check (timed at
 * the check). The bot account is never counted. For campaign reports: the 24 hours after a post.
 * @example joinsAndLeaves(db, ['hz01-a@chatroom'], sentAt, sentAt + 86_400_000) // { joins: 2, leaves: 1 }
 */
export function joinsAndLeaves(db: Db, roomIds: readonly string[], from: number, to: number): { joins: number; leaves: number } {
  if (!roomIds.length) return { joins: 0, leaves: 0 };
  const rooms = JSON.stringify(roomIds);
  const q = (column: 'joined_at' | 'left_at', extra: string) =>
    db.$client
      .prepare(
        `select count(*) from group_memberships
    where room_id in (select value from json_each(?)) and ${column} >= ? and ${column} < ? ${extra}`,
      )
      .pluck()
      .get(rooms, from, to) as number;
  return { joins: q('joined_at', "and how = 'join'"), leaves: q('left_at', '') };
}

/** One suspected spam message, for review. */
export interface SpamEntry {
  messageId: string;
  roomId: string;
  talkerId: string;
  talkerName: string;
  kind: SpamKind;
  detail: string;
  postedAt: number;
  alertedTo: string | null;
  noAlertReason: string | null;
  /** The message as it came in (type, text, card). */
  raw: unknown;
}

/** Suspected spam kept in [from, to] (local dates), newest first. */
export function spamList(db: Db, opts: { from: string; to: string; timezone: string; store?: string | null }): SpamEntry[] {
  const days = daysBetween(opts.from, opts.to, opts.timezone);
  if (!days.length) return [];
  const roomFilter = opts.store
    ? db
        .select({ id: groups.roomId })
        .from(groups)
        .where(eq(groups.storeCode, opts.store))
        .all()
        .map((r) => r.id)
    : null;
  const rows = db
    .select()
    .from(groupSpam)
    .where(
      and(
        gte(groupSpam.postedAt, days[0]!.start),
        lt(groupSpam.postedAt, days.at(-1)!.end),
        roomFilter ? inArray(groupSpam.roomId, roomFilter.length ? roomFilter : ['']) : undefined,
      ),
    )
    .all()
    .sort((a, b) => b.postedAt - a.postedAt);
  return rows.map((r) => ({
    messageId: r.messageId,
    roomId: r.roomId,
    talkerId: r.talkerId,
    talkerName: r.talkerName,
    kind: r.kind,
    detail: r.detail,
    postedAt: r.postedAt,
    alertedTo: r.alertedTo,
    noAlertReason: r.noAlertReason,
    raw: safeJson(r.raw),
  }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);

/** The report as text lines for the CLI. */
export function renderGroupHealth(r: GroupHealthReport): string {
  const lines = [
    `Group health ${r.from} – ${r.to} (${r.timezone}); retention target ${pct(r.target.min)}–${pct(r.target.max)}`,
    `All groups: ${r.total.joined} joined, ${r.total.retained} still in, retention ${pct(r.total.rate)}` +
      (r.total.belowTarget.length ? `; below target: ${r.total.belowTarget.join(', ')}` : ''),
  ];
  if (!r.groups.length) lines.push('  no groups');
  for (const g of r.groups) {
    const staffTotal = g.staffPosts.reduce((a, d) => a + d.total, 0);
    lines.push('', `${g.name} (${g.roomId})${g.storeCode ? ` · ${g.storeCode}` : ''}${g.guideCode ? ` · ${g.guideCode}` : ''} · ${g.members} members · ${g.spam} suspected spam`);
    for (const m of g.retention) lines.push(`  ${m.month} retention: ${m.retained}/${m.joined} ${pct(m.rate)}; left ${m.left}`);
    for (const w of g.interaction) lines.push(`  week of ${w.week} interaction: ${w.posters}/${w.members} ${pct(w.rate)}`);
    lines.push(
      `  staff posts: ${staffTotal} in ${g.staffPosts.length} days (${(staffTotal / Math.max(1, g.staffPosts.length)).toFixed(1)}/day)` +
        (staffTotal
          ? `: ${g.staffPosts
              .filter((d) => d.total)
              .map((d) => `${d.day.slice(5)} ${d.staff}+${d.bot}`)
              .join(', ')} (staff+bot)`
          : ''),
    );
  }
  return lines.join('\n');
}

/** The spam list as text lines for the CLI. */
export function renderSpamList(entries: SpamEntry[], timezone: string): string {
  if (!entries.length) return 'No suspected spam in this range.';
  const when = (t: number) => formatLocal(t, timezone);
  return entries
    .map(
      (e) =>
        `${when(e.postedAt)} ${e.roomId} ${e.talkerName || e.talkerId} (${e.talkerId}) ${SPAM_KIND_NAMES[e.kind]}: ${e.detail}` +
        `\n  ${e.alertedTo ? `alerted ${e.alertedTo}` : `not alerted: ${e.noAlertReason}`} · message ${e.messageId}`,
    )
    .join('\n');
}
