import { activitySql } from '../core/activity.js';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { outbox } from '../platform/db/schema.js';
import type { GroupFacts, MemberFacts } from './audience.rules.js';
import type { CampaignDef } from './campaign.file.js';
import { campaignOccurrences, campaignTargets, campaignTransitions, campaigns, type CampaignSource, type CampaignStatus } from './campaigns.schema.js';
import { storedTags } from '../core/text.js';

export type CampaignRow = typeof campaigns.$inferSelect;
export type OccurrenceRow = typeof campaignOccurrences.$inferSelect;
export type TransitionRow = typeof campaignTransitions.$inferSelect;
export type NewTargetRow = typeof campaignTargets.$inferInsert;

/** Reason recorded on outbox rows settled by a pause; resume puts exactly these back in the queue. */
export const PAUSED_REASON = 'paused';
/** Reason recorded on outbox rows settled by a cancel. */
export const CANCELLED_REASON = 'cancelled';

/** Campaign posts still counting against a group's caps (not skipped, expired or failed). */
const LIVE_STATUSES = ['queued', 'sending', 'sent', 'unknown'] as const;

/** Upper bound for a key-prefix range scan on the outbox's unique key index. */
const prefixEnd = (prefix: string) => `${prefix}\uffff`;

/** Each target reached under a key prefix (`@lo`..`@hi`) with when its first message was sent. */
const FIRST_SENDS = `select target_kind as kind, target_id as id, min(sent_at) as at from outbox
  where key >= @lo and key < @hi and status = 'sent' and sent_at is not null group by target_kind, target_id`;

/**
 * Campaigns, their lifecycle, occurrences and targets; plus the reads and the two writes
 * (settle on pause/cancel, requeue on resume) campaigns make on their own outbox rows, selected by key prefix.
 */
export class CampaignsRepo {
  constructor(readonly db: Db) {}

  get(id: string): CampaignRow | undefined {
    return this.db.select().from(campaigns).where(eq(campaigns.id, id)).get();
  }

  definition(row: CampaignRow): CampaignDef {
    return JSON.parse(row.definition) as CampaignDef;
  }

  list(): CampaignRow[] {
    return this.db.select().from(campaigns).orderBy(asc(campaigns.id)).all();
  }

  /** Campaigns the tick looks at: scheduled, running, or with a run requested. */
  active(): CampaignRow[] {
    return this.db
      .select()
      .from(campaigns)
      .where(sql`${campaigns.status} in ('scheduled', 'running') or ${campaigns.runRequestedAt} is not null`)
      .all();
  }

  /** Inserts a new campaign in `def.status`, recording its creation as a transition from draft. */
  insert(def: CampaignDef, source: CampaignSource, file: string | null, by: string, now: number): void {
    this.db.transaction((tx) => {
      tx.insert(campaigns)
        .values({
          id: def.id,
          name: def.name,
          source,
          file,
          definition: JSON.stringify(def),
          status: def.status,
          createdAt: now,
          updatedAt: now,
        })
        .run();
      tx.insert(campaignTransitions).values({ campaignId: def.id, from: 'draft', to: def.status, by, reason: 'created', at: now }).run();
    });
  }

  /**
   * Replaces the definition of a campaign still in `status` and records the edit (an audit row from
   * `status` to `status`, reason `edited`) with who did it, atomically; false when its status changed meanwhile.
   */
  edit(id: string, status: CampaignStatus, def: CampaignDef, by: string, now: number): boolean {
    return this.db.transaction((tx) => {
      const changed =
        tx
          .update(campaigns)
          .set({ definition: JSON.stringify(def), name: def.name, updatedAt: now })
          .where(and(eq(campaigns.id, id), eq(campaigns.status, status)))
          .run().changes === 1;
      if (changed) tx.insert(campaignTransitions).values({ campaignId: id, from: status, to: status, by, reason: 'edited', at: now }).run();
      return changed;
    });
  }

  /**
   * Moves a campaign from `from` to `to` and records who did it, atomically; false when it was no
   * longer in `from` (another process moved it first).
   */
  transition(id: string, from: CampaignStatus, to: CampaignStatus, by: string, reason: string | null, now: number): boolean {
    return this.db.transaction((tx) => {
      const changed =
        tx
          .update(campaigns)
          .set({ status: to, updatedAt: now })
          .where(and(eq(campaigns.id, id), eq(campaigns.status, from)))
          .run().changes === 1;
      if (changed) tx.insert(campaignTransitions).values({ campaignId: id, from, to, by, reason, at: now }).run();
      return changed;
    });
  }

  transitions(id: string): TransitionRow[] {
    return this.db.select().from(campaignTransitions).where(eq(campaignTransitions.campaignId, id)).orderBy(asc(campaignTransitions.id)).all();
  }

  requestRun(id: string, by: string, now: number): void {
    this.db.update(campaigns).set({ runRequestedAt: now, runRequestedBy: by, updatedAt: now }).where(eq(campaigns.id, id)).run();
  }

  clearRunRequest(id: string, at: number): void {
    this.db
      .update(campaigns)
      .set({ runRequestedAt: null, runRequestedBy: null })
      .where(and(eq(campaigns.id, id), eq(campaigns.runRequestedAt, at)))
      .run();
  }

  // ── occurrences and targets ──────────────────────────────────────────────────

  /** Records an occurrence; false when it was already planned (by this or another process). */
  openOccurrence(row: typeof campaignOccurrences.$inferInsert): boolean {
    return this.db.insert(campaignOccurrences).values(row).onConflictDoNothing().run().changes === 1;
  }

  occurrence(campaignId: string, occurrence: string): OccurrenceRow | undefined {
    return this.db
      .select()
      .from(campaignOccurrences)
      .where(and(eq(campaignOccurrences.campaignId, campaignId), eq(campaignOccurrences.occurrence, occurrence)))
      .get();
  }

  occurrences(campaignId: string): OccurrenceRow[] {
    return this.db.select().from(campaignOccurrences).where(eq(campaignOccurrences.campaignId, campaignId)).orderBy(desc(campaignOccurrences.at)).all();
  }

  setTargeted(campaignId: string, occurrence: string, targeted: number): void {
    this.db
      .update(campaignOccurrences)
      .set({ targeted })
      .where(and(eq(campaignOccurrences.campaignId, campaignId), eq(campaignOccurrences.occurrence, occurrence)))
      .run();
  }

  /** Target ids already planned for an occurrence (a second run leaves them alone). */
  plannedTargets(campaignId: string, occurrence: string): Set<string> {
    return new Set(this.db.$client.prepare('select target_id from campaign_targets where campaign_id = ? and occurrence = ?').pluck().all(campaignId, occurrence) as string[]);
  }

  insertTargets(rows: NewTargetRow[]): void {
    const stmt = this.db.$client.prepare(`insert into campaign_targets (campaign_id, occurrence, target_kind, target_id, at, outbox_id, skip_reason)
      values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing`);
    this.db.$client.transaction(() => {
      for (const r of rows) stmt.run(r.campaignId, r.occurrence, r.targetKind, r.targetId, r.at, r.outboxId ?? null, r.skipReason ?? null);
    })();
  }

  /**
   * Records the planned targets of an occurrence from their first outbox rows (target kind and id
   * are read from those rows): one statement per call, not one per row.
   */
  insertPlannedTargets(campaignId: string, occurrence: string, at: number, outboxIds: number[]): void {
    if (outboxIds.length === 0) return;
    this.db.$client
      .prepare(
        `insert into campaign_targets (campaign_id, occurrence, target_kind, target_id, at, outbox_id)
      select ?, ?, o.target_kind, o.target_id, ?, o.id from json_each(?) j join outbox o on o.id = j.value where true
      on conflict do nothing`,
      )
      .run(campaignId, occurrence, at, JSON.stringify(outboxIds));
  }

  /**
   * Campaign posts already planned (and not skipped, expired or failed) to each of `roomIds` in
   * [monthFrom, monthTo), and the part of them in [dayFrom, dayTo). Groups with none are absent.
   * Reads only these groups' rows in the month (the room index), however many campaigns went before.
   */
  groupPostCounts(roomIds: readonly string[], dayFrom: number, dayTo: number, monthFrom: number, monthTo: number): Map<string, { day: number; month: number }> {
    if (roomIds.length === 0) return new Map();
    const rows = this.db.$client
      .prepare(
        `select t.target_id as id,
        sum(case when t.at >= ? and t.at < ? then 1 else 0 end) as day, count(*) as month
      from json_each(?) g join campaign_targets t on t.target_id = g.value and t.target_kind = 'room' and t.at >= ? and t.at < ?
      join outbox o on o.id = t.outbox_id
      where o.status in (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})
      group by t.target_id`,
      )
      .all(dayFrom, dayTo, JSON.stringify(roomIds), monthFrom, monthTo) as { id: string; day: number; month: number }[];
    return new Map(rows.map((r) => [r.id, { day: r.day, month: r.month }]));
  }

  // ── the directory the audience rules read ───────────────────────────────────

  groupFacts(): GroupFacts[] {
    return (this.db.$client.prepare('select room_id, name, store_code, tags from groups').raw().all() as [string, string, string | null, string][]).map(
      ([roomId, name, storeCode, tags]) => ({ roomId, name, storeCode, tags: storedTags(tags) }),
    );
  }

  memberFacts(): MemberFacts[] {
    // Last activity as core/activity.ts defines it (messages, purchases, redemptions, else joining).
    return (
      this.db.$client
        .prepare(`select id, contact_id, name, store_code, tier, tags, points, ${activitySql('members')} from members`)
        .raw()
        .all() as [number, string | null, string, string | null, string, string, number, number | null][]
    ).map(([memberId, contactId, name, storeCode, tier, tags, points, lastActiveAt]) => ({
      memberId,
      contactId,
      name,
      storeCode,
      tier,
      tags: storedTags(tags),
      points,
      lastActiveAt,
    }));
  }

  // ── the campaign's outbox rows ───────────────────────────────────────────────

  /** Messages under `prefix` not yet final (queued or sending). */
  pendingCount(prefix: string): number {
    return this.db.$client.prepare(`select count(*) from outbox where key >= ? and key < ? and status in ('queued', 'sending')`).pluck().get(prefix, prefixEnd(prefix)) as number;
  }

  /** Outbox rows under `prefix`: status, reason, target, sent time. */
  outboxRows(prefix: string): { id: number; key: string; targetKind: string; targetId: string; status: string; reason: string | null; sentAt: number | null }[] {
    return this.db
      .select({ id: outbox.id, key: outbox.key, targetKind: outbox.targetKind, targetId: outbox.targetId, status: outbox.status, reason: outbox.reason, sentAt: outbox.sentAt })
      .from(outbox)
      .where(and(sql`${outbox.key} >= ${prefix}`, sql`${outbox.key} < ${prefixEnd(prefix)}`))
      .all();
  }

  /** Targets skipped at planning, counted by reason (one grouped query, whatever the audience size). */
  planSkips(campaignId: string, occurrence: string): Record<string, number> {
    const rows = this.db.$client
      .prepare(
        `select skip_reason as reason, count(*) as n from campaign_targets
      where campaign_id = ? and occurrence = ? and skip_reason is not null group by skip_reason`,
      )
      .all(campaignId, occurrence) as { reason: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  }

  /** The messages under a key prefix, counted by status and reason. */
  deliveryCounts(prefix: string): { status: string; reason: string | null; n: number }[] {
    return this.db.$client.prepare(`select status, reason, count(*) as n from outbox where key >= ? and key < ? group by status, reason`).all(prefix, prefixEnd(prefix)) as {
      status: string;
      reason: string | null;
      n: number;
    }[];
  }

  /** Each target reached under a key prefix, with when its first message was sent. */
  firstSends(prefix: string): { kind: 'room' | 'contact'; id: string; at: number }[] {
    return this.db.$client.prepare(FIRST_SENDS).all({ lo: prefix, hi: prefixEnd(prefix) }) as { kind: 'room' | 'contact'; id: string; at: number }[];
  }

  /**
   * Of the targets reached under a key prefix, how many answered within `withinMs` of their first
   * message: a member in their private chat, a group by anyone but staff and the bot (`excluded`).
   * One query along the inbound log's conversation index.
   */
  answeredTargets(prefix: string, withinMs: number, excluded: readonly string[]): { reached: number; answered: number } {
    const r = this.db.$client
      .prepare(
        `with f as (${FIRST_SENDS})
      select count(*) as reached, coalesce(sum(exists(select 1 from inbound_messages i where i.conversation_id = f.id
          and i.provider_at >= f.at and i.provider_at < f.at + @within
          and ((f.kind = 'contact' and i.room_id is null and i.talker_id = f.id)
            or (f.kind = 'room' and i.talker_id not in (select value from json_each(@excluded)))))), 0) as answered
      from f`,
      )
      .get({ lo: prefix, hi: prefixEnd(prefix), within: withinMs, excluded: JSON.stringify(excluded) }) as { reached: number; answered: number };
    return r;
  }

  /** Targets of an occurrence as planned. */
  targets(campaignId: string, occurrence: string): (typeof campaignTargets.$inferSelect)[] {
    return this.db
      .select()
      .from(campaignTargets)
      .where(and(eq(campaignTargets.campaignId, campaignId), eq(campaignTargets.occurrence, occurrence)))
      .all();
  }

  /**
   * Distinct messages in `roomId` from people other than the bot and the room's staff, in
   * [from, to): replies to a post. Staff contact ids come from the staff table.
   */
  repliesInRoom(roomIds: string[], from: number, to: number, selfIds: string[]): number {
    if (roomIds.length === 0) return 0;
    const staffIds = this.db.$client.prepare('select contact_id from staff where contact_id is not null').pluck().all() as string[];
    const excluded = [...staffIds, ...selfIds];
    return this.db.$client
      .prepare(
        `select count(*) from inbound_messages where room_id in (select value from json_each(?))
      and provider_at >= ? and provider_at < ? and talker_id not in (select value from json_each(?))`,
      )
      .pluck()
      .get(JSON.stringify(roomIds), from, to, JSON.stringify(excluded)) as number;
  }

  /** Whether any outbox rows exist with these ids still queued. */
  statusesOf(ids: number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    return new Map(
      this.db
        .select({ id: outbox.id, status: outbox.status })
        .from(outbox)
        .where(inArray(outbox.id, ids))
        .all()
        .map((r) => [r.id, r.status]),
    );
  }
}
