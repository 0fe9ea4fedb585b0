import type { Capability, CapabilityContext } from '../core/capability.js';
import { SlaDirectory } from './sla.directory.js';
import { backlogCron, sendBacklogDigest } from './sla.digest.js';
import { slaCommands, slaMessageHandler } from './sla.handlers.js';
import { SlaInbox } from './sla.inbox.js';
import { SlaDeadlines } from './sla.jobs.js';
import { SlaPlaybookHolder } from './sla.playbook.js';
import { SlaRepo } from './sla.repo.js';
import { SlaTracker } from './sla.tracker.js';
import { SLA_PLAYBOOK } from './published.js';

/** The running SLA capability's parts (tests and benchmarks reach in here). */
export interface SlaRuntime {
  repo: SlaRepo;
  directory: SlaDirectory;
  tracker: SlaTracker;
  /** The batched inbound handling; `inbox.idle()` waits for what was handed in. */
  inbox: SlaInbox;
  deadlines: SlaDeadlines;
  holder: SlaPlaybookHolder;
  /** Resolves when the start-up reconcile of deadlines is done. */
  reconciled: Promise<unknown>;
  uninstall(): Promise<void>;
}

/** How often the SLA checks that Redis still holds its deadline jobs (one SET NX per check). */
export const SLA_REDIS_CHECK_MS = 30_000;

/** Name of the daily backlog routine. */
export const BACKLOG_SCHEDULE = 'sla-backlog';

/**
 * Installs the SLA on a capability context: the question tracker on the router (it sees messages typed
 * on the bot account's phone), the deadline worker (and a reconcile of deadlines with the record), and
 * the daily backlog routine. The playbook is loaded now (a bad file stops the start with one line);
 * edits are picked up while running, a bad edit keeps the last good version. `dailyAt` is read at start.
 */
export function installSla(ctx: CapabilityContext, source: SlaPlaybookHolder | string): SlaRuntime {
  const holder = typeof source === 'string' ? new SlaPlaybookHolder(source, ctx.logger) : source;
  holder.logger ??= ctx.logger;
  const first = holder.current;
  if (first.noReplyNeeded.botCommands !== undefined) {
    ctx.logger.warn(
      { file: first.file },
      `${first.file}: noReplyNeeded.botCommands is deprecated and ignored: the commands the capabilities declare are never questions; delete the key`,
    );
  }
  const playbook = () => holder.fresh(ctx.clock.now().getTime());
  const timezone = ctx.config.TIMEZONE;
  const repo = new SlaRepo(ctx.db);
  const directory = new SlaDirectory(repo, ctx.clock);
  const deadlines = new SlaDeadlines({
    queues: ctx.queues,
    repo,
    outbox: ctx.outbox,
    clock: ctx.clock,
    timezone,
    playbook,
    staff: () => directory.staff(),
    logger: ctx.logger,
  });
  deadlines.start();
  const reconciled = deadlines
    .checkRedisKept()
    .then(() => deadlines.reconcile())
    .catch((err: unknown) => ctx.logger.error({ err }, 'SLA deadlines could not be reconciled at start'));
  const redisWatch = setInterval(() => {
    deadlines.checkRedisKept().catch((err: unknown) => ctx.logger.warn({ err }, 'SLA could not check its deadline jobs in Redis'));
  }, SLA_REDIS_CHECK_MS);
  redisWatch.unref();
  const commands = ctx.router.commands;
  const tracker = new SlaTracker({
    repo,
    directory,
    deadlines,
    timezone,
    playbook,
    clock: ctx.clock,
    logger: ctx.logger,
    isCommand: (text) => commands.claimant(text, 'member') !== undefined,
  });
  const inbox = new SlaInbox(ctx.db, slaMessageHandler({ repo, directory, tracker, clock: ctx.clock, timezone, playbook, logger: ctx.logger }), ctx.outbox, ctx.logger);
  const undeclare = commands.declare(...slaCommands(inbox, playbook));
  // The question clock sees every message (typed on the account's phone too) after the commands' answer.
  const remove = ctx.router.use('sla', inbox.handler(), { self: true });
  ctx.scheduler.declare({
    name: BACKLOG_SCHEDULE,
    cron: backlogCron(first.backlog.dailyAt),
    catchUpMs: 3 * 3_600_000,
    run: async (slot) => {
      await sendBacklogDigest({ repo, directory, outbox: ctx.outbox, clock: ctx.clock, timezone, playbook, logger: ctx.logger }, slot);
    },
  });
  const unpublish = ctx.published?.publish(SLA_PLAYBOOK, playbook);
  return {
    repo,
    directory,
    tracker,
    inbox,
    deadlines,
    holder,
    reconciled,
    uninstall: async () => {
      unpublish?.();
      clearInterval(redisWatch);
      remove();
      undeclare();
      await inbox.idle();
      await reconciled;
      await deadlines.close();
    },
  };
}

/**
 * The response-time SLA capability (issue 6): every member question gets a clock, late ones escalate,
 * the backlog is visible.
 * @param source the playbook holder, or the path of `sop/sla.yaml`.
 * @example capabilities = [membersCapability('sop/membership.yaml'), slaCapability('sop/sla.yaml')]
 */
export function slaCapability(source: SlaPlaybookHolder | string): Capability {
  let runtime: SlaRuntime | null = null;
  let clock: (() => number) | null = null;
  return {
    name: 'sla',
    install(ctx) {
      runtime = installSla(ctx, source);
      clock = () => ctx.clock.now().getTime();
      return runtime.uninstall;
    },
    health() {
      if (!runtime || !clock) return null;
      return { ...runtime.repo.countOpen({ all: true }, clock()), handlingFailures: runtime.inbox.failureCount };
    },
  };
}
