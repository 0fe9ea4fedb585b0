import type { Capability, CapabilityContext } from '../core/capability.js';
import { FriendsRepo } from './friends.repo.js';
import { FriendsService } from './friends.service.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { loadFriendsPlaybook, type FriendsPlaybook } from './playbook.js';

/** Name of the daily routine that accepts yesterday's capped requests within today's cap. */
export const CAPPED_SCHEDULE = 'friends-capped';

/** The running friends capability's parts (tests reach in here). */
export interface FriendsRuntime {
  repo: FriendsRepo;
  service: FriendsService;
  /** The playbook in use; an edited file is picked up within 10 s, a bad edit keeps the last good one. */
  holder: PlaybookHolder<FriendsPlaybook>;
  /** Settles when the start-up reconcile of delayed accepts is done. */
  reconciled: Promise<unknown>;
  uninstall(): Promise<void>;
}

/**
 * Installs new-friend handling: friendship events from `ctx.friendships`, the delayed-accept worker
 * (and a reconcile of scheduled accepts with the record), and the daily capped-request routine.
 * The playbook is loaded now: a bad file stops the start with one line. Edits are picked up while
 * running (texts, cap, delays, attribution); `retryCappedAt` is read at start.
 * @returns null when the context has no friendship hub (nothing installed).
 */
export function installFriends(ctx: CapabilityContext, source: string | FriendsPlaybook, opts: { random?: () => number } = {}): FriendsRuntime | null {
  const holder = new PlaybookHolder<FriendsPlaybook>(source, { load: loadFriendsPlaybook, name: 'friends playbook' }, ctx.logger);
  const playbook = holder.current;
  const hub = ctx.friendships;
  if (!hub) {
    ctx.logger.warn('no friendship events in this context: new-friend handling is off');
    return null;
  }
  const repo = new FriendsRepo(ctx.db);
  const service = new FriendsService({
    repo,
    outbox: ctx.outbox,
    queues: ctx.queues,
    friendships: hub,
    clock: ctx.clock,
    timezone: ctx.config.TIMEZONE,
    account: ctx.config.ACCOUNT_ID,
    playbook: () => holder.fresh(ctx.clock.now().getTime()),
    logger: ctx.logger,
    ...(opts.random ? { random: opts.random } : {}),
  });
  service.start();
  const off = hub.on((req) => service.handle(req));
  const reconciled = service.reconcile().catch((err: unknown) => ctx.logger.error({ err }, 'friend accepts could not be reconciled at start'));
  const at = playbook.accept.retryCappedAt;
  if (at) {
    const [hh, mm] = at.split(':').map(Number);
    ctx.scheduler.declare({
      name: CAPPED_SCHEDULE,
      cron: `${mm} ${hh} * * *`,
      catchUpMs: 6 * 3_600_000,
      run: async () => {
        await service.reconcile();
        await service.retryCapped();
      },
    });
  }
  return {
    repo,
    service,
    holder,
    reconciled,
    uninstall: async () => {
      off();
      await reconciled;
      await service.close();
    },
  };
}

/**
 * New friends (issue 9): accept requests by the playbook's rules, attribute each contact to a store
 * and guide, welcome them once, count them toward the monthly target.
 * @param source the path of `sop/friends.yaml`, or a loaded playbook.
 * @example capabilities = [membersCapability('sop/membership.yaml'), friendsCapability('sop/friends.yaml')]
 */
export function friendsCapability(source: string | FriendsPlaybook, opts: { random?: () => number; onInstalled?: (rt: FriendsRuntime) => void } = {}): Capability {
  return {
    name: 'friends',
    install(ctx) {
      const rt = installFriends(ctx, source, opts);
      if (!rt) return;
      opts.onInstalled?.(rt);
      return rt.uninstall;
    },
  };
}
