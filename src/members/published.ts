import { publishedKey } from '../core/published.js';
import type { MembershipPlaybook } from './playbook.js';

/** The membership playbook as the members capability reads it (re-read when the file changed). */
export const MEMBERSHIP_PLAYBOOK = publishedKey<() => MembershipPlaybook>('membership playbook');
