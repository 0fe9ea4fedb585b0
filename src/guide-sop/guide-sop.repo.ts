import type { Statement } from 'better-sqlite3';
import { staffLabels } from '../core/people.js';
import type { Db } from '../platform/db/client.js';
import type { CardPlan, Quotas } from './card.rules.js';
import type { Ticks } from './checkin.rules.js';
import type { DayRecord } from './progress.rules.js';

/** A staff member as the routine sees them. */
export interface StaffRow {
  code: string;
  name: string;
  role: string;
  storeCode: string | null;
  contactId: string | null;
  workingDays: string;
}

/** A `guide_days` row, decoded. */
export interface DayRow extends DayRecord {
  storeCode: string | null;
  plan: CardPlan;
  quotas: Quotas;
  ticks: Ticks;
  completedAt: number | null;
}

interface RawDay {
  date: string;
  guideCode: string;
  storeCode: string | null;
  plan: string;
  momentsQuota: number;
  chatsQuota: number;
  groupsQuota: number;
  momentsDone: number;
  chatsDone: number;
  groupsDone: number;
  done: number;
  total: number;
  completedAt: number | null;
}

const DAY_COLUMNS = `date, guide_code as guideCode, store_code as storeCode, plan, moments_quota as momentsQuota,
  chats_quota as chatsQuota, groups_quota as groupsQuota, moments_done as momentsDone, chats_done as chatsDone,
  groups_done as groupsDone, done, total, completed_at as completedAt`;

const STAFF_COLUMNS = `code, name, role, store_code as storeCode, contact_id as contactId, working_days as workingDays`;

function decode(r: RawDay): DayRow {
  return {
    date: r.date,
    guideCode: r.guideCode,
    storeCode: r.storeCode,
    plan: JSON.parse(r.plan) as CardPlan,
    quotas: { moments: r.momentsQuota, chats: r.chatsQuota, groups: r.groupsQuota },
    ticks: { moments: r.momentsDone, chats: r.chatsDone, groups: r.groupsDone },
    done: r.done,
    total: r.total,
    completedAt: r.completedAt,
  };
}

/** A day to record when a card is planned. */
export interface NewDay {
  date: string;
  guideCode: string;
  storeCode: string | null;
  plan: CardPlan;
}

/**
 * The routine's store: staff lookups, the daily records, recent picks, group posts, room activity
 * and open questions. Writes that read-modify-write a day run in IMMEDIATE transactions, so two
 * processes never lose a tick.
 */
export class GuideSopRepo {
  private readonly q: Record<string, Statement>;

  constructor(private readonly db: Db) {
    const c = db.$client;
    this.q = {
      activeGuides: c.prepare(`select ${STAFF_COLUMNS} from staff where role = 'guide' and active = 1 and contact_id is not null order by code`),
      managers: c.prepare(`select ${STAFF_COLUMNS} from staff where role = 'store-manager' and active = 1 and contact_id is not null and store_code = ? order by code`),
      storeGuides: c.prepare(`select ${STAFF_COLUMNS} from staff where role = 'guide' and active = 1 and store_code = ? order by code`),
      storeName: c.prepare('select name from stores where code = ?').pluck(),
      day: c.prepare(`select ${DAY_COLUMNS} from guide_days where date = ? and guide_code = ?`),
      daysOn: c.prepare(`select ${DAY_COLUMNS} from guide_days where date = ? order by store_code, guide_code`),
      existing: c.prepare('select guide_code from guide_days where date = ?').pluck(),
      insertDay: c.prepare(`insert into guide_days (date, guide_code, store_code, plan, moments_quota, chats_quota, groups_quota, total, created_at, updated_at)
        values (@date, @guideCode, @storeCode, @plan, @moments, @chats, @groups, @total, @now, @now) on conflict do nothing`),
      insertPick: c.prepare('insert into guide_chat_picks (date, guide_code, member_id, rule) values (?, ?, ?, ?) on conflict do nothing'),
      updateTicks: c.prepare(`update guide_days set moments_done = @moments, chats_done = @chats, groups_done = @groups, done = @done,
        completed_at = case when @done >= total then coalesce(completed_at, @now) else null end, updated_at = @now
        where date = @date and guide_code = @guideCode`),
      records: c.prepare('select date, guide_code as guideCode, done, total from guide_days where guide_code = ? and date >= ? and date <= ? order by date'),
      storeRecords: c.prepare('select date, guide_code as guideCode, done, total from guide_days where store_code = ? and date >= ? and date <= ?'),
      recordsBetween: c.prepare(
        'select date, guide_code as guideCode, store_code as storeCode, done, total, moments_quota as momentsQuota, chats_quota as chatsQuota, groups_quota as groupsQuota, moments_done as momentsDone, chats_done as chatsDone, groups_done as groupsDone from guide_days where date >= ? and date <= ? order by date, store_code, guide_code',
      ),
      recordPost: c.prepare('insert into guide_group_posts (date, guide_code, room_id, message_id, at) values (?, ?, ?, ?, ?) on conflict do nothing'),
      groupOf: c.prepare('select guide_code as guideCode, store_code as storeCode from groups where room_id = ?'),
      isGroup: c.prepare('select 1 from groups where room_id = ?').pluck(),
      staffPost: c.prepare(`insert into guide_room_activity (room_id, last_staff_post_at) values (?, ?)
        on conflict (room_id) do update set last_staff_post_at = max(last_staff_post_at, excluded.last_staff_post_at)`),
      question: c.prepare(`insert into guide_questions (contact_id, room_id, text, asked_at, answered_at) values (?, ?, ?, ?, null)
        on conflict (contact_id) do update set room_id = excluded.room_id, text = excluded.text, asked_at = excluded.asked_at, answered_at = null
        where excluded.asked_at >= guide_questions.asked_at`),
      answerRoom: c.prepare('update guide_questions set answered_at = ? where room_id = ? and answered_at is null and asked_at <= ?'),
      answerMembers: c.prepare(`update guide_questions set answered_at = ? where answered_at is null and contact_id in
        (select contact_id from members where id in (select value from json_each(?)))`),
    };
  }
  /** How each staff member is named to operators (two of the same name told apart); see `core/people.ts`. */
  staffLabels(): Map<string, string> {
    return staffLabels(this.db);
  }

  /** Active guides with a known contact (only they can get a card). */
  activeGuides(): StaffRow[] {
    return this.q.activeGuides!.all() as StaffRow[];
  }

  managers(storeCode: string): StaffRow[] {
    return this.q.managers!.all(storeCode) as StaffRow[];
  }

  /** Active guides of a store (with or without a contact). */
  storeGuides(storeCode: string): StaffRow[] {
    return this.q.storeGuides!.all(storeCode) as StaffRow[];
  }

  storeName(code: string | null): string {
    return (code && (this.q.storeName!.get(code) as string | undefined)) || code || '门店';
  }

  day(date: string, guideCode: string): DayRow | undefined {
    const r = this.q.day!.get(date, guideCode) as RawDay | undefined;
    return r ? decode(r) : undefined;
  }

  daysOn(date: string): DayRow[] {
    return (this.q.daysOn!.all(date) as RawDay[]).map(decode);
  }

  /** Guides who already have a card planned on `date`. */
  plannedOn(date: string): Set<string> {
    return new Set(this.q.existing!.all(date) as string[]);
  }

  /**
   * Records planned cards and their picks in one transaction. A day already there (another process,
   * a second run) is kept as it was, with its picks.
   * @returns the guide codes this call inserted.
   */
  insertDays(days: readonly NewDay[], now: number): Set<string> {
    const inserted = new Set<string>();
    this.db.$client
      .transaction(() => {
        for (const d of days) {
          const q = d.plan.quotas;
          const r = this.q.insertDay!.run({
            date: d.date,
            guideCode: d.guideCode,
            storeCode: d.storeCode,
            plan: JSON.stringify(d.plan),
            moments: q.moments,
            chats: q.chats,
            groups: q.groups,
            total: q.moments + q.chats + q.groups,
            now,
          });
          if (r.changes === 0) continue;
          inserted.add(d.guideCode);
          for (const c of d.plan.chats) this.q.insertPick!.run(d.date, d.guideCode, c.memberId, c.rule);
        }
      })
      .immediate();
    return inserted;
  }

  /**
   * Changes a day's ticks inside one IMMEDIATE transaction: `fn` gets the current row and returns
   * the new ticks (or null to leave it). Resolves to the row before and after, or undefined when the
   * guide has no card that day.
   */
  updateDay(date: string, guideCode: string, now: number, fn: (day: DayRow) => { ticks: Ticks; done: number } | null): { before: DayRow; after: DayRow } | undefined {
    return this.db.$client
      .transaction(() => {
        const before = this.day(date, guideCode);
        if (!before) return undefined;
        const next = fn(before);
        if (!next) return { before, after: before };
        this.q.updateTicks!.run({ ...next.ticks, done: next.done, now, date, guideCode });
        return { before, after: this.day(date, guideCode)! };
      })
      .immediate();
  }

  /** A guide's records in [from, to]. */
  records(guideCode: string, from: string, to: string): DayRecord[] {
    return this.q.records!.all(guideCode, from, to) as DayRecord[];
  }

  /** Every guide's records of a store in [from, to]. */
  storeRecords(storeCode: string, from: string, to: string): DayRecord[] {
    return this.q.storeRecords!.all(storeCode, from, to) as DayRecord[];
  }

  /** Every record in [from, to] with the per-category figures, for reports. */
  recordsBetween(
    from: string,
    to: string,
  ): (DayRecord & { storeCode: string | null } & Record<'momentsQuota' | 'chatsQuota' | 'groupsQuota' | 'momentsDone' | 'chatsDone' | 'groupsDone', number>)[] {
    return this.q.recordsBetween!.all(from, to) as never;
  }

  /** The brand group `roomId` (owner and store), or undefined when it is not one of the brand's groups. */
  group(roomId: string): { guideCode: string | null; storeCode: string | null } | undefined {
    return this.q.groupOf!.get(roomId) as { guideCode: string | null; storeCode: string | null } | undefined;
  }

  /** Records a guide's post in a group once per day. @returns false when that group already counted today. */
  recordGroupPost(date: string, guideCode: string, roomId: string, messageId: string, at: number): boolean {
    return this.q.recordPost!.run(date, guideCode, roomId, messageId, at).changes > 0;
  }

  /** Staff posted in a group: "since a staff post" restarts, and questions asked there before are answered. */
  staffPosted(roomId: string, at: number): void {
    if (!this.q.isGroup!.get(roomId)) return;
    this.q.staffPost!.run(roomId, at);
    this.q.answerRoom!.run(at, roomId, at);
  }

  /** A member asked something (in a group, or privately when `roomId` is null). */
  recordQuestion(contactId: string, roomId: string | null, text: string, at: number): void {
    this.q.question!.run(contactId, roomId, text.slice(0, 200), at);
  }

  /** The guide chatted with these members (checked in): their open questions count as answered. */
  answerMembers(memberIds: readonly number[], at: number): void {
    if (memberIds.length) this.q.answerMembers!.run(at, JSON.stringify(memberIds));
  }
}
