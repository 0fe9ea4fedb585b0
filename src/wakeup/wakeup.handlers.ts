import type { InboundHandler } from '../inbound/index.js';
import { looksLikeQuestion } from '../core/question.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { fill, stopEpisode, type WakeupDeps } from './wakeup.jobs.js';
import { silentDays } from './wakeup.rules.js';

const QUOTE_MAX = 120;
/** How long the acknowledgement may wait for the account before it is pointless. */
const ACK_TTL_MS = 30 * 60_000;

/**
 * Ends a member's wake-up the moment they write (privately or in a group) or opt out. A conversation the
 * bot started, installed ahead of the command dispatch (`before`, `first`): settled here before the
 * commands' owners and the SLA see the message.
 *
 * - A command (the router's `ctx.command`: `积分`, `退订` …) is left to its owner; `退订` ends the wake-up as an
 *   opt-out, any other command as the member's return (the guide still gets the hand-over).
 * - Any other reply of a treatment member who got at least one stage: the member gets the playbook's
 *   acknowledgement (`texts.ack`, privately, key `wakeup:ack:<episodeId>`), the owning guide one
 *   hand-over (purpose `staff-prompt`, key `wakeup:handover:<episodeId>`): who came back, after which
 *   stage, in which group if not privately, and what they said. The message is marked answered (no
 *   help hint, no SLA question) unless it looks like a question, which the SLA then tracks as usual.
 */
export function wakeupInboundHandler(deps: WakeupDeps & { tierName(code: string): string; enqueue(req: EnqueueRequest): Promise<unknown> }): InboundHandler {
  return async (ctx) => {
    const { message, receivedAt } = ctx;
    if (message.self) return;
    const ep = deps.repo.activeByContact(message.talkerId);
    if (!ep) return;
    const now = deps.now();
    // The command the router resolved for this message (the dispatch table), answered by its owner after this.
    const claim = ctx.command;
    const optOut = ep.optedOutAt !== null || (claim?.capability === 'members' && claim.command === 'opt-out');
    const reason = optOut ? 'opt-out' : 'message';
    const at = Math.min(message.providerAt, receivedAt);
    if (!stopEpisode(deps, ep.id, reason, at, now, reason === 'message' ? message.text.slice(0, 500) : null)) return;
    deps.logger.info({ episode: ep.id, member: ep.memberId, reason, arm: ep.arm, stage: ep.stage }, 'wake-up ended by the member');
    if (reason !== 'message' || ep.arm !== 'treatment' || ep.stage < 1) return;
    const name = deps.displayName(ep.name || message.talkerName);
    const pb = deps.playbook();
    if (!claim) {
      const question = message.type === 'text' && looksLikeQuestion(message.text);
      if (question) ctx.acknowledged = true;
      else ctx.answered = true;
      if (pb.texts.ack && message.roomId === null) {
        await deps.enqueue({
          key: `wakeup:ack:${ep.id}`,
          target: { kind: 'contact', id: message.talkerId },
          content: { kind: 'text', text: fill(pb.texts.ack, { name }) },
          purpose: 'reply',
          expiresAt: now + ACK_TTL_MS,
        });
      }
    }
    if (!ep.guideCode) return;
    const guide = deps.repo.guideContact(ep.guideCode);
    if (!guide) {
      deps.logger.warn({ episode: ep.id, guide: ep.guideCode }, 'wake-up reply: the owning guide has no contact; no hand-over sent');
      return;
    }
    const said = message.text.length > QUOTE_MAX ? `${message.text.slice(0, QUOTE_MAX)}…` : message.text;
    const text = fill(pb.texts.handover, {
      member: name,
      tier: deps.tierName(ep.tier),
      days: silentDays(ep.anchorAt, at),
      stage: ep.stage,
      text: said,
      where: message.roomId === null ? '' : `在群「${message.roomTopic || message.roomId}」`,
    });
    await deps.enqueue({ key: `wakeup:handover:${ep.id}`, target: { kind: 'contact', id: guide.contactId }, content: { kind: 'text', text }, purpose: 'staff-prompt' });
    deps.repo.handedOver(ep.id, now);
  };
}
