import type { CampaignStatus } from './campaigns.schema.js';

/** What an operator or the scheduler may do to a campaign. */
export type CampaignAction = 'schedule' | 'start' | 'pause' | 'resume' | 'finish' | 'cancel' | 'edit' | 'run';

/** Allowed transitions: action → from states → to state (`edit` and `run` keep the state). */
const TRANSITIONS: Record<CampaignAction, { from: readonly CampaignStatus[]; to: CampaignStatus | null }> = {
  schedule: { from: ['draft'], to: 'scheduled' },
  start: { from: ['scheduled'], to: 'running' },
  finish: { from: ['running', 'scheduled'], to: null },
  pause: { from: ['scheduled', 'running'], to: 'paused' },
  resume: { from: ['paused'], to: null },
  cancel: { from: ['draft', 'scheduled', 'running', 'paused'], to: 'cancelled' },
  edit: { from: ['draft', 'scheduled', 'paused'], to: null },
  run: { from: ['scheduled', 'running'], to: null },
};

/**
 * Whether `action` is allowed in `status`; if not, a reason an admin understands.
 * @example canDo('edit', 'running') // { ok: false, reason: 'campaign is running: editing a running campaign is refused; pause it first' }
 */
export function canDo(action: CampaignAction, status: CampaignStatus): { ok: true } | { ok: false; reason: string } {
  const t = TRANSITIONS[action];
  if (t.from.includes(status)) return { ok: true };
  if (action === 'edit' && status === 'running')
    return { ok: false, reason: 'campaign is running: editing a running campaign is refused; pause it first (campaign pause <id>), edit, then resume' };
  const done = status === 'done' || status === 'cancelled';
  return { ok: false, reason: `campaign is ${status}: cannot ${action}${done ? ' a finished campaign' : ''}; ${action} is allowed when ${t.from.join(' or ')}` };
}

/** The states in which `action` is allowed. @example statusesAllowing('edit') // ['draft', 'scheduled', 'paused'] */
export function statusesAllowing(action: CampaignAction): readonly CampaignStatus[] {
  return TRANSITIONS[action].from;
}

/** The state after `resume`: back to running when an occurrence still has messages to send, else scheduled. */
export function resumeTo(hasOpenOccurrence: boolean): CampaignStatus {
  return hasOpenOccurrence ? 'running' : 'scheduled';
}

/** The state after an occurrence ends: scheduled when another slot is ahead, else done. */
export function afterOccurrence(hasNextSlot: boolean): CampaignStatus {
  return hasNextSlot ? 'scheduled' : 'done';
}
