import type { AccountHub } from '../accounts/hub.js';
import type { ReachRepo } from '../accounts/reach.repo.js';
import type { AccountRole, AccountState } from '../accounts/types.js';
import type { Clock } from '../core/clock.js';
import { formatLocal } from '../core/time.js';
import type { Db } from '../platform/db/client.js';

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

/**
 * The accounts page's figures: each account's state, sends in the last minute/hour/day against its caps
 * (from the outbox's record of sends), its outbox rows by status, and its reach counts. Tokens are
 * never part of it.
 */
export function accountsReport(d: AccountsViewDeps): AccountsReport {
  const now = d.clock.now().getTime();
  const c = d.db.$client;
  const sentRows = c.prepare(`select account, sum(sent_at > ?) as minute, sum(sent_at > ?) as hour, count(*) as day
    from outbox where status = 'sent' and sent_at > ? group by account`).all(now - 60_000, now - 3_600_000, now - 86_400_000) as { account: string; minute: number; hour: number; day: number }[];
  const sent = new Map(sentRows.map((r) => [r.account, r]));
  const byStatus = new Map<string, Record<string, number>>();
  for (const r of c.prepare(`select account, status, count(*) as n from outbox where status not in ('sent') group by account, status`).all() as { account: string; status: string; n: number }[]) {
    const m = byStatus.get(r.account) ?? {};
    m[r.status] = r.n;
    byStatus.set(r.account, m);
  }
  const reg = d.registry();
  return {
    timezone: d.timezone,
    registry: { file: reg.file, fromEnv: reg.fromEnv, error: d.hub.registryError },
    accounts: d.hub.statuses().map((s) => {
      const x = sent.get(s.id);
      return {
        id: s.id, name: s.name, role: s.role, stores: s.stores, state: s.state, selfId: s.selfId, lastError: s.lastError,
        since: s.since === null ? null : formatLocal(new Date(s.since), d.timezone),
        sent: { minute: x?.minute ?? 0, hour: x?.hour ?? 0, day: x?.day ?? 0 },
        caps: { minute: s.budget.ratePerMinute, hour: s.budget.capPerHour, day: s.budget.capPerDay },
        outbox: { queued: 0, ...byStatus.get(s.id) },
        reach: d.reach.counts(s.id),
      };
    }),
  };
}
