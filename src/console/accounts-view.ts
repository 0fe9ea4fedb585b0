import type { AccountHub } from '../accounts/index.js';
import type { ReachRepo } from '../accounts/index.js';
import type { AccountRole, AccountState } from '../accounts/index.js';
import type { Clock } from '../core/clock.js';
import { formatLocal } from '../core/time.js';
import type { Db } from '../platform/db/client.js';
import { OUTBOX_STATUSES } from '../platform/db/schema.js';

/** One account as the accounts page and /metrics show it. */
export interface AccountRow {
  id: string;
  name: string;
  role: AccountRole;
  stores: string[];
  state: AccountState;
  selfId: string | null;
  /** The last reason it went offline or could not start (never a token). */
  lastError: string | null;
  /** When it last went online or offline, local time. */
  since: string | null;
  /** Sends in the last minute / hour / 24 hours, and the caps (0: none). */
  sent: { minute: number; hour: number; day: number };
  caps: { minute: number; hour: number; day: number };
  /** Its outbox rows by status (queued is its queue; whatever statuses the outbox records, e.g. unreachable). */
  outbox: Record<string, number>;
  reach: { contacts: number; rooms: number };
}

export interface AccountsReport {
  timezone: string;
  /** The registry file, or the environment when there is none. */
  registry: { file: string; fromEnv: boolean; error: string | null };
  accounts: AccountRow[];
}

export interface AccountsViewDeps {
  hub: AccountHub;
  reach: ReachRepo;
  db: Db;
  clock: Clock;
  timezone: string;
  registry: () => { file: string; fromEnv: boolean };
}

/** How long the 24-hour send counts (a scan of the day's sends in SQLite) are reused. */
const DAY_COUNTS_MS = 60_000;

/**
 * The accounts page's figures: each account's state, sends in the last minute and hour (from the
 * account's send budget in Redis, which every process of the account shares) and 24 hours (from the
 * outbox's record, counted at most once a minute) against its caps, its outbox rows by status, and its
 * reach counts. Tokens are never part of it.
 */
export function accountsReporter(d: AccountsViewDeps): () => Promise<AccountsReport> {
  type Counts = { minute: number; hour: number; day: number };
  let day: { at: number; counts: Map<string, Counts> } | null = null;
  const dayCounts = (now: number): Map<string, Counts> => {
    if (day && now - day.at < DAY_COUNTS_MS) return day.counts;
    const rows = d.db.$client
      .prepare(
        `select account, sum(sent_at > ?) as minute, sum(sent_at > ?) as hour, count(*) as day
      from outbox where status = 'sent' and sent_at > ? group by account`,
      )
      .all(now - 60_000, now - 3_600_000, now - 86_400_000) as ({ account: string } & Counts)[];
    day = { at: now, counts: new Map(rows.map((r) => [r.account, r])) };
    return day.counts;
  };
  return async () => {
    const now = d.clock.now().getTime();
    const days = dayCounts(now);
    const recent = new Map(
      await Promise.all(
        d.hub.statuses().map(async (s) => {
          // An account without a budget records no sends in Redis: its minute and hour come from the outbox (up to a minute old).
          const budget = d.hub.sender(s.id)?.sendBudget;
          if (!budget || budget.unlimited) return [s.id, undefined] as const;
          const [minute, hour] = await Promise.all([budget.used(now, 60_000), budget.used(now, 3_600_000)]).catch(() => [undefined, undefined]);
          return [s.id, minute === undefined || hour === undefined ? undefined : { minute, hour }] as const;
        }),
      ).then((e) => e.filter((x): x is readonly [string, { minute: number; hour: number }] => x[1] !== undefined)),
    );
    return accountsReport(d, (id) => ({ ...(recent.get(id) ?? days.get(id) ?? { minute: 0, hour: 0 }), day: days.get(id)?.day ?? 0 }));
  };
}

function accountsReport(d: AccountsViewDeps, sentOf: (id: string) => { minute: number; hour: number; day: number }): AccountsReport {
  const c = d.db.$client;
  const byStatus = new Map<string, Record<string, number>>();
  // Rows still to settle and the ones that need a look (all statuses the outbox records but the settled history).
  const open = OUTBOX_STATUSES.filter((x) => !['sent', 'skipped', 'expired'].includes(x));
  for (const r of c.prepare(`select account, status, count(*) as n from outbox where status in (${open.map(() => '?').join(',')}) group by account, status`).all(...open) as {
    account: string;
    status: string;
    n: number;
  }[]) {
    const m = byStatus.get(r.account) ?? {};
    m[r.status] = r.n;
    byStatus.set(r.account, m);
  }
  const reg = d.registry();
  return {
    timezone: d.timezone,
    registry: { file: reg.file, fromEnv: reg.fromEnv, error: d.hub.registryError },
    accounts: d.hub.statuses().map((s) => {
      return {
        id: s.id,
        name: s.name,
        role: s.role,
        stores: s.stores,
        state: s.state,
        selfId: s.selfId,
        lastError: s.lastError,
        since: s.since === null ? null : formatLocal(new Date(s.since), d.timezone),
        sent: sentOf(s.id),
        caps: { minute: s.budget.ratePerMinute, hour: s.budget.capPerHour, day: s.budget.capPerDay },
        outbox: { queued: 0, ...byStatus.get(s.id) },
        reach: d.reach.counts(s.id),
      };
    }),
  };
}
