import type { CapabilityContext } from '../core/capability.js';
import type { CampaignService } from './campaigns.service.js';

/** The one schedule of campaigns: a minute tick that plans due occurrences of every campaign. */
export const CAMPAIGN_TICK = 'campaigns-tick';

/**
 * Declares the minute tick. One schedule for all campaigns (rather than one per campaign) so a
 * campaign added, edited or paused from a file or the CLI takes effect at the next minute without
 * re-declaring schedules; each slot fires once (the scheduler's guarantee) and each occurrence is
 * planned once (campaign_occurrences), with outbox keys making a second plan harmless.
 * `beforeTick` reloads edited campaign files.
 */
export function declareCampaignTick(ctx: CapabilityContext, service: CampaignService, beforeTick: () => void): void {
  ctx.scheduler.declare({
    name: CAMPAIGN_TICK,
    cron: '* * * * *',
    catchUpMs: 10 * 60_000,
    async run(slot) {
      beforeTick();
      await service.tick(slot);
    },
  });
}
