import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { addBusinessMs, businessMsBetween } from './business-time.rules.js';
import { decide, previewOf, type Speaker } from './question.rules.js';
import type { SlaDirectory } from './sla.directory.js';
import type { ClosedQuestion, QuestionRow, SlaRepo } from './sla.repo.js';
import type { SlaPlaybook } from './sla.playbook.js';

/** What one message did to the questions. */
export type TrackResult = { kind: 'opened'; id: number } | { kind: 'extended'; id: number } | { kind: 'closed'; questions: ClosedQuestion[] } | { kind: 'ignored'; why: string };

export interface TrackerDeps {
  repo: SlaRepo;
  directory: SlaDirectory;
  deadlines: {
    schedule(dueAt: number): void;
    dueAt(q: Pick<QuestionRow, 'openedAt' | 'storeCode'>, tier: number, pb?: SlaPlaybook): number | null;
  };
  timezone: string;
  playbook: () => SlaPlaybook;
  clock: Clock;
  logger: Logger;
  /** Whether a member's text is a bot command (the command registry): such text opens no question. */
  isCommand?: (text: string) => boolean;
}

/**
 * Applies the question model (question.rules.ts) to each inbound message, against the store: opens,
 * extends and closes questions, and schedules the first deadline of each new one. Synchronous (SQLite
 * only; deadlines are added to Redis in bulk right after), so it keeps up with the inbound path.
 */
export class SlaTracker {
  constructor(private readonly deps: TrackerDeps) {}

  /** Who wrote the message and in which conversation; null when it is not in a tracked conversation. */
  who(m: InboundMessage): { speaker: Speaker; conversationId: string; staffCode: string | null } | null {
    if (m.self) {
      this.deps.directory.botId ??= m.talkerId;
      const conversationId = m.roomId ?? m.listenerId ?? null;
      return conversationId ? { speaker: 'account', conversationId, staffCode: null } : null;
    }
    const staff = this.deps.directory.staffByContact(m.talkerId);
    return { speaker: staff ? 'staff' : 'member', conversationId: m.roomId ?? m.talkerId, staffCode: staff?.code ?? null };
  }

  track(m: InboundMessage, receivedAt: number): TrackResult {
    const w = this.who(m);
    if (!w) return { kind: 'ignored', why: 'no-conversation' };
    const pb = this.deps.playbook();
    const at = Math.min(m.providerAt, receivedAt);
    const { repo, directory } = this.deps;
    const open = w.speaker === 'member' ? [] : repo.openIn(w.conversationId);
    const d = decide({ speaker: w.speaker, message: m, isStaffOrBot: (id) => directory.isStaffOrBot(id), open, noReply: pb.noReplyNeeded, isCommand: this.deps.isCommand });
    switch (d.action) {
      case 'none':
        return { kind: 'ignored', why: d.why };
      case 'ask':
        return this.ask(m, w.conversationId, at, pb);
      case 'close': {
        const questions = repo.close(d.questionIds, {
          status: 'answered',
          at,
          by: w.staffCode ?? 'account',
          messageId: m.id,
          businessMs: (q) => businessMsBetween(q.openedAt, q.closedAt!, pb.hoursFor(q.storeCode), this.deps.timezone),
        });
        if (questions.length) {
          this.deps.logger.info({ questions: questions.map((q) => q.id), by: w.staffCode ?? 'account', rule: d.rule }, 'SLA questions answered');
        }
        return { kind: 'closed', questions };
      }
    }
  }

  private ask(m: InboundMessage, conversationId: string, at: number, pb: SlaPlaybook): TrackResult {
    const { repo } = this.deps;
    const existing = repo.openFor(conversationId, m.talkerId);
    if (existing !== undefined && repo.extend(existing, m.id, at)) return { kind: 'extended', id: existing };
    const group = m.roomId ? this.deps.directory.group(m.roomId) : null;
    const member = m.roomId ? undefined : repo.member(m.talkerId);
    const storeCode = (m.roomId ? group?.storeCode : member?.storeCode) ?? null;
    const guideCode = (m.roomId ? group?.guideCode : member?.guideCode) ?? null;
    const hours = pb.hoursFor(storeCode);
    const tz = this.deps.timezone;
    const due = this.deps.deadlines.dueAt({ openedAt: at, storeCode }, 0, pb);
    const id = repo.open({
      conversationId,
      roomId: m.roomId,
      conversationName: m.roomId ? group?.name || m.roomTopic || m.roomId : '',
      memberId: m.talkerId,
      memberName: m.talkerName || member?.name || m.talkerId,
      storeCode,
      guideCode,
      firstMessageId: m.id,
      lastMessageId: m.id,
      preview: previewOf(m),
      messageCount: 1,
      openedAt: at,
      lastMessageAt: at,
      targetDueAt: addBusinessMs(at, pb.target, hours, tz),
      backlogAt: addBusinessMs(at, pb.backlog.afterHours * 3_600_000, hours, tz),
      nextDueAt: due,
    });
    if (id === null) {
      // Another process opened it a moment ago: this message extends it.
      const other = repo.openFor(conversationId, m.talkerId);
      if (other !== undefined) repo.extend(other, m.id, at);
      return other !== undefined ? { kind: 'extended', id: other } : { kind: 'ignored', why: 'race' };
    }
    if (due !== null) this.deps.deadlines.schedule(due);
    return { kind: 'opened', id };
  }
}
