import { peopleOf } from '../core/directory.js';
import type { Db } from '../platform/db/client.js';
import type { StaffRole } from '../platform/db/schema.js';
import { maskPhones } from '../core/mask.js';

/** A roster entry of the person writing. */
export interface Sender {
  code: string;
  name: string;
  role: StaffRole;
  storeCode: string | null;
  contactId: string | null;
}

/** What the admin commands read from the store (read-only). */
export class AdminRepo {
  constructor(private readonly db: Db) {}

  /** The active staff member behind a contact, if any. */
  staffByContact(contactId: string): Sender | undefined {
    return peopleOf(this.db).staffByContact(contactId);
  }

  storeName(code: string | null): string | null {
    if (code === null) return null;
    return (this.db.$client.prepare('select name from stores where code = ?').pluck().get(code) as string | undefined) ?? null;
  }

  /** Outbox rows created since `since`, by status (today's sending). */
  outboxSince(since: number): Record<string, number> {
    const rows = this.db.$client.prepare('select status, count(*) as n from outbox where created_at >= ? group by status').all(since) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Members matching a phone (whole or part) or a name, in some stores (or all); phones masked. */
  findMembers(
    query: string,
    stores: readonly string[] | null,
    limit = 5,
  ): {
    name: string | null;
    phone: string | null;
    tier: string;
    points: number;
    storeCode: string | null;
    guideCode: string | null;
    lastActiveAt: number | null;
    optedOut: boolean;
  }[] {
    const like = `%${query.replace(/[%_]/gu, '')}%`;
    const storeFilter = stores ? `and store_code in (select value from json_each(?))` : '';
    const args: unknown[] = [like, like];
    if (stores) args.push(JSON.stringify(stores));
    args.push(limit);
    const rows = this.db.$client
      .prepare(
        `select name, phone, tier, points, store_code as storeCode, guide_code as guideCode, last_active_at as lastActiveAt, opted_out_at is not null as optedOut
       from members where (phone like ? or name like ?) ${storeFilter} order by id limit ?`,
      )
      .all(...args) as {
      name: string | null;
      phone: string | null;
      tier: string;
      points: number;
      storeCode: string | null;
      guideCode: string | null;
      lastActiveAt: number | null;
      optedOut: number;
    }[];
    return rows.map((r) => ({ ...r, phone: r.phone ? maskPhones(r.phone) : null, optedOut: Boolean(r.optedOut) }));
  }
}
