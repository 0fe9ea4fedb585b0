import type { Capability } from '../core/capability.js';
import { CampaignsRepo } from './campaigns.repo.js';
import { CampaignService } from './campaigns.service.js';
import { declareCampaignTick } from './campaigns.jobs.js';
import { CAMPAIGNS } from './published.js';

/**
 * Group campaigns: campaign files under `sop/campaigns/` loaded into the store at install and
 * re-read at every minute tick (a bad file is logged with its path and what is allowed, and the
 * stored version stays); the tick plans due occurrences through the outbox.
 * @param dir the campaigns folder (`sop/campaigns`).
 * @example capabilities = [campaignsCapability('sop/campaigns')]
 */
export function campaignsCapability(dir: string): Capability {
  return {
    name: 'campaigns',
    install(ctx) {
      const repo = new CampaignsRepo(ctx.db);
      const service = new CampaignService({ repo, outbox: ctx.outbox, clock: ctx.clock, timezone: ctx.config.TIMEZONE, logger: ctx.logger, queues: ctx.queues });
      let reported = new Set<string>();
      const sync = () => {
        const problems = service.syncDir(dir);
        for (const p of problems) if (!reported.has(p)) ctx.logger.error(`campaign file refused: ${p}`);
        reported = new Set(problems);
      };
      sync();
      declareCampaignTick(ctx, service, sync);
      return ctx.published?.publish(CAMPAIGNS, { repo, service });
    },
  };
}
