import type { Statement } from 'better-sqlite3';
import type { Db } from '../platform/db/client.js';

export type ReachKind = 'contact' | 'room';

export interface ReachRow {
  account: string;
  targetId: string;
  seenAt: number;
  lastInboundAt: number | null;
}

/** Reach counts of one account. */
export interface ReachCounts {
  contacts: number;
  rooms: number;
}

/** What changed in one account's reach (targets gained and lost), told to `onChange` listeners after the write. */
export interface ReachChange {
  account: string;
  kind: ReachKind;
  added: readonly string[];
  removed: readonly string[];
}

/**
 * The `account_reach` table: which account is friends with which contact and in which group. Written
 * from the accounts' login lists and events, read by the outbox's routing. Statements prepared once.
 */
export class ReachRepo {
  private readonly upsert: Statement;
  private readonly inbound: Statement;
  private readonly del: Statement;
  private readonly countStmt: Statement;
  private readonly reachingStmt: Statement;
  private readonly listeners = new Set<(c: ReachChange) => void>();

  constructor(private readonly db: Db) {
    const c = db.$client;
    this.upsert = c.prepare(`insert into account_reach (account, target_kind, target_id, seen_at) values (?, ?, ?, ?)
      on conflict (account, target_kind, target_id) do update set seen_at = max(account_reach.seen_at, excluded.seen_at)`);
    this.inbound = c.prepare(`insert into account_reach (account, target_kind, target_id, seen_at, last_inbound_at) values (?, ?, ?, ?, ?)
      on conflict (account, target_kind, target_id) do update set seen_at = max(account_reach.seen_at, excluded.seen_at),
        last_inbound_at = max(coalesce(account_reach.last_inbound_at, 0), excluded.last_inbound_at)`);
    this.del = c.prepare('delete from account_reach where account = ? and target_kind = ? and target_id = ?');
    // The ids as one JSON array: one statement prepared once, one call for a batch of any size.
    // (`in (select value from json_each(?))` keeps SQLite on account_reach_target_idx.)
    this.reachingStmt = c.prepare(`select account, target_id as targetId, seen_at as seenAt, last_inbound_at as lastInboundAt
      from account_reach where target_kind = ? and target_id in (select value from json_each(?))`);
    this.countStmt = c.prepare(`select sum(target_kind = 'contact') as contacts, sum(target_kind = 'room') as rooms from account_reach where account = ?`);
  }

  /**
   * Calls `fn` after every write that may change who reaches whom (the outbox routes again what it
   * concerns). `added` may hold targets already reached (an inbound message). Returns the unsubscribe.
   */
  onChange(fn: (c: ReachChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private told(c: ReachChange): void {
    if (c.added.length === 0 && c.removed.length === 0) return;
    // A listener's failure never undoes or fails the write.
    for (const fn of this.listeners) {
      try {
        fn(c);
      } catch {
        /* the listener logs its own failures */
      }
    }
  }

  /** The account reaches these targets (an event, a member list). */
  add(account: string, kind: ReachKind, ids: readonly string[], at: number): void {
    this.db.$client.transaction(() => {
      for (const id of ids) this.upsert.run(account, kind, id, at);
    })();
    this.told({ account, kind, added: ids, removed: [] });
  }

  /**
   * The account's whole list of one kind, as read at login: adds what is new and removes what is no
   * longer there (one transaction).
   */
  replaceAll(account: string, kind: ReachKind, ids: readonly string[], at: number): { added: number; removed: number } {
    const c = this.db.$client;
    const added: string[] = [];
    const removed: string[] = [];
    c.transaction(() => {
      const before = new Set(
        (c.prepare('select target_id as id from account_reach where account = ? and target_kind = ?').all(account, kind) as { id: string }[]).map((r) => r.id),
      );
      const now = new Set(ids);
      for (const id of now) {
        if (!before.has(id)) added.push(id);
        this.upsert.run(account, kind, id, at);
      }
      for (const id of before)
        if (!now.has(id)) {
          this.del.run(account, kind, id);
          removed.push(id);
        }
    })();
    this.told({ account, kind, added, removed });
    return { added: added.length, removed: removed.length };
  }

  /** The target wrote to this account (it is reached, and replies go back through it). */
  noteInbound(account: string, kind: ReachKind, id: string, at: number): void {
    this.inbound.run(account, kind, id, at, at);
    this.told({ account, kind, added: [id], removed: [] });
  }

  /** The account lost the friend or left the group. */
  remove(account: string, kind: ReachKind, id: string): void {
    if (this.del.run(account, kind, id).changes) this.told({ account, kind, added: [], removed: [id] });
  }

  /** Every account that reaches each of `ids` (one query for all of them; the outbox's routing calls it per batch). */
  accountsReaching(kind: ReachKind, ids: readonly string[]): ReachRow[] {
    if (ids.length === 0) return [];
    return this.reachingStmt.all(kind, JSON.stringify(ids)) as ReachRow[];
  }

  counts(account: string): ReachCounts {
    const r = this.countStmt.get(account) as { contacts: number | null; rooms: number | null };
    return { contacts: r.contacts ?? 0, rooms: r.rooms ?? 0 };
  }
}
