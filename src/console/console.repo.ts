import type { Db } from '../platform/db/client.js';
import { localParts } from '../core/time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Read-only figures for the dashboard and the API (each capability adds its own as it lands). */
export class ConsoleRepo {
  constructor(
    readonly db: Db,
    readonly timezone: string,
  ) {}

  /** Accepted inbound messages per local hour over the last 24 hours, group vs private. */
  inboundByHour(now: number): { hour: string; group: number; private: number }[] {
    const since = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
    const rows = this.db.$client
      .prepare(
        `select (provider_at / ${HOUR}) as h, sum(room_id is not null) as g, sum(room_id is null) as p
       from inbound_messages where provider_at >= ? group by h`,
      )
      .all(since) as { h: number; g: number; p: number }[];
    const byHour = new Map(rows.map((r) => [r.h, r]));
    return Array.from({ length: 24 }, (_, i) => {
      const h = since / HOUR + i;
      const p = localParts(new Date(h * HOUR), this.timezone);
      const r = byHour.get(h);
      return { hour: `${String(p.hour).padStart(2, '0')}:00`, group: r?.g ?? 0, private: r?.p ?? 0 };
    });
  }

  /** Outbox rows by purpose and status. */
  outboxByPurpose(): { purpose: string; status: string; n: number }[] {
    return this.db.$client.prepare('select purpose, status, count(*) as n from outbox group by purpose, status order by purpose').all() as {
      purpose: string;
      status: string;
      n: number;
    }[];
  }

  /** Skipped and expired outbox rows by status and stored reason, most first. */
  outboxSettledReasons(): { status: string; reason: string; n: number }[] {
    return this.db.$client
      .prepare(`select status, coalesce(reason, '') as reason, count(*) as n from outbox where status in ('skipped', 'expired') group by status, reason order by n desc`)
      .all() as { status: string; reason: string; n: number }[];
  }

  /** Members by tier, and how many joined in each of the last 30 local days. */
  members(now: number): { byTier: { tier: string; n: number }[]; joinedByDay: { day: string; n: number }[]; total: number; optedOut: number } {
    const byTier = this.db.$client.prepare('select tier, count(*) as n from members group by tier order by n desc').all() as { tier: string; n: number }[];
    const since = now - 30 * DAY;
    const joined = this.db.$client.prepare('select joined_at as at from members where joined_at >= ?').pluck().all(since) as number[];
    const counts = new Map<string, number>();
    for (const at of joined) {
      const p = localParts(new Date(at), this.timezone);
      const key = `${p.month}-${p.day}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const joinedByDay = Array.from({ length: 30 }, (_, i) => {
      const p = localParts(new Date(now - (29 - i) * DAY), this.timezone);
      const key = `${p.month}-${p.day}`;
      return { day: key, n: counts.get(key) ?? 0 };
    });
    const total = this.db.$client.prepare('select count(*) from members').pluck().get() as number;
    const optedOut = this.db.$client.prepare('select count(*) from members where opted_out_at is not null').pluck().get() as number;
    return { byTier, joinedByDay, total, optedOut };
  }

  staff(): Record<string, unknown>[] {
    return this.db.$client
      .prepare('select code, name, role, store_code as storeCode, contact_id as contactId, working_days as workingDays, active from staff order by store_code, role, code')
      .all() as Record<string, unknown>[];
  }

  groups(): Record<string, unknown>[] {
    return this.db.$client
      .prepare(
        `select g.room_id as roomId, g.name, g.store_code as storeCode, g.guide_code as guideCode, r.last_message_at as lastMessageAt
       from groups g left join rooms r on r.id = g.room_id order by g.store_code, g.name`,
      )
      .all() as Record<string, unknown>[];
  }

  scheduleRuns(limit = 30): Record<string, unknown>[] {
    return this.db.$client.prepare('select name, slot, status, reason, finished_at as finishedAt from schedule_runs order by slot desc limit ?').all(limit) as Record<
      string,
      unknown
    >[];
  }
}
