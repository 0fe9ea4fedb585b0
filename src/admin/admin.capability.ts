import type { Capability } from '../core/capability.js';
import { CAMPAIGNS } from '../campaigns/index.js';
import { AuditRepo } from '../console/index.js';
import { MEMBERSHIP_PLAYBOOK } from '../members/index.js';
import { SLA_PLAYBOOK } from '../sla/index.js';
import { adminCommandDeclarations } from './admin.rules.js';
import { AdminRepo } from './admin.repo.js';
import { adminInbound } from './admin.handlers.js';
import { repeatGuardOf } from '../inbound/index.js';

/**
 * Admin chat commands (`今日`, `待回复`, `活动`, `暂停活动 id`, `恢复活动 id`, `查会员 …`) for roster
 * store managers, community admins and HQ, in a private chat with the bot (the router's dispatch table:
 * a non-admin's attempt is answered once, with the member help), and the hint for a manager's or admin's
 * text nobody claims: the words they can send.
 * It builds no copies: the campaign service, the membership playbook and the SLA playbook are the
 * ones the campaigns, members and SLA capabilities publish (`ctx.published`), read at each command.
 * @example capabilities = [adminCapability(), membersCapability(…), slaCapability(…), campaignsCapability(…)]
 */
export function adminCapability(): Capability {
  return {
    name: 'admin',
    install(ctx) {
      const published = ctx.published;
      if (!published) throw new Error('the admin commands need the published board of the app (ctx.published)');
      const commands = ctx.router.commands;
      const inbound = adminInbound(
        {
          repo: new AdminRepo(ctx.db),
          audit: new AuditRepo(ctx.db),
          db: ctx.db,
          outbox: ctx.outbox,
          clock: ctx.clock,
          timezone: ctx.config.TIMEZONE,
          logger: ctx.logger,
          guard: repeatGuardOf(ctx),
          campaigns: () => published.get(CAMPAIGNS),
          sla: () => published.get(SLA_PLAYBOOK)(),
          membership: () => published.get(MEMBERSHIP_PLAYBOOK)(),
        },
        (role) =>
          commands
            .all()
            .filter((d) => d.capability !== 'members' && d.roles.includes(role))
            .map((d) => d.words[0]!),
      );
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
