import { peopleOf } from '../core/directory.js';
import type { Capability, CapabilityContext } from '../core/capability.js';
import type { Outbox } from '../outbox/index.js';
import { guideCommandDeclarations } from './checkin.rules.js';
import type { Config } from '../config.js';
import { localDate } from '../core/time.js';
import { guidesOn, runCards, type GuideJobDeps } from './cards.jobs.js';
import { estimateCapacity, type CapacityEstimate } from './capacity.rules.js';
import { runNudges, runRankings, runSummaries } from './digest.jobs.js';
import { guideInbound } from './guide-sop.handlers.js';
import { repeatGuardOf } from '../inbound/index.js';
import { GuideSopRepo } from './guide-sop.repo.js';
import { GuidePlaybookHolder, minutesOf, type GuidePlaybook } from './playbook.js';
import { SelectionRepo } from './selection.repo.js';
import { addDays, momentsFor } from './selection.rules.js';

/** How often (at most) the playbook files are checked for edits. */
const RELOAD_CHECK_MS = 10_000;
/** How long a capacity figure is reused by /healthz. */
const CAPACITY_TTL_MS = 60_000;
const MINUTE = 60_000;

/** The guide capability: a Capability that can also report its capacity estimate (for /healthz). */
export interface GuideSopCapability extends Capability {
  /** The card capacity estimate for today (null before install). Cached for a minute. */
  health(): { capacity: CapacityEstimate; playbook: string } | null;
}

/**
 * Cron of a daily local time: `09:30` → `30 9 * * *`.
 * @example dailyCron('20:30') // '30 20 * * *'
 */
export function dailyCron(hhmm: string, weekday?: number): string {
  const m = minutesOf(hhmm);
  return `${m % 60} ${Math.floor(m / 60)} * * ${weekday ?? '*'}`;
}

/**
 * The busiest working day of the week ahead: the capacity check uses the most messages (cards and
 * the Moments images after them) any of the next seven days will send.
 */
export function cardCapacity(
  repo: GuideSopRepo,
  pb: GuidePlaybook,
  config: Pick<Config, 'SEND_RATE_PER_MINUTE' | 'SEND_GAP_MIN_MS' | 'SEND_GAP_MAX_MS'>,
  today: string,
  outbox?: Pick<Outbox, 'routeShares'>,
): CapacityEstimate {
  let busiest = { cards: 0, imagesPerCard: 0, date: today };
  for (let i = 0; i < 7; i++) {
    const date = addDays(today, i);
    const cards = guidesOn(repo, date, pb).length;
    const imagesPerCard = pb.moments.sendImages ? momentsFor(date, pb.quotas.moments, pb.calendar).reduce((n, p) => n + p.images.length, 0) : 0;
    if (cards * (1 + imagesPerCard) > busiest.cards * (1 + busiest.imagesPerCard)) busiest = { cards, imagesPerCard, date };
  }
  const base = {
    cards: busiest.cards,
    imagesPerCard: busiest.imagesPerCard,
    ratePerMinute: config.SEND_RATE_PER_MINUTE,
    gapMinMs: config.SEND_GAP_MIN_MS,
    gapMaxMs: config.SEND_GAP_MAX_MS,
    cardTime: pb.times.card,
    cardsBy: pb.times.cardsBy,
  };
  // Several accounts: each card goes through the account routing would choose for its guide.
  const guides = guidesOn(repo, busiest.date, pb);
  const routed = outbox?.routeShares?.(
    guides.flatMap((g) => (g.contactId ? [{ purpose: 'staff-prompt' as const, kind: 'contact' as const, id: g.contactId }] : [])),
    1 + busiest.imagesPerCard,
  );
  if (!routed || routed.shares.length + routed.unreachable === 0) return estimateCapacity(base);
  // One account sends them all: today's line, at that account's budget.
  if (routed.shares.length === 1 && routed.unreachable === 0) return estimateCapacity({ ...base, ...routed.shares[0]!.budget });
  return estimateCapacity({ ...base, accounts: routed.shares, unreachable: routed.unreachable });
}

/**
 * The guide "3+3+3" capability: the daily card, check-ins and automatic group-post counting, the
 * nudge, the managers' summary, the weekly ranking and `我的进度`. The playbook is loaded at install
 * (a bad file stops the start with one line); later edits are picked up while running (times
 * included: the schedules move within a minute), and a bad edit keeps the last good version.
 * @param source the playbook holder, or the path of `sop/guide-daily.yaml`.
 * @example capabilities = [membersCapability('sop/membership.yaml'), guideSopCapability('sop/guide-daily.yaml')]
 */
export function guideSopCapability(source: GuidePlaybookHolder | string): GuideSopCapability {
  let healthFn: GuideSopCapability['health'] = () => null;
  return {
    name: 'guide-sop',
    health: () => healthFn(),
    install(ctx: CapabilityContext) {
      const holder = typeof source === 'string' ? new GuidePlaybookHolder(source, ctx.logger) : source;
      holder.logger ??= ctx.logger;
      const installed = holder.current;
      const repo = new GuideSopRepo(ctx.db);
      // The playbook in use, looking for an edited file at most every RELOAD_CHECK_MS.
      const playbook = () => holder.fresh(ctx.clock.now().getTime(), RELOAD_CHECK_MS);
      /** Moves the schedules to the playbook's times (an edited file takes effect without a restart). */
      const applyTimes = async (pb: GuidePlaybook) => {
        const want: [string, string][] = [
          ['guide-cards', dailyCron(pb.times.card)],
          ['guide-nudge', dailyCron(pb.times.nudge)],
          ['guide-summary', dailyCron(pb.times.summary)],
          ['guide-ranking', dailyCron(pb.ranking.time, pb.ranking.weekday)],
        ];
        for (const [name, cron] of want) {
          try {
            if (await ctx.scheduler.reschedule(name, cron)) ctx.logger.info({ file: holder.file, schedule: name, cron }, 'guide playbook time changed: schedule moved');
          } catch (err) {
            ctx.logger.error({ err, schedule: name }, 'guide playbook time could not be applied; the schedule keeps its time');
          }
        }
      };
      const deps: GuideJobDeps = {
        repo,
        selection: new SelectionRepo(ctx.db),
        outbox: ctx.outbox,
        timezone: ctx.config.TIMEZONE,
        playbook,
        logger: ctx.logger,
        ...(ctx.cardSuggestions ? { suggestions: ctx.cardSuggestions } : {}),
      };

      let cached: { at: number; capacity: CapacityEstimate } | null = null;
      const capacity = () => {
        const now = ctx.clock.now();
        if (!cached || Math.abs(now.getTime() - cached.at) >= CAPACITY_TTL_MS) {
          cached = { at: now.getTime(), capacity: cardCapacity(repo, playbook(), ctx.config, localDate(now, ctx.config.TIMEZONE), ctx.outbox) };
        }
        return cached.capacity;
      };
      const logCapacity = (c: CapacityEstimate) => (c.ok ? ctx.logger.info({ capacity: c }, c.message) : ctx.logger.warn({ capacity: c }, c.message));
      const atLoad = capacity();
      let offFirstLogin = () => {};
      if (atLoad.accounts > 0 || !ctx.rooms) logCapacity(atLoad);
      else {
        // Before the first login no account has read who it reaches, so every guide would look
        // unreachable: estimate once the first account has logged in and read its friends instead.
        offFirstLogin = ctx.rooms.onReady(() => {
          offFirstLogin();
          cached = null;
          logCapacity(capacity());
        });
      }
      healthFn = () => ({ capacity: capacity(), playbook: holder.file });

      const inbound = guideInbound({
        repo,
        outbox: ctx.outbox,
        clock: ctx.clock,
        timezone: ctx.config.TIMEZONE,
        playbook,
        logger: ctx.logger,
        guard: repeatGuardOf(ctx),
        commands: ctx.router.commands,
        people: peopleOf(ctx.db),
      });
      const removeHandler = ctx.router.use('guide-sop', inbound.observe);
      const undeclare = ctx.router.commands.declare(...guideCommandDeclarations().map((d) => ({ ...d, handle: inbound.command })));
      const unhint = ctx.router.commands.hint({ capability: 'guide-sop', roles: ['guide'], handle: inbound.hint });
      const t = installed.times;
      const untilSummary = (from: string) => Math.max(MINUTE, (minutesOf(t.summary) - minutesOf(from)) * MINUTE);
      ctx.scheduler.declare({
        name: 'guide-cards',
        cron: dailyCron(t.card),
        catchUpMs: untilSummary(t.card),
        run: (slot) => runCards(deps, slot, ctx.clock.now().getTime()).then(() => undefined),
      });
      ctx.scheduler.declare({ name: 'guide-nudge', cron: dailyCron(t.nudge), catchUpMs: untilSummary(t.nudge), run: (slot) => runNudges(deps, slot).then(() => undefined) });
      ctx.scheduler.declare({ name: 'guide-summary', cron: dailyCron(t.summary), catchUpMs: 3 * 60 * MINUTE, run: (slot) => runSummaries(deps, slot).then(() => undefined) });
      ctx.scheduler.declare({
        name: 'guide-ranking',
        cron: dailyCron(installed.ranking.time, installed.ranking.weekday),
        catchUpMs: 12 * 60 * MINUTE,
        run: (slot) => runRankings(deps, slot).then(() => undefined),
      });
      const offChange = holder.onChange((pb) => void applyTimes(pb));
      // Edited times apply within a minute even when nothing else reads the playbook.
      ctx.scheduler.declare({
        name: 'guide-playbook-times',
        cron: '* * * * *',
        catchUpMs: MINUTE,
        run: () => {
          playbook();
        },
      });
      return () => {
        offFirstLogin();
        offChange();
        removeHandler();
        undeclare();
        unhint();
        healthFn = () => null;
      };
    },
  };
}
