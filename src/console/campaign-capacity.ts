import type { AccountSpec } from '../accounts/index.js';
import type { Config } from '../config.js';
import { selectAudience } from '../campaigns/index.js';
import type { CampaignDef } from '../campaigns/index.js';
import type { CampaignsRepo } from '../campaigns/index.js';
import { campaignCapacity, type CampaignCapacity } from '../campaigns/index.js';
import { nextSlot } from '../campaigns/index.js';
import { sharesOf } from '../outbox/index.js';
import { cliRouting } from './cli-accounts.js';

/**
 * `campaign check`'s capacity line: the audience the campaign would select now, routed to the accounts
 * that reach it (nothing queued), and when the last message of its next slot goes out at their budgets.
 */
export function checkCapacity(repo: CampaignsRepo, config: Config, def: CampaignDef, now: Date, registry?: readonly AccountSpec[]): CampaignCapacity {
  const dir = { groups: def.audience.groups ? repo.groupFacts() : [], members: def.audience.members ? repo.memberFacts() : [] };
  const targets = selectAudience(def, dir, now.getTime());
  const reachable = targets.filter((t) => t.id !== '');
  const routing = cliRouting(repo.db, config, () => now.getTime(), registry);
  const { shares, unreachable } = sharesOf(
    routing,
    reachable.map((t) => ({ purpose: 'campaign' as const, kind: t.kind, id: t.id })),
    def.content.length,
  );
  return campaignCapacity({
    shares,
    unreachable,
    noContact: targets.length - reachable.length,
    slot: nextSlot(def, now, config.TIMEZONE),
    spreadMinutes: def.spreadMinutes,
    timezone: config.TIMEZONE,
  });
}
