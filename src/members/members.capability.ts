import { bindingDecisionDeclaration, memberCommandDeclarations } from './commands.rules.js';
import type { Capability } from '../core/capability.js';
import { MembersRepo } from './members.repo.js';
import { IdentityRepo } from './identity/identity.repo.js';
import { memberInbound } from './members.handlers.js';
import { repeatGuardOf } from '../inbound/index.js';
import { declareCare } from './care.jobs.js';
import { PlaybookHolder } from './playbook.js';
import { seedDemoStore } from './demo-seed.js';
import { baseTier } from './members.rules.js';
import { MEMBERSHIP_PLAYBOOK } from './published.js';

/** How often (at most) the playbook file is checked for edits while messages come in. */
const RELOAD_CHECK_MS = 10_000;

/**
 * The members capability: member self-service commands (入会, 积分, 兑换 …, and 帮助), member activity,
 * the rewards catalogue kept in step with the playbook, and lifecycle care routines.
 * The playbook is loaded at install (a bad file stops the start with one line); later edits are
 * picked up while running, and a bad edit keeps the last good version.
 * @param source the playbook holder, or the path of `sop/membership.yaml`.
 * @example capabilities = [membersCapability('sop/membership.yaml')]
 */
export function membersCapability(source: PlaybookHolder | string): Capability {
  return {
    name: 'members',
    install(ctx) {
      const holder = typeof source === 'string' ? new PlaybookHolder(source, ctx.logger) : source;
      holder.logger ??= ctx.logger;
      const repo = new MembersRepo(ctx.db);
      if (ctx.demo && seedDemoStore(ctx.db, ctx.demo, { now: ctx.clock.now().getTime(), baseTier: baseTier(holder.current).code, timezone: ctx.config.TIMEZONE })) {
        ctx.logger.info({ store: ctx.demo.store.code }, 'demo store seeded from data/demo (staff, groups, 35 members)');
      }
      const sync = (rewards: typeof holder.current.rewards) => {
        for (const r of repo.syncRewards(rewards, ctx.clock.now().getTime())) {
          ctx.logger.info({ reward: r.code, stock: r.stock }, 'reward stock set from the playbook');
        }
      };
      sync(holder.current.rewards);
      const unsubscribe = holder.onChange((p) => sync(p.rewards));
      // The playbook in use, looking for an edited file at most every RELOAD_CHECK_MS.
      const playbook = () => holder.fresh(ctx.clock.now().getTime(), RELOAD_CHECK_MS);
      const inbound = memberInbound({
        repo,
        identity: new IdentityRepo(ctx.db),
        outbox: ctx.outbox,
        clock: ctx.clock,
        timezone: ctx.config.TIMEZONE,
        playbook,
        logger: ctx.logger,
        guard: repeatGuardOf(ctx),
      });
      const removeHandler = ctx.router.use('members', inbound.before, { before: true });
      const undeclare = ctx.router.commands.declare(...memberCommandDeclarations().map((d) => ({ ...d, handle: inbound.command })), {
        ...bindingDecisionDeclaration(),
        handle: inbound.bindingDecision,
      });
      const unhint = ctx.router.commands.hint({ capability: 'members', roles: ['member'], handle: inbound.hint });
      declareCare(ctx, repo, playbook);
      const unpublish = ctx.published?.publish(MEMBERSHIP_PLAYBOOK, playbook);
      return () => {
        unpublish?.();
        removeHandler();
        undeclare();
        unhint();
        unsubscribe();
      };
    },
  };
}
