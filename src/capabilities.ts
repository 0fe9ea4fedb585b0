import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capability } from './core/capability.js';
import { membersCapability } from './members/members.capability.js';

/** Playbooks shipped with the bot (`sop/` at the project root). */
export const SOP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sop');

/** The capabilities the bot runs, in the order their inbound handlers see a message. */
export const capabilities: Capability[] = [membersCapability(path.join(SOP_DIR, 'membership.yaml'))];
