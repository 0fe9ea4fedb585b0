import type { PeopleDirectory } from '../core/directory.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { localDate, minuteOfDay } from '../core/time.js';
import type { InboundContext, InboundHandler } from '../inbound/index.js';
import type { CommandHandler, CommandRegistry } from '../inbound/index.js';
import { fill } from '../core/template.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { RepeatGuard } from '../inbound/index.js';
import { keys } from './cards.jobs.js';
import { CATEGORY_NAMES } from './card.rules.js';
import { applyCheckin, doneOf, groupPostBit, parseGuideCommand, progressText, type CheckinError, type GuideCommand } from './checkin.rules.js';
import type { DayRow, GuideSopRepo, StaffRow } from './guide-sop.repo.js';
import { minutesOf, type GuidePlaybook } from './playbook.js';
import { myProgressText, statsByGuide, streak, weekStart } from './progress.rules.js';
import { addDays, isWorkingDay, looksLikeQuestion } from './selection.rules.js';

/** How long a check-in answer may wait for the account before it is pointless. */
export const REPLY_TTL_MS = 30 * 60_000;
const STREAK_LOOKBACK_DAYS = 90;
/** Message types that count as a post in a group. */
const POST_TYPES = new Set<InboundMessage['type']>(['text', 'image', 'emoticon', 'voice', 'video', 'url', 'mini-program', 'file']);

/** What the handler needs. */
export interface GuideHandlerDeps {
  repo: GuideSopRepo;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  clock: Clock;
  timezone: string;
  playbook: () => GuidePlaybook;
  logger: Logger;
  /** The hint for text that is no check-in goes to one guide at most once per window. */
  guard: RepeatGuard;
  /** The directory of people (core/directory.ts): who is staff. */
  people: PeopleDirectory;
  /** The command registry: a member's command is not a question to remember. */
  commands: CommandRegistry;
}

/** The routine's parts of the router's dispatch (inbound/router.ts). */
export interface GuideInbound {
  /**
   * An observer of every message: a guide's post in one of their groups ticks the group quota by itself
   * (once per group per day); any staff post in a group answers the questions asked there; a member's
   * question is remembered for the card's open-question rule.
   */
  observe: InboundHandler;
  /** A guide's check-in (`会员1 群1`, `全部完成`, `撤销 …`) or `我的进度`, answered in one line (key `guide-reply:<id>`). */
  command: CommandHandler;
  /** The guide hint for private text nobody claims (one per guide per window). */
  hint: (ctx: InboundContext) => Promise<void>;
}

/** The routine's inbound side: see `GuideInbound`. */
export function guideInbound(deps: GuideHandlerDeps): GuideInbound {
  const directory = deps.people;
  const reply = async (m: InboundMessage, cmd: GuideCommand): Promise<void> => {
    const staff = directory.staffByContact(m.talkerId);
    if (!staff) return;
    const now = deps.clock.now().getTime();
    const text = answer(deps, staff, cmd, now);
    await deps.outbox.enqueue({
      key: keys.reply(m.id),
      target: { kind: 'contact', id: m.talkerId },
      content: { kind: 'text', text },
      purpose: 'reply',
      expiresAt: now + REPLY_TTL_MS,
    });
  };
  return {
    observe: ({ message: m, receivedAt }) => {
      if (m.self) return;
      const at = Math.min(m.providerAt, receivedAt);
      const staff = directory.staffByContact(m.talkerId);
      const memberQuestion = !staff && m.type === 'text' && looksLikeQuestion(m.text) && !deps.commands.claimant(m.text, 'member');
      if (m.roomId) {
        if (staff && POST_TYPES.has(m.type)) {
          deps.repo.staffPosted(m.roomId, at);
          if (staff.role === 'guide') countGroupPost(deps, staff, m.roomId, m.id, at);
        } else if (memberQuestion) deps.repo.recordQuestion(m.talkerId, m.roomId, m.text, at);
        return;
      }
      if (memberQuestion) deps.repo.recordQuestion(m.talkerId, null, m.text, at);
    },
    command: ({ message: m }) => reply(m, parseGuideCommand(m.text)),
    hint: async ({ message: m }) => {
      if (!deps.guard.allow(m.talkerId, 'guide-hint')) return;
      await reply(m, { kind: 'invalid' });
    },
  };
}

/** A guide posted in a group: ticks the group on their card (or a free group line) once per group per day. */
function countGroupPost(deps: GuideHandlerDeps, guide: StaffRow, roomId: string, messageId: string, at: number): void {
  const date = localDate(new Date(at), deps.timezone);
  const day = deps.repo.day(date, guide.code);
  if (!day || day.quotas.groups === 0) return;
  const cardRooms = day.plan.groups.map((g) => g.roomId);
  if (!cardRooms.includes(roomId)) {
    const g = deps.repo.group(roomId);
    const theirs = g && (g.guideCode === guide.code || (g.guideCode === null && g.storeCode !== null && g.storeCode === guide.storeCode));
    if (!theirs) return;
  }
  if (!deps.repo.recordGroupPost(date, guide.code, roomId, messageId, at)) return;
  const r = deps.repo.updateDay(date, guide.code, at, (d) => {
    const bit = groupPostBit(
      d.ticks,
      d.quotas,
      d.plan.groups.map((g) => g.roomId),
      roomId,
    );
    if (bit === null) return null;
    const ticks = { ...d.ticks, groups: d.ticks.groups | (1 << bit) };
    return { ticks, done: doneOf(ticks, d.quotas) };
  });
  if (r && r.after.done !== r.before.done) deps.logger.info({ guide: guide.code, roomId, date, done: r.after.done, total: r.after.total }, 'guide group post counted');
}

function answer(deps: GuideHandlerDeps, guide: StaffRow, cmd: GuideCommand, now: number): string {
  const pb = deps.playbook();
  const t = pb.texts;
  const date = localDate(new Date(now), deps.timezone);
  if (cmd.kind === 'invalid') return t.hint;
  if (cmd.kind === 'progress') return progressReply(deps, guide, date, pb);
  const refused: { error?: CheckinError } = {};
  const r = deps.repo.updateDay(date, guide.code, now, (d) => {
    const applied = applyCheckin(d.ticks, d.quotas, cmd.ops, cmd.undo);
    if ('error' in applied) {
      refused.error = applied.error;
      return null;
    }
    return { ticks: applied.ticks, done: doneOf(applied.ticks, d.quotas) };
  });
  if (!r) {
    const working = isWorkingDay(guide.workingDays, date, pb.closedDates);
    return working && minuteOfDay(new Date(now), deps.timezone) < minutesOf(pb.times.summary) ? fill(t.noCardYet, { time: pb.times.card }) : t.noCardToday;
  }
  if (refused.error) return errorText(refused.error, t);
  answerChattedMembers(deps, r.before, r.after, now);
  const { after } = r;
  if (after.done >= after.total) {
    const s = streak(deps.repo.records(guide.code, addDays(date, -STREAK_LOOKBACK_DAYS), date), date);
    return fill(t.checkinAllDone, { done: after.done, total: after.total, streak: s });
  }
  return fill(t.checkinReply, { progress: progressText(after.ticks, after.quotas), done: after.done, total: after.total });
}

function errorText(e: CheckinError, t: GuidePlaybook['texts']): string {
  if (e.kind === 'category-off') return fill(t.categoryOff, { category: CATEGORY_NAMES[e.category] });
  return fill(t.outOfRange, { category: e.category ? CATEGORY_NAMES[e.category] : '卡片', max: e.max });
}

/** Members the guide just checked off have been talked to: their open questions are answered. */
function answerChattedMembers(deps: GuideHandlerDeps, before: DayRow, after: DayRow, now: number): void {
  const ids = after.plan.chats.filter((_, i) => after.ticks.chats & (1 << i) && !(before.ticks.chats & (1 << i))).map((c) => c.memberId);
  deps.repo.answerMembers(ids, now);
}

function progressReply(deps: GuideHandlerDeps, guide: StaffRow, date: string, pb: GuidePlaybook): string {
  const day = deps.repo.day(date, guide.code);
  const today = day ? `${progressText(day.ticks, day.quotas)}（${day.done}/${day.total}）` : null;
  const from = weekStart(date, pb.ranking.weekday);
  const lookback = addDays(date, -STREAK_LOOKBACK_DAYS);
  const records = guide.storeCode ? deps.repo.storeRecords(guide.storeCode, lookback, date) : deps.repo.records(guide.code, lookback, date);
  const stats = statsByGuide(records, from, date);
  const inWeek = [...stats.values()].filter((s) => s.workdays > 0);
  return myProgressText({ today, me: stats.get(guide.code), storeStats: inWeek }, pb.texts);
}
