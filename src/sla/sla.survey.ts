import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { sampled } from './alerts.rules.js';
import type { QuestionRow, SlaRepo } from './sla.repo.js';
import { fillText, type SlaPlaybook } from './sla.playbook.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What the satisfaction question needs. */
export interface SurveyDeps {
  repo: SlaRepo;
  clock: Clock;
  logger: Logger;
}

/**
 * After a private-chat question was answered: records a survey and returns the rating question to
 * send, when the playbook turns it on, the question is sampled (deterministic per id) and the member
 * was not asked within `onceInDays`. It goes out `delay` after the answer (purpose `service`), keyed
 * `sla-survey:<id>`. Synchronous (store only): the caller sends.
 */
export function planSatisfaction(deps: SurveyDeps, pb: SlaPlaybook, q: Pick<QuestionRow, 'id' | 'status' | 'memberId'>): EnqueueRequest | null {
  const s = pb.satisfaction;
  if (!s.enabled || q.status !== 'answered' || !sampled(q.id, s.sampleRate)) return null;
  const now = deps.clock.now().getTime();
  if (deps.repo.surveyedSince(q.memberId, now - s.onceInDays * DAY)) return null;
  const sendAt = now + s.delay;
  if (!deps.repo.insertSurvey({ questionId: q.id, memberId: q.memberId, askedAt: now, sendAt })) return null;
  return {
    key: `sla-survey:${q.id}`,
    target: { kind: 'contact', id: q.memberId },
    purpose: 'service',
    content: { kind: 'text', text: pb.texts.satisfactionAsk },
    notBefore: sendAt,
    expiresAt: sendAt + s.answerWithinHours * HOUR,
  };
}

/**
 * Records a member's rating when a survey of theirs went out within `answerWithinHours` and is not yet
 * answered, and returns the thanks to send. Null when there is no such survey (the message is then an
 * ordinary one).
 */
export function planRating(deps: SurveyDeps, pb: SlaPlaybook, m: InboundMessage, rating: number): EnqueueRequest | null {
  const now = deps.clock.now().getTime();
  const survey = deps.repo.openSurvey(m.talkerId, now - pb.satisfaction.answerWithinHours * HOUR, now);
  if (!survey || !deps.repo.answerSurvey(survey.questionId, rating, now)) return null;
  deps.logger.info({ questionId: survey.questionId, rating }, 'SLA satisfaction rating recorded');
  return {
    key: `sla-survey-thanks:${survey.questionId}`,
    target: { kind: 'contact', id: m.talkerId },
    purpose: 'service',
    content: { kind: 'text', text: fillText(pb.texts.satisfactionThanks, { rating }) },
    expiresAt: now + 30 * 60_000,
  };
}
