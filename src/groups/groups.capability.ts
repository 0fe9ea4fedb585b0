import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Capability, CapabilityContext } from '../core/capability.js';
import { SLA_PLAYBOOK, SlaPlaybookHolder } from '../sla/index.js';
import { GroupsRepo } from './groups.repo.js';
import { GroupsService } from './groups.service.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { loadGroupsPlaybook, type GroupsPlaybook } from './playbook.js';

/** Name of the daily routine that checks every group's member list. */
export const MEMBERSHIP_CHECK_SCHEDULE = 'groups-membership-check';

/** The running groups capability's parts (tests reach in here). */
export interface GroupsRuntime {
  repo: GroupsRepo;
  service: GroupsService;
  /** The playbook in use; an edited file is picked up within 10 s, a bad edit keeps the last good one. */
  holder: PlaybookHolder<GroupsPlaybook>;
  /** Settles when the start-up reconcile of welcome jobs is done. */
  reconciled: Promise<unknown>;
  uninstall(): Promise<void>;
}

/**
 * Installs group health: joins and leaves from `ctx.rooms` (and a member-list check at every login
 * and each day), the batched welcome worker (with a reconcile of open batches), and the spam check on
 * group messages. The playbook is loaded now: a bad file stops the start with one line. Edits are
 * picked up while running (welcome, spam, targets); `membership.checkAt` is read at start.
 * @returns null when the context has no room hub (nothing installed).
 */
export function installGroups(ctx: CapabilityContext, source: string | GroupsPlaybook): GroupsRuntime | null {
  const holder = new PlaybookHolder<GroupsPlaybook>(source, { load: loadGroupsPlaybook, name: 'groups playbook' }, ctx.logger);
  const playbook = holder.current;
  const hub = ctx.rooms;
  if (!hub) {
    ctx.logger.warn('no room events in this context: group health is off');
    return null;
  }
  const repo = new GroupsRepo(ctx.db);
  // The stores' service hours are the SLA playbook's: the one the SLA capability published (install groups
  // after it), else `sla.yaml` beside this playbook, read again when it changes.
  const slaFile = typeof source === 'string' ? path.join(path.dirname(source), 'sla.yaml') : null;
  const slaHolder = ctx.published?.find(SLA_PLAYBOOK) || !slaFile || !existsSync(slaFile) ? null : new SlaPlaybookHolder(slaFile, ctx.logger);
  const slaPlaybook = ctx.published?.find(SLA_PLAYBOOK) ?? (slaHolder ? () => slaHolder.fresh(ctx.clock.now().getTime()) : null);
  const service = new GroupsService({
    repo,
    outbox: ctx.outbox,
    queues: ctx.queues,
    rooms: hub,
    clock: ctx.clock,
    timezone: ctx.config.TIMEZONE,
    account: ctx.config.ACCOUNT_ID,
    playbook: () => holder.fresh(ctx.clock.now().getTime()),
    logger: ctx.logger,
    ...(slaPlaybook ? { serviceHours: (store: string | null) => slaPlaybook().hoursFor(store) } : {}),
  });
  service.start();
  const offEvents = hub.on((ev) => service.onEvent(ev));
  // `ready` fires after every reconnect: the check is idempotent and coalesces, and nothing is scheduled here.
  const offReady = hub.onReady(async (selfId) => {
    await service.onReady(selfId);
    await service.reconcileWelcomes();
  });
  const offMessages = ctx.router.use('groups', ({ message, receivedAt }) => service.onMessage(message, receivedAt));
  const reconciled = service.reconcileWelcomes().catch((err: unknown) => ctx.logger.error({ err }, 'group welcomes could not be reconciled at start'));
  const at = playbook.membership.checkAt;
  if (at) {
    const [hh, mm] = at.split(':').map(Number);
    ctx.scheduler.declare({
      name: MEMBERSHIP_CHECK_SCHEDULE,
      cron: `${mm} ${hh} * * *`,
      catchUpMs: 6 * 3_600_000,
      run: async () => {
        await service.checkAll();
        await service.reconcileWelcomes();
      },
    });
  }
  return {
    repo,
    service,
    holder,
    reconciled,
    uninstall: async () => {
      offEvents();
      offReady();
      offMessages();
      await hub.idle();
      await reconciled;
      await service.close();
    },
  };
}

/**
 * Group health (issue 5): joins and leaves per group (events, and member lists read at every login and
 * daily), a batched welcome for new members, an alert to the owner guide about suspected spam, and
 * the retention / interaction / staff-post figures (`report groups`).
 * @param source the path of `sop/groups.yaml`, or a loaded playbook.
 * @example capabilities = [membersCapability('sop/membership.yaml'), groupsCapability('sop/groups.yaml')]
 */
export function groupsCapability(source: string | GroupsPlaybook, opts: { onInstalled?: (rt: GroupsRuntime) => void } = {}): Capability {
  let runtime: GroupsRuntime | null = null;
  return {
    name: 'groups',
    install(ctx) {
      runtime = installGroups(ctx, source);
      if (!runtime) return;
      opts.onInstalled?.(runtime);
      return runtime.uninstall;
    },
    health() {
      if (!runtime) return null;
      const open = runtime.repo.openBatches().length;
      return { lastMembershipCheck: runtime.service.lastCheck, openWelcomeBatches: open };
    },
  };
}
