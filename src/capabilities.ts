import type { Capability } from './core/capability.js';
import { helpCapability } from './help/help.handlers.js';

/** The capabilities the bot runs, in the order their inbound handlers see a message. */
export const capabilities: Capability[] = [helpCapability];
