import { publishedKey } from '../core/published.js';
import type { SlaPlaybook } from './sla.playbook.js';

/** The SLA playbook as the SLA capability reads it (re-read when the file changed). */
export const SLA_PLAYBOOK = publishedKey<() => SlaPlaybook>('sla playbook');
