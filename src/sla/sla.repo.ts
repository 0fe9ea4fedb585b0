import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
import { staffLabels } from '../core/people.js';
import type { Db } from '../platform/db/client.js';
import { groups, members, type StaffRole } from '../platform/db/schema.js';
import type { OpenRef } from './question.rules.js';
import { slaAlerts, slaQuestions, slaSurveys, type SlaQuestionStatus } from './sla.schema.js';

export type QuestionRow = typeof slaQuestions.$inferSelect;
export type NewQuestion = Omit<typeof slaQuestions.$inferInsert, 'id'>;
export type AlertRow = typeof slaAlerts.$inferSelect;
export type SurveyRow = typeof slaSurveys.$inferSelect;

/** A staff member as the SLA sees them (active, with a WeChat contact once known). */
export interface StaffEntry {
  code: string;
  name: string;
  role: StaffRole;
  storeCode: string | null;
  contactId: string | null;
}

/** Which stores a list covers: some stores, or every store. */
export type StoreScope = { all: true } | { all: false; stores: readonly string[]; guideCode?: string };

/** A question as `close` returns it. */
export type ClosedQuestion = Pick<
  QuestionRow,
  | 'id'
  | 'conversationId'
  | 'roomId'
  | 'conversationName'
  | 'memberId'
  | 'memberName'
  | 'storeCode'
  | 'guideCode'
  | 'preview'
  | 'openedAt'
  | 'status'
  | 'closedAt'
  | 'closedBy'
  | 'responseMs'
  | 'responseBusinessMs'
>;

/** How a question was closed. */
export interface CloseRequest {
  status: Exclude<SlaQuestionStatus, 'open'>;
  at: number;
  by: string;
  messageId: string | null;
  /** Business ms between opening and `at`, per question (business hours differ per store). */
  businessMs: (q: Pick<QuestionRow, 'openedAt' | 'storeCode' | 'closedAt'>) => number;
}

const p = (name: string) => sql.placeholder(name);
const snake = (s: string) => s.replace(/[A-Z]/gu, (c) => `_${c.toLowerCase()}`);
/** The columns a new question is inserted with (prepared once). */
const QUESTION_COLUMNS = [
  'conversationId',
  'roomId',
  'conversationName',
  'memberId',
  'memberName',
  'storeCode',
  'guideCode',
  'firstMessageId',
  'lastMessageId',
  'preview',
  'messageCount',
  'openedAt',
  'lastMessageAt',
  'targetDueAt',
  'backlogAt',
  'nextDueAt',
] as const satisfies readonly (keyof NewQuestion)[];

/** `status = 'open'` as a literal, so SQLite can use the partial index of open questions. */
const isOpen = sql`${slaQuestions.status} = 'open'`;

/** The SLA's tables, plus the read-only lookups it makes in the membership store. */
export class SlaRepo {
  private readonly q;

  constructor(readonly db: Db) {
    this.q = {
      openFor: db
        .select({ id: slaQuestions.id })
        .from(slaQuestions)
        .where(and(eq(slaQuestions.conversationId, p('conversationId')), eq(slaQuestions.memberId, p('memberId')), isOpen))
        .prepare(),
      openIn: db
        .select({ id: slaQuestions.id, memberId: slaQuestions.memberId, memberName: slaQuestions.memberName })
        .from(slaQuestions)
        .where(and(eq(slaQuestions.conversationId, p('conversationId')), isOpen))
        .prepare(),
      extend: db
        .update(slaQuestions)
        .set({
          messageCount: sql`${slaQuestions.messageCount} + 1`,
          lastMessageAt: sql`max(${slaQuestions.lastMessageAt}, ${p('at')})`,
          lastMessageId: sql`${p('messageId')}`,
        })
        .where(and(eq(slaQuestions.id, p('id')), isOpen))
        .prepare(),
      byId: db
        .select()
        .from(slaQuestions)
        .where(eq(slaQuestions.id, p('id')))
        .prepare(),
      // The hot writes as plain better-sqlite3 statements (no per-call mapping).
      insert: db.$client
        .prepare(
          `insert into sla_questions (${QUESTION_COLUMNS.map(snake).join(', ')}) values (${QUESTION_COLUMNS.map((c) => `@${c}`).join(', ')})
        on conflict do nothing returning id`,
        )
        .pluck(),
      toClose: db.$client.prepare(`select id, conversation_id as conversationId, room_id as roomId, conversation_name as conversationName,
        member_id as memberId, member_name as memberName, store_code as storeCode, guide_code as guideCode, preview, opened_at as openedAt, status
        from sla_questions where id = ?`),
      close: db.$client.prepare(`update sla_questions set status = @status, closed_at = @closedAt, closed_by = @closedBy,
        closed_by_message_id = @closedByMessageId, response_ms = @responseMs, response_business_ms = @responseBusinessMs
        where id = @id and status = 'open'`),
      group: db
        .select({ name: groups.name, storeCode: groups.storeCode, guideCode: groups.guideCode })
        .from(groups)
        .where(eq(groups.roomId, p('roomId')))
        .prepare(),
      member: db
        .select({ name: members.name, storeCode: members.storeCode, guideCode: members.guideCode })
        .from(members)
        .where(eq(members.contactId, p('contactId')))
        .prepare(),
    };
  }

  /** The brand's record of a group (store, owner guide), if it has one. */
  group(roomId: string): { name: string; storeCode: string | null; guideCode: string | null } | undefined {
    return this.q.group.get({ roomId });
  }

  /** The membership record of a contact (store, owner guide), if any. */
  member(contactId: string): { name: string; storeCode: string | null; guideCode: string | null } | undefined {
    return this.q.member.get({ contactId });
  }

  /** The id of the member's open question in the conversation. */
  openFor(conversationId: string, memberId: string): number | undefined {
    return this.q.openFor.get({ conversationId, memberId })?.id;
  }

  /** The questions open in a conversation. */
  openIn(conversationId: string): OpenRef[] {
    return this.q.openIn.all({ conversationId });
  }

  /** Opens a question; null when the member already has one open there (another process was first). */
  open(row: NewQuestion): number | null {
    const values = Object.fromEntries(QUESTION_COLUMNS.map((c) => [c, row[c] ?? null]));
    return (this.q.insert.get({ ...values, messageCount: row.messageCount ?? 1 }) as number | undefined) ?? null;
  }

  /** Adds a message to an open question; false when it is no longer open. */
  extend(id: number, messageId: string, at: number): boolean {
    return this.q.extend.run({ id, messageId, at }).changes === 1;
  }

  get(id: number): QuestionRow | undefined {
    return this.q.byId.get({ id });
  }

  getMany(ids: readonly number[]): QuestionRow[] {
    if (!ids.length) return [];
    return this.db
      .select()
      .from(slaQuestions)
      .where(inArray(slaQuestions.id, [...ids]))
      .orderBy(asc(slaQuestions.id))
      .all();
  }

  /**
   * Closes the questions still open among `ids`, recording raw and business response times.
   * @returns the rows this call closed (already closed ones are left as they are).
   */
  close(ids: readonly number[], req: CloseRequest): ClosedQuestion[] {
    if (!ids.length) return [];
    return this.tx(() => {
      const closed: ClosedQuestion[] = [];
      for (const id of ids) {
        const q = this.q.toClose.get(id) as Omit<ClosedQuestion, 'closedAt' | 'closedBy' | 'responseMs' | 'responseBusinessMs'> | undefined;
        if (!q || q.status !== 'open') continue;
        const at = Math.max(req.at, q.openedAt);
        const values = {
          status: req.status,
          closedAt: at,
          closedBy: req.by,
          closedByMessageId: req.messageId,
          responseMs: at - q.openedAt,
          responseBusinessMs: req.businessMs({ openedAt: q.openedAt, storeCode: q.storeCode, closedAt: at }),
        };
        if (this.q.close.run({ id, ...values }).changes === 1) closed.push({ ...q, ...values });
      }
      return closed;
    });
  }

  /** Runs `fn` in an immediate transaction, or as part of the one already open (the inbox's batch). */
  private tx<T>(fn: () => T): T {
    const sqlite = this.db.$client;
    return sqlite.inTransaction ? fn() : sqlite.transaction(fn).immediate();
  }

  /** Open questions in a scope, oldest first; `backlogOnly` keeps those past their backlog time at `now`. */
  openQuestions(scope: StoreScope, opts: { now?: number; backlogOnly?: boolean; limit?: number } = {}): QuestionRow[] {
    const conds = [isOpen];
    if (opts.backlogOnly) conds.push(lte(slaQuestions.backlogAt, opts.now ?? 0));
    if (!scope.all) {
      const byStore = scope.stores.length ? inArray(slaQuestions.storeCode, [...scope.stores]) : sql`0`;
      conds.push(scope.guideCode ? sql`(${byStore} or ${slaQuestions.guideCode} = ${scope.guideCode})` : byStore);
    }
    const q = this.db
      .select()
      .from(slaQuestions)
      .where(and(...conds))
      .orderBy(asc(slaQuestions.openedAt), asc(slaQuestions.id));
    return opts.limit ? q.limit(opts.limit).all() : q.all();
  }

  /** Counts open questions in a scope (all, and past their backlog time at `now`). */
  countOpen(scope: StoreScope, now: number): { open: number; backlog: number } {
    if (scope.all) {
      const open = this.db.$client.prepare(`select count(*) from sla_questions where status = 'open'`).pluck().get() as number;
      const backlog = this.db.$client.prepare(`select count(*) from sla_questions where status = 'open' and backlog_at <= ?`).pluck().get(now) as number;
      return { open, backlog };
    }
    const rows = this.openQuestions(scope);
    return { open: rows.length, backlog: rows.filter((r) => r.backlogAt <= now).length };
  }

  /** Questions nobody could be alerted about: still open, and in all. */
  countUnrouted(): { unroutedOpen: number; unrouted: number } {
    const r = this.db.$client.prepare(`select count(*) as unrouted, coalesce(sum(status = 'open'), 0) as unroutedOpen from sla_questions where unrouted_at is not null`).get() as {
      unrouted: number;
      unroutedOpen: number;
    };
    return { unroutedOpen: r.unroutedOpen, unrouted: r.unrouted };
  }

  /** The next deadlines of the open questions (distinct, epoch ms), for reconcile. */
  pendingDeadlines(): number[] {
    return this.db
      .selectDistinct({ at: slaQuestions.nextDueAt })
      .from(slaQuestions)
      .where(and(isOpen, isNotNull(slaQuestions.nextDueAt)))
      .all()
      .map((r) => r.at!);
  }

  /** Open questions whose next tier is due by `until`, earliest first. */
  dueQuestions(until: number, limit: number): QuestionRow[] {
    return this.db
      .select()
      .from(slaQuestions)
      .where(and(isOpen, lte(slaQuestions.nextDueAt, until)))
      .orderBy(asc(slaQuestions.nextDueAt))
      .limit(limit)
      .all();
  }

  /**
   * Records that tier `tier` of an open question fired, with one alert per recipient, and when the
   * next tier falls due (null: none left), in one transaction. False (and nothing written) when the
   * question is closed or the tier already fired.
   */
  escalate(questionId: number, tier: number, alerts: { staffCode: string; contactId: string }[], dueAt: number, now: number, nextDueAt: number | null): boolean {
    return this.db.$client
      .transaction(() => {
        const res = this.db
          .update(slaQuestions)
          .set({ escalatedTier: tier, nextDueAt })
          .where(and(eq(slaQuestions.id, questionId), eq(slaQuestions.status, 'open'), lt(slaQuestions.escalatedTier, tier)))
          .run();
        if (res.changes !== 1) return false;
        if (alerts.length) {
          this.db
            .insert(slaAlerts)
            .values(alerts.map((a) => ({ questionId, tier, staffCode: a.staffCode, contactId: a.contactId, dueAt, firedAt: now })))
            .onConflictDoNothing()
            .run();
          this.db
            .update(slaQuestions)
            .set({ unroutedAt: null })
            .where(and(eq(slaQuestions.id, questionId), isNotNull(slaQuestions.unroutedAt)))
            .run();
        } else {
          // Nobody to tell: unrouted, unless someone heard about it at an earlier tier.
          this.db.$client
            .prepare(
              `update sla_questions set unrouted_at = coalesce(unrouted_at, ?)
          where id = ? and not exists (select 1 from sla_alerts where question_id = ?)`,
            )
            .run(now, questionId, questionId);
        }
        return true;
      })
      .immediate();
  }

  /** Forgets the next deadline of a question (no tier left to fire). */
  clearDue(questionId: number): void {
    this.db.update(slaQuestions).set({ nextDueAt: null }).where(eq(slaQuestions.id, questionId)).run();
  }

  /** Staff with alerts not yet handed to the outbox. */
  staffWithPendingAlerts(): string[] {
    return this.db
      .selectDistinct({ s: slaAlerts.staffCode })
      .from(slaAlerts)
      .where(isNull(slaAlerts.sentAt))
      .all()
      .map((r) => r.s);
  }

  /** Staff with pending alerts for one question. */
  pendingRecipients(questionId: number): string[] {
    return this.db
      .selectDistinct({ s: slaAlerts.staffCode })
      .from(slaAlerts)
      .where(and(eq(slaAlerts.questionId, questionId), isNull(slaAlerts.sentAt)))
      .all()
      .map((r) => r.s);
  }

  /**
   * Puts the person's unbundled alerts into one bundle (key made from the first alert's id), then
   * returns every bundle of theirs not yet sent with its alerts and questions.
   */
  bundlesFor(staffCode: string): { key: string; contactId: string; items: { alert: AlertRow; question: QuestionRow }[] }[] {
    this.db.$client
      .transaction(() => {
        const loose = this.db
          .select({ id: slaAlerts.id })
          .from(slaAlerts)
          .where(and(eq(slaAlerts.staffCode, staffCode), isNull(slaAlerts.bundleKey)))
          .orderBy(asc(slaAlerts.id))
          .all();
        if (!loose.length) return;
        const key = `sla-alert:${staffCode}:${loose[0]!.id}`;
        this.db
          .update(slaAlerts)
          .set({ bundleKey: key })
          .where(
            inArray(
              slaAlerts.id,
              loose.map((r) => r.id),
            ),
          )
          .run();
      })
      .immediate();
    const rows = this.db
      .select({ alert: slaAlerts, question: slaQuestions })
      .from(slaAlerts)
      .innerJoin(slaQuestions, eq(slaQuestions.id, slaAlerts.questionId))
      .where(and(eq(slaAlerts.staffCode, staffCode), isNull(slaAlerts.sentAt), isNotNull(slaAlerts.bundleKey)))
      .orderBy(asc(slaAlerts.id))
      .all();
    const bundles = new Map<string, { key: string; contactId: string; items: { alert: AlertRow; question: QuestionRow }[] }>();
    for (const r of rows) {
      const key = r.alert.bundleKey!;
      let b = bundles.get(key);
      if (!b) bundles.set(key, (b = { key, contactId: r.alert.contactId, items: [] }));
      b.items.push(r);
    }
    return [...bundles.values()];
  }

  markBundleSent(key: string, at: number): void {
    this.db
      .update(slaAlerts)
      .set({ sentAt: at })
      .where(and(eq(slaAlerts.bundleKey, key), isNull(slaAlerts.sentAt)))
      .run();
  }

  /** Open questions the person was alerted about before, other than `except`. */
  stillWaitingFor(staffCode: string, except: readonly number[]): number {
    const r = this.db
      .select({ n: sql<number>`count(distinct ${slaQuestions.id})` })
      .from(slaAlerts)
      .innerJoin(slaQuestions, eq(slaQuestions.id, slaAlerts.questionId))
      .where(
        and(
          eq(slaAlerts.staffCode, staffCode),
          isOpen,
          isNotNull(slaAlerts.sentAt),
          except.length
            ? sql`${slaQuestions.id} not in (${sql.join(
                except.map((id) => sql`${id}`),
                sql`, `,
              )})`
            : sql`1`,
        ),
      )
      .get();
    return r?.n ?? 0;
  }

  alertsOf(questionId: number): AlertRow[] {
    return this.db.select().from(slaAlerts).where(eq(slaAlerts.questionId, questionId)).orderBy(asc(slaAlerts.id)).all();
  }

  // ── satisfaction ──────────────────────────────────────────────────────────────────────────

  /** Whether the member was asked for a rating since `since`. */
  surveyedSince(memberId: string, since: number): boolean {
    return (
      this.db
        .select({ q: slaSurveys.questionId })
        .from(slaSurveys)
        .where(and(eq(slaSurveys.memberId, memberId), gte(slaSurveys.askedAt, since)))
        .get() !== undefined
    );
  }

  /** Records a survey; false when the question already has one. */
  insertSurvey(row: typeof slaSurveys.$inferInsert): boolean {
    return this.db.insert(slaSurveys).values(row).onConflictDoNothing().run().changes === 1;
  }

  /** The member's latest unanswered survey that went out between `sentFrom` and `now`. */
  openSurvey(memberId: string, sentFrom: number, now: number): SurveyRow | undefined {
    return this.db
      .select()
      .from(slaSurveys)
      .where(and(eq(slaSurveys.memberId, memberId), isNull(slaSurveys.rating), gte(slaSurveys.sendAt, sentFrom), lte(slaSurveys.sendAt, now)))
      .orderBy(sql`${slaSurveys.sendAt} desc`)
      .get();
  }

  answerSurvey(questionId: number, rating: number, at: number): boolean {
    return (
      this.db
        .update(slaSurveys)
        .set({ rating, answeredAt: at })
        .where(and(eq(slaSurveys.questionId, questionId), isNull(slaSurveys.rating)))
        .run().changes === 1
    );
  }

  // ── figures ───────────────────────────────────────────────────────────────────────────────

  /** Questions opened in [from, to). */
  openedBetween(from: number, to: number): QuestionRow[] {
    return this.db
      .select()
      .from(slaQuestions)
      .where(and(gte(slaQuestions.openedAt, from), lt(slaQuestions.openedAt, to)))
      .orderBy(asc(slaQuestions.openedAt))
      .all();
  }

  /** Ratings given for questions opened in [from, to). */
  ratingsBetween(from: number, to: number): { questionId: number; rating: number }[] {
    return this.db
      .select({ questionId: slaSurveys.questionId, rating: slaSurveys.rating })
      .from(slaSurveys)
      .innerJoin(slaQuestions, eq(slaQuestions.id, slaSurveys.questionId))
      .where(and(gte(slaQuestions.openedAt, from), lt(slaQuestions.openedAt, to), isNotNull(slaSurveys.rating)))
      .all()
      .map((r) => ({ questionId: r.questionId, rating: r.rating! }));
  }

  /** Display names of staff and groups, for reports. */
  names(): { staff: Map<string, string>; groups: Map<string, string> } {
    return {
      // Labels, not bare names: two staff of the same name are told apart (name plus 工号 or store).
      staff: staffLabels(this.db),
      groups: new Map(
        this.db
          .select({ id: groups.roomId, name: groups.name })
          .from(groups)
          .all()
          .map((r) => [r.id, r.name]),
      ),
    };
  }
}
