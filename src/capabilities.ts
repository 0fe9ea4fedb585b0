import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capability } from './core/capability.js';
import { adminCapability } from './admin/index.js';
import { membersCapability } from './members/index.js';
import { guideSopCapability } from './guide-sop/index.js';
import { slaCapability } from './sla/index.js';
import { wakeupCapability } from './wakeup/index.js';
import { campaignsCapability } from './campaigns/index.js';
import { friendsCapability } from './friends/index.js';
import { groupsCapability } from './groups/index.js';

/** Playbooks shipped with the bot (`sop/` at the project root). */
export const SOP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sop');

/**
 * The capabilities the bot runs, reading their playbooks from `sopDir`. The order is the order of
 * their observers; which one answers a message is the router's dispatch table (inbound/commands.ts),
 * whatever the order.
 */
export function capabilitiesFor(sopDir: string): Capability[] {
  const at = (name: string) => path.join(sopDir, name);
  return [
    adminCapability(),
    membersCapability(at('membership.yaml')),
    guideSopCapability(at('guide-daily.yaml')),
    slaCapability(at('sla.yaml')),
    campaignsCapability(at('campaigns')),
    friendsCapability(at('friends.yaml')),
    wakeupCapability(at('wakeup.yaml')),
    groupsCapability(at('groups.yaml')),
  ];
}

/** The capabilities the bot runs, on the shipped playbooks. */
export const capabilities: Capability[] = capabilitiesFor(SOP_DIR);
