import type { Capability } from '../core/capability.js';
import { CampaignsRepo } from '../campaigns/campaigns.repo.js';
import { CampaignService } from '../campaigns/campaigns.service.js';
import { AuditRepo } from '../console/audit.repo.js';
import { PlaybookHolder } from '../members/playbook.js';
import { adminCommandDeclarations } from './admin.rules.js';
import { AdminRepo } from './admin.repo.js';
import { adminInbound } from './admin.handlers.js';
import { repeatGuardOf } from '../inbound/repeat-guard.js';

/**
 * Admin chat commands (`今日`, `待回复`, `活动`, `暂停活动 id`, `恢复活动 id`, `查会员 …`) for roster
 * store managers, community admins and HQ, in a private chat with the bot (the router's dispatch table:
 * a non-admin's attempt is answered once, with the member help), and the hint for a manager's or admin's
 * text nobody claims: the words they can send.
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
      const commands = ctx.router.commands;
      const inbound = adminInbound({
        repo: new AdminRepo(ctx.db), audit: new AuditRepo(ctx.db), campaigns: { repo, service }, outbox: ctx.outbox, clock: ctx.clock,
        timezone: ctx.config.TIMEZONE, sopDir: opts.sopDir, logger: ctx.logger, guard: repeatGuardOf(ctx),
        membership: () => {
          holder.reloadIfChanged();
          return holder.current;
        },
      }, (role) => commands.all().filter((d) => d.capability !== 'members' && d.roles.includes(role)).map((d) => d.words[0]!));
      const decls = adminCommandDeclarations();
      const undeclare = commands.declare(
        ...decls.run.map((d) => ({ ...d, handle: inbound.command })),
        // Anyone else writing an admin command gets the member help, once, and the attempt is audited.
        ...decls.refused.map((d) => ({ ...d, handle: inbound.refused })),
      );
      const unhint = commands.hint({ capability: 'admin', roles: ['manager', 'admin'], handle: inbound.hint });
      return () => {
        undeclare();
        unhint();
      };
    },
  };
}
