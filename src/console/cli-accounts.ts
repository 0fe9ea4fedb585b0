import { ReachRepo } from '../accounts/index.js';
import type { AccountSpec, AccountsView } from '../accounts/index.js';
import type { Config } from '../config.js';
import { AccountRouting } from '../outbox/index.js';
import { PURPOSES, type Purpose } from '../outbox/index.js';
import type { Db } from '../platform/db/client.js';

/**
 * The accounts as the command line sees them (it runs without the bot): the registry when given;
 * otherwise every account the reach table knows, at the environment's SEND_* budget, or the one
 * account of the environment when the table is empty. All taken as enabled and online.
 */
export function cliAccountsView(db: Db, config: Config, registry?: readonly AccountSpec[]): AccountsView {
  const budget = {
    ratePerMinute: config.SEND_RATE_PER_MINUTE,
    capPerHour: config.SEND_CAP_PER_HOUR,
    capPerDay: config.SEND_CAP_PER_DAY,
    gapMinMs: config.SEND_GAP_MIN_MS,
    gapMaxMs: config.SEND_GAP_MAX_MS,
  };
  const onDown = Object.fromEntries(Object.keys(PURPOSES).map((p) => [p, 'reroute'])) as Record<Purpose, 'reroute'>;
  const ids = registry ? [] : (db.$client.prepare('select distinct account from account_reach order by account').pluck().all() as string[]);
  const specs: readonly AccountSpec[] =
    registry ?? (ids.length ? ids : [config.ACCOUNT_ID]).map((id) => ({ id, name: id, role: 'store' as const, stores: [], budget, enabled: true, onDown }));
  return { list: () => specs, get: (id) => specs.find((s) => s.id === id), state: (id) => (specs.find((s) => s.id === id)?.enabled === false ? 'disabled' : 'online') };
}

/** Routing over the store's reach table, for estimates from the command line. */
export function cliRouting(db: Db, config: Config, now: () => number, registry?: readonly AccountSpec[]): AccountRouting {
  return new AccountRouting(db, { view: cliAccountsView(db, config, registry), reach: new ReachRepo(db) }, now);
}
