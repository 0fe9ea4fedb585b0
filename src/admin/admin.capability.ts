import type { Capability } from '../core/capability.js';
import { CampaignsRepo } from '../campaigns/index.js';
import { CampaignService } from '../campaigns/index.js';
import { AuditRepo } from '../console/index.js';
import { PlaybookHolder } from '../members/index.js';
import { ADMIN_COMMAND_WORDS, parseAdminCommand } from './admin.rules.js';
import { AdminRepo } from './admin.repo.js';
import { adminCommandHandler } from './admin.handlers.js';
import { repeatGuardOf } from '../inbound/index.js';

/**
 * Admin chat commands (`今日`, `待回复`, `活动`, `暂停活动 id`, `恢复活动 id`, `查会员 …`) for roster
 * store managers, community admins and HQ, in a private chat with the bot. Install it before the
 * members and guide capabilities: a non-admin's attempt is answered once, with the member help.
 * @param opts.membershipPlaybook `sop/membership.yaml` (its help text); opts.sopDir the playbooks folder.
 * @example capabilities = [adminCapability({ membershipPlaybook: 'sop/membership.yaml', sopDir: 'sop' }), membersCapability(…)]
 */
export function adminCapability(opts: { membershipPlaybook: string; sopDir: string }): Capability {
  return {
    name: 'admin',
    install(ctx) {
      const holder = new PlaybookHolder(opts.membershipPlaybook, ctx.logger);
      const repo = new CampaignsRepo(ctx.db);
      const service = new CampaignService({ repo, outbox: ctx.outbox, clock: ctx.clock, timezone: ctx.config.TIMEZONE, logger: ctx.logger, queues: ctx.queues });
      const undeclare = ctx.router.commands.declare(...ADMIN_COMMAND_WORDS.map(([command, words]) => ({
        capability: 'admin', command, words, roles: ['manager', 'admin'] as const,
        matches: (t: string) => parseAdminCommand(t)?.kind === command,
      })));
      const remove = ctx.router.use('admin', adminCommandHandler({
        repo: new AdminRepo(ctx.db), audit: new AuditRepo(ctx.db), campaigns: { repo, service }, outbox: ctx.outbox, clock: ctx.clock,
        timezone: ctx.config.TIMEZONE, sopDir: opts.sopDir, logger: ctx.logger, guard: repeatGuardOf(ctx),
        membership: () => {
          holder.reloadIfChanged();
          return holder.current;
        },
      }));
      return () => {
        remove();
        undeclare();
      };
    },
  };
}
