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

/** The capabilities the bot runs, in the order their inbound handlers see a message (admin first: see admin.capability.ts). */
export const capabilities: Capability[] = [adminCapability({ membershipPlaybook: path.join(SOP_DIR, 'membership.yaml'), sopDir: SOP_DIR }), membersCapability(path.join(SOP_DIR, 'membership.yaml')), guideSopCapability(path.join(SOP_DIR, 'guide-daily.yaml')), slaCapability(path.join(SOP_DIR, 'sla.yaml')), campaignsCapability(path.join(SOP_DIR, 'campaigns')), friendsCapability(path.join(SOP_DIR, 'friends.yaml')), wakeupCapability(path.join(SOP_DIR, 'wakeup.yaml')), groupsCapability(path.join(SOP_DIR, 'groups.yaml'))];
