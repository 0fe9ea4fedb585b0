import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capability } from './core/capability.js';
import { adminCapability } from './admin/admin.capability.js';
import { membersCapability } from './members/members.capability.js';
import { guideSopCapability } from './guide-sop/guide-sop.capability.js';
import { slaCapability } from './sla/sla.capability.js';
import { wakeupCapability } from './wakeup/wakeup.capability.js';
import { campaignsCapability } from './campaigns/campaigns.capability.js';
import { friendsCapability } from './friends/friends.capability.js';
import { groupsCapability } from './groups/groups.capability.js';

/** Playbooks shipped with the bot (`sop/` at the project root). */
export const SOP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sop');

/**
 * The capabilities the bot runs, reading their playbooks from `sopDir`. The order is the order of
 * their observers; which one answers a message is the router's dispatch table (inbound/commands.ts),
 * whatever the order.
 */
export function capabilitiesFor(sopDir: string): Capability[] {
  const at = (name: string) => path.join(sopDir, name);
  return [adminCapability({ membershipPlaybook: at('membership.yaml'), sopDir }), membersCapability(at('membership.yaml')), guideSopCapability(at('guide-daily.yaml')), slaCapability(at('sla.yaml')), campaignsCapability(at('campaigns')), friendsCapability(at('friends.yaml')), wakeupCapability(at('wakeup.yaml')), groupsCapability(at('groups.yaml'))];
}

/** The capabilities the bot runs, on the shipped playbooks. */
export const capabilities: Capability[] = capabilitiesFor(SOP_DIR);
