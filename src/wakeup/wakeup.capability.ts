import path from 'node:path';
import type { Capability, CapabilityContext } from '../core/capability.js';
import type { CardSuggestion } from '../core/card-suggestions.js';
import { ConfigError } from '../core/errors.js';
import { MembersRepo } from '../members/index.js';
import { displayName } from '../members/index.js';
import { tierNamesIn } from '../members/index.js';
import { outboxOperations, type OutboxFeed } from '../outbox/index.js';
import { WakeupPlaybookHolder, type WakeupPlaybook } from './playbook.js';
import { wakeupInboundHandler } from './wakeup.handlers.js';
import { fill, runSelection, runSweep, type WakeupDeps } from './wakeup.jobs.js';
import { WakeupRepo } from './wakeup.repo.js';
import { dayBefore } from './wakeup.rules.js';
import { WAKEUP } from './published.js';

/** Name of the selection routine of window `i` (1-based): `wakeup-select-1`. */
export const selectScheduleName = (i: number) => `wakeup-select-${i}`;
export const SWEEP_SCHEDULE = 'wakeup-sweep';

/** The installed wake-up's parts (tests reach in here). */
export interface WakeupRuntime {
  repo: WakeupRepo;
  deps: WakeupDeps;
  holder: WakeupPlaybookHolder;
  uninstall(): void;
}

/**
 * Checks the playbook against the store: every stage coupon names an active reward of the catalogue.
 * @throws ConfigError naming the file, the path and the rewards allowed.
 */
export function checkRewards(ctx: Pick<CapabilityContext, 'db'>, pb: WakeupPlaybook): void {
  const active = ctx.db.$client.prepare('select code from rewards where active = 1 order by code').pluck().all() as string[];
  for (const [i, s] of pb.stages.entries()) {
    if (s.coupon && !active.includes(s.coupon.reward)) {
      throw new ConfigError(
        `${pb.file}: stages[${i}].coupon.reward: "${s.coupon.reward}" is not in the rewards catalogue (sop/membership.yaml rewards); allowed: ${active.join(', ') || 'none'}`,
      );
    }
  }
}

/**
 * The wake-up's working parts over a store, an outbox and a playbook: what the minute routines,
 * the console's preview and run-now, and the CLI's `wakeup run` all use.
 */
export function wakeupDeps(
  ctx: Pick<CapabilityContext, 'db' | 'clock' | 'logger'> & { outbox: WakeupDeps['outbox']; config: Pick<CapabilityContext['config'], 'TIMEZONE' | 'ACCOUNT_ID'> },
  holder: WakeupPlaybookHolder,
): WakeupDeps {
  const members = new MembersRepo(ctx.db);
  // The stage messages of a stopped episode are cancelled through the outbox's operations (by id), no side door.
  const o = ctx.outbox as WakeupDeps['outbox'] & Partial<OutboxFeed>;
  const ops = outboxOperations(ctx.db, o.sweep && o.feed ? (o as OutboxFeed) : null, ctx.clock, ctx.logger);
  const rewardName = (code: string) => (ctx.db.$client.prepare('select name from rewards where code = ?').pluck().get(code) as string | undefined) ?? code;
  return {
    repo: new WakeupRepo(ctx.db),
    outbox: ctx.outbox,
    cancelSend: (id, _now, reason) => ops.cancel({ ids: [id] }, reason) === 1,
    issueGift: (memberId, reward, ref, now) => members.issueGift(memberId, reward, ref, now),
    rewardName,
    displayName,
    timezone: ctx.config.TIMEZONE,
    account: ctx.config.ACCOUNT_ID,
    playbook: () => holder.fresh(ctx.clock.now().getTime()),
    now: () => ctx.clock.now().getTime(),
    logger: ctx.logger,
  };
}

/** Installs the wake-up on a capability context (see `wakeupCapability`). */
export function installWakeup(ctx: CapabilityContext, source: WakeupPlaybookHolder | string): WakeupRuntime {
  const holder = typeof source === 'string' ? new WakeupPlaybookHolder(source, ctx.logger) : source;
  holder.logger ??= ctx.logger;
  const first = holder.current;
  checkRewards(ctx, first);
  const deps = wakeupDeps(ctx, holder);
  const repo = deps.repo;
  const tierNames = readTierNames(holder.file);
  const remove = ctx.router.use(
    'wakeup',
    wakeupInboundHandler({
      ...deps,
      tierName: (code) => tierNames.get(code) ?? code,
      enqueue: (req) => ctx.outbox.enqueue(req),
    }),
    { before: true, first: true },
  );
  const windowCron = (w: { startMinute: number }) => `${w.startMinute % 60} ${Math.floor(w.startMinute / 60)} * * *`;
  first.windows.forEach((w, i) => {
    ctx.scheduler.declare({
      name: selectScheduleName(i + 1),
      cron: windowCron(w),
      catchUpMs: (w.endMinute - w.startMinute) * 60_000,
      run: async () => {
        await runSelection(deps);
      },
    });
  });
  ctx.scheduler.declare({
    name: SWEEP_SCHEDULE,
    cron: '* * * * *',
    catchUpMs: 3_600_000,
    run: () => {
      runSweep(deps);
    },
  });
  // Edited window starts move the selections without a restart (the sweep re-reads the file every minute);
  // a different number of windows needs one.
  const offChange = holder.onChange((pb) => {
    if (pb.windows.length !== first.windows.length) {
      ctx.logger.warn({ file: holder.file, was: first.windows.length, now: pb.windows.length }, 'wake-up windows added or removed: the selection times change at the next start');
      return;
    }
    pb.windows.forEach((w, i) => {
      ctx.scheduler
        .reschedule(selectScheduleName(i + 1), windowCron(w))
        .catch((err: unknown) => ctx.logger.error({ err }, 'wake-up window could not be applied; the selection keeps its time'));
    });
  });
  const unregister = ctx.cardSuggestions?.register('wake-up', (date) => cardSuggestions(repo, holder.current, date)) ?? (() => undefined);
  const unpublish = ctx.published?.publish(WAKEUP, deps) ?? (() => undefined);
  return {
    repo,
    deps,
    holder,
    uninstall: () => {
      offChange();
      remove();
      unregister();
      unpublish();
    },
  };
}

/**
 * The wake-up's suggestions for the guides' cards of local `date`: the guide-channel stages decided
 * the day before (in its send windows, after that morning's card), of members who have not come back
 * since, each with the playbook's reason (`texts.suggestion`), e.g. `沉睡 62 天 · 第 2 轮唤醒 · 券码 W123`.
 */
export function cardSuggestions(repo: WakeupRepo, pb: WakeupPlaybook, date: string): Map<string, CardSuggestion[]> {
  const out = new Map<string, CardSuggestion[]>();
  for (const [guide, list] of repo.suggestionsByGuide(dayBefore(date))) {
    out.set(
      guide,
      list.map((s) => ({
        memberId: s.memberId,
        name: s.name,
        phone: s.phone,
        reason: fill(pb.texts.suggestion, { days: s.days, stage: s.stage, coupon: s.couponCode ? `券码 ${s.couponCode}` : '' }).replace(/[\s·]+$/, ''),
      })),
    );
  }
  return out;
}

/** Tier names from the membership playbook beside the wake-up playbook, for hand-over texts; codes otherwise. */
function readTierNames(wakeupFile: string): Map<string, string> {
  return tierNamesIn(path.dirname(wakeupFile));
}

/**
 * The dormant-member wake-up: staged, capped wake-ups through the outbox (purpose `wake-up`) or as
 * suggestions on the owning guide's card, a holdout to measure reactivation against, stop on reply,
 * purchase, redemption or opt-out, and a hand-over to the guide when a member replies.
 * Install after the members capability (it reads the rewards catalogue and sees 退订 first).
 * @example capabilities = [membersCapability('sop/membership.yaml'), wakeupCapability('sop/wakeup.yaml')]
 */
export function wakeupCapability(source: WakeupPlaybookHolder | string): Capability {
  return {
    name: 'wakeup',
    install(ctx) {
      return installWakeup(ctx, source).uninstall;
    },
  };
}
