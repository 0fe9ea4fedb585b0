import type { InboundHandler } from '../inbound/router.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { fill, stopEpisode, type WakeupDeps } from './wakeup.jobs.js';
import { silentDays } from './wakeup.rules.js';

const QUOTE_MAX = 120;

/**
 * Ends a member's wake-up the moment they write (privately or in a group) or opt out (退订, handled by
 * the members capability just before). A message of a treatment member who got at least one stage is
 * handed over to the owning guide (purpose `staff-prompt`, key `wakeup:handover:<episodeId>`): who
 * came back, after which stage, in which group if not privately, and what they said. The SLA
 * capability, when installed, tracks the open question.
 */
export function wakeupInboundHandler(deps: WakeupDeps & { tierName(code: string): string; enqueue(req: EnqueueRequest): Promise<unknown> }): InboundHandler {
  return async ({ message, receivedAt }) => {
    if (message.self) return;
    const ep = deps.repo.activeByContact(message.talkerId);
    if (!ep) return;
    const now = deps.now();
    const reason = ep.optedOutAt !== null ? 'opt-out' : 'message';
    const at = Math.min(message.providerAt, receivedAt);
    if (!stopEpisode(deps, ep.id, reason, at, now, reason === 'message' ? message.text.slice(0, 500) : null)) return;
    deps.logger.info({ episode: ep.id, member: ep.memberId, reason, arm: ep.arm, stage: ep.stage }, 'wake-up ended by the member');
    if (reason !== 'message' || ep.arm !== 'treatment' || ep.stage < 1 || !ep.guideCode) return;
    const guide = deps.repo.guideContact(ep.guideCode);
    if (!guide) {
      deps.logger.warn({ episode: ep.id, guide: ep.guideCode }, 'wake-up reply: the owning guide has no contact; no hand-over sent');
      return;
    }
    const said = message.text.length > QUOTE_MAX ? `${message.text.slice(0, QUOTE_MAX)}…` : message.text;
    const text = fill(deps.playbook().texts.handover, {
      member: deps.displayName(ep.name || message.talkerName), tier: deps.tierName(ep.tier), days: silentDays(ep.anchorAt, at), stage: ep.stage, text: said,
      where: message.roomId === null ? '' : `在群「${message.roomTopic || message.roomId}」`,
    });
    await deps.enqueue({ key: `wakeup:handover:${ep.id}`, target: { kind: 'contact', id: guide.contactId }, content: { kind: 'text', text }, purpose: 'staff-prompt' });
    deps.repo.handedOver(ep.id, now);
  };
}
