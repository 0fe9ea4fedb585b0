import { quote } from '../core/sanitize.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage, Target } from '../core/messages.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { candidatesText, closedText, listText, scopeOf, type LineItem } from './alerts.rules.js';
import { businessMsBetween } from './business-time.rules.js';
import { parseRating, parseStaffCommand, slaCommandDeclarations, type StaffCommand } from './commands.rules.js';
import type { SlaInbox, SyncHandler } from './sla.inbox.js';
import type { CommandEntry } from '../inbound/index.js';
import type { SlaDirectory } from './sla.directory.js';
import type { QuestionRow, SlaRepo, StaffEntry } from './sla.repo.js';
import { fillText, type SlaPlaybook } from './sla.playbook.js';
import { planRating, planSatisfaction } from './sla.survey.js';
import type { SlaTracker } from './sla.tracker.js';

/** How long a reply to a staff command may wait for the account before it is pointless. */
const REPLY_TTL_MS = 30 * 60_000;

/** What the SLA's message handling needs. */
export interface SlaHandlerDeps {
  repo: SlaRepo;
  directory: SlaDirectory;
  tracker: SlaTracker;
  clock: Clock;
  timezone: string;
  playbook: () => SlaPlaybook;
  logger: Logger;
}

/**
 * The SLA's handling of one inbound message (store work only; it returns what to send): staff
 * commands (`已处理 …`, `待处理`) the router gave to the SLA (`command`); satisfaction ratings in a
 * member's private chat; then the question model for everything else,
 * messages typed on the bot account's phone included. Replies are keyed `sla-reply:<messageId>`.
 * Run it through SlaInbox, which batches the store work and sends afterwards.
 */
export function slaMessageHandler(deps: SlaHandlerDeps): SyncHandler {
  return (m, receivedAt, command) => {
    const pb = deps.playbook();
    if (command !== undefined) {
      // The router gave it to one of the SLA's commands: the sender is staff, in private or @-mentioning the bot.
      const staff = deps.directory.staffByContact(m.talkerId);
      const cmd = parseStaffCommand(m.text, pb.commands);
      return staff && cmd ? [runCommand(deps, pb, staff, cmd, m)] : [];
    }
    if (!m.self && m.type === 'text' && !m.roomId && !deps.directory.staffByContact(m.talkerId)) {
      const rating = parseRating(m.text);
      const thanks = rating === null ? null : planRating(deps, pb, m, rating);
      if (thanks) return [thanks];
    }
    const r = deps.tracker.track(m, receivedAt);
    if (r.kind !== 'closed') return [];
    const sends: EnqueueRequest[] = [];
    for (const q of r.questions) {
      const ask = q.roomId ? null : planSatisfaction(deps, pb, q);
      if (ask) sends.push(ask);
    }
    return sends;
  };
}

function replyTarget(m: InboundMessage): Target {
  return m.roomId ? { kind: 'room', id: m.roomId } : { kind: 'contact', id: m.talkerId };
}

function reply(deps: SlaHandlerDeps, m: InboundMessage, text: string): EnqueueRequest {
  return {
    key: `sla-reply:${m.id}`,
    target: replyTarget(m),
    purpose: 'reply',
    content: m.roomId ? { kind: 'text', text, mentionIds: [m.talkerId] } : { kind: 'text', text },
    expiresAt: deps.clock.now().getTime() + REPLY_TTL_MS,
  };
}

/** The SLA's rows of the router's dispatch table, each handed to the inbox as that command. */
export function slaCommands(inbox: Pick<SlaInbox, 'commandHandler'>, playbook: () => SlaPlaybook): CommandEntry[] {
  return slaCommandDeclarations(() => playbook().commands).map((d) => ({ ...d, handle: inbox.commandHandler(d.command) }));
}

/** Waiting time in business time, for lines. */
export function lineItems(deps: Pick<SlaHandlerDeps, 'timezone'>, pb: SlaPlaybook, rows: readonly QuestionRow[], now: number): LineItem[] {
  return rows.map((q) => ({ question: q, waitedMs: businessMsBetween(q.openedAt, now, pb.hoursFor(q.storeCode), deps.timezone) }));
}

function runCommand(deps: SlaHandlerDeps, pb: SlaPlaybook, staff: StaffEntry, cmd: StaffCommand, m: InboundMessage): EnqueueRequest {
  const now = deps.clock.now().getTime();
  const scope = scopeOf(staff);
  if (cmd.kind === 'list') {
    return reply(deps, m, listText(pb, lineItems(deps, pb, deps.repo.openQuestions(scope, { limit: 500 }), now)));
  }
  if (!cmd.ids.length && !cmd.names.length) return reply(deps, m, pb.texts.closeUsage);
  const chosen = new Map<number, QuestionRow>();
  const missing: string[] = [];
  for (const q of deps.repo.getMany(cmd.ids)) if (q.status === 'open') chosen.set(q.id, q);
  for (const id of cmd.ids) if (!chosen.has(id)) missing.push(`#${id}`);
  if (cmd.names.length) {
    const open = deps.repo.openQuestions(scope);
    for (const name of cmd.names) {
      const exact = open.filter((q) => q.memberName === name);
      const found = exact.length ? exact : open.filter((q) => q.memberName.includes(name));
      const people = new Set(found.map((q) => q.memberId));
      if (people.size > 1) return reply(deps, m, candidatesText(pb, name, found));
      if (!found.length) missing.push(name);
      for (const q of found) chosen.set(q.id, q);
    }
  }
  if (!chosen.size) return reply(deps, m, fillText(pb.texts.closeNotFound, { given: quote(missing.join(' ')) }));
  const closed = deps.repo.close([...chosen.keys()], {
    status: 'handled',
    at: now,
    by: staff.code,
    messageId: m.id,
    businessMs: (q) => businessMsBetween(q.openedAt, q.closedAt!, pb.hoursFor(q.storeCode), deps.timezone),
  });
  deps.logger.info({ staff: staff.code, questions: closed.map((q) => q.id) }, 'SLA questions closed as handled elsewhere');
  const text = closedText(pb, closed.length ? closed : [...chosen.values()]);
  return reply(deps, m, missing.length ? `${text}\n${fillText(pb.texts.closeNotFound, { given: quote(missing.join(' ')) })}` : text);
}
