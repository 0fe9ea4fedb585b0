import { lastActivityAt } from '../core/activity.js';
import { birthdaysOn } from '../members/reports.surface.js';
import { fill } from '../core/template.js';
import type { ChatRule, ChatRuleKind, GuidePlaybook, MomentPost } from './playbook.js';

/**
 * What goes on a card: which members to chat with (and why), which groups to post in, which Moments
 * copy to suggest. Pure: every function takes `now` or a local date; the SQL in selection.repo.ts
 * narrows the store to the same candidates (`matchChatRule` is the reference it is tested against).
 */

export const DAY_MS = 86_400_000;

/** A member as the chat rules see it. */
export interface MemberFacts {
  id: number;
  guideCode: string;
  name: string;
  phone: string | null;
  birthdayKind: 'solar' | 'lunar' | null;
  birthMonth: number | null;
  birthDay: number | null;
  lastActiveAt: number | null;
  lastPurchaseAt: number | null;
  growth: number;
  optedOutAt: number | null;
  /** Joined (else recorded): where silence counts from for a member never active. */
  joinedAt?: number | null;
  /** An unanswered question: when it was asked and its text. */
  questionAt?: number | null;
  questionText?: string | null;
}

/** Everything a rule needs besides the member. */
export interface RuleContext {
  now: number;
  /** Local date of `now` (`YYYY-MM-DD`). */
  today: string;
  /** Local date of an instant, in the configured zone. */
  localDateOf: (at: number) => string;
  /** Members named to this guide within `notAgainWithinDays` (the high-value rule also uses its own window). */
  pickedSince?: (memberId: number, sinceDate: string) => boolean;
}

/** A member picked for a card, with the reason shown to the guide. */
export interface ChatPick {
  memberId: number;
  name: string;
  /** Last four digits of the phone, or null. */
  phoneTail: string | null;
  /** The chat rule that picked the member, or the capability that suggested them (`wake-up`). */
  rule: ChatRuleKind | (string & {});
  reason: string;
  /** Within a rule, lower goes first. */
  rank: number;
}

// Calendar arithmetic lives in core (one copy for every capability); re-exported for this folder's callers.
import { addDays, daysBetween, nextDate, weekdayOf } from '../core/calendar.js';
export { addDays, daysBetween, weekdayOf };

/** Birthday key as stored on members: `solar:11:25`. */
export const birthdayKey = (calendar: string, month: number, day: number) => `${calendar}:${month}:${day}`;

/**
 * The birthdays that fall from `today` to `today + withinDays`, each with the first day it falls on
 * (solar and lunar; 29 Feb on 28 Feb of common years; lunar day 30 in short months).
 * @example birthdayWindow('2026-11-25', 1).get('solar:11:26') // { offset: 1, date: '2026-11-26' }
 */
export function birthdayWindow(today: string, withinDays: number): Map<string, { offset: number; date: string }> {
  const out = new Map<string, { offset: number; date: string }>();
  let date = today;
  for (let offset = 0; offset <= withinDays; offset++, date = nextDate(date)) {
    for (const k of birthdaysOn(date)) {
      const key = birthdayKey(k.calendar, k.month, k.day);
      if (!out.has(key)) out.set(key, { offset, date });
    }
  }
  return out;
}

/** `今天`, `昨天`, `前天`, `3 天前`. */
export function whenText(daysAgo: number): string {
  if (daysAgo <= 0) return '今天';
  if (daysAgo === 1) return '昨天';
  if (daysAgo === 2) return '前天';
  return `${daysAgo} 天前`;
}

/** Last four digits of a phone number, for the guide to tell two customers of the same name apart. */
export function phoneTail(phone: string | null): string | null {
  const digits = phone?.replace(/\D/g, '') ?? '';
  return digits.length >= 4 ? digits.slice(-4) : null;
}

/**
 * Whether `m` matches `rule` today, and if so its rank within the rule and the label variables.
 * The reference for the SQL in selection.repo.ts. Opted-out members never match a marketing rule.
 */
export function matchChatRule(
  m: MemberFacts,
  rule: ChatRule & { marketing: boolean },
  ctx: RuleContext,
  birthdays?: Map<string, { offset: number; date: string }>,
): { rank: number; vars: Record<string, string | number> } | null {
  if (rule.marketing && m.optedOutAt !== null) return null;
  const { now } = ctx;
  switch (rule.rule) {
    case 'birthday': {
      if (!m.birthdayKind || m.birthMonth === null || m.birthDay === null) return null;
      const hit = (birthdays ?? birthdayWindow(ctx.today, rule.withinDays)).get(birthdayKey(m.birthdayKind, m.birthMonth, m.birthDay));
      if (!hit) return null;
      return { rank: hit.offset, vars: { date: hit.date.slice(5), days: hit.offset } };
    }
    case 'open-question': {
      if (!m.questionAt || now - m.questionAt > rule.withinHours * 3_600_000) return null;
      const text = (m.questionText ?? '').replace(/\s+/g, ' ').trim();
      return { rank: m.questionAt, vars: { hours: Math.floor((now - m.questionAt) / 3_600_000), text: text.length > 12 ? `${text.slice(0, 12)}…` : text } };
    }
    case 'silent': {
      const since = lastActivityAt(m);
      if (since === null) return null;
      const days = Math.floor((now - since) / DAY_MS);
      if (days < rule.minDays || days > rule.maxDays) return null;
      return { rank: since, vars: { days, weeks: Math.floor(days / 7) } };
    }
    case 'high-value': {
      if (m.growth < rule.minGrowth) return null;
      const since = lastActivityAt(m);
      if (since !== null && now - since < rule.notContactedDays * DAY_MS) return null;
      if (silentTooLong(m, rule.maxSilentDays, now)) return null;
      if (ctx.pickedSince?.(m.id, addDays(ctx.today, -rule.notContactedDays))) return null;
      const days = since === null ? `${rule.notContactedDays}+` : Math.floor((now - since) / DAY_MS);
      return { rank: -m.growth, vars: { days, growth: m.growth } };
    }
    case 'recent-purchase': {
      if (m.lastPurchaseAt === null || m.lastPurchaseAt > now) return null;
      const days = daysBetween(ctx.localDateOf(m.lastPurchaseAt), ctx.today);
      if (days >= rule.withinDays) return null;
      return { rank: -m.lastPurchaseAt, vars: { when: whenText(days), days } };
    }
    case 'keep-in-touch': {
      const since = lastActivityAt(m);
      if (since !== null && now - since < rule.minDays * DAY_MS) return null;
      if (silentTooLong(m, rule.maxDays, now)) return null;
      return { rank: since ?? 0, vars: { days: since === null ? `${rule.minDays}+` : Math.floor((now - since) / DAY_MS) } };
    }
  }
}

/**
 * Whether a member has been silent longer than `maxDays` (core/activity.ts: messages, purchases,
 * redemptions, else joining): such members belong to the wake-up sequence, whose holdout must hear
 * from nobody.
 */
function silentTooLong(m: Pick<MemberFacts, 'lastActiveAt' | 'lastPurchaseAt' | 'joinedAt'>, maxDays: number | undefined, now: number): boolean {
  const since = lastActivityAt(m);
  return maxDays !== undefined && since !== null && now - since >= (maxDays + 1) * DAY_MS;
}

/** A matched member turned into a card line. */
export function toPick(m: Pick<MemberFacts, 'id' | 'name' | 'phone'>, rule: ChatRule, match: { rank: number; vars: Record<string, string | number> }): ChatPick {
  return { memberId: m.id, name: m.name || '会员', phoneTail: phoneTail(m.phone), rule: rule.rule, reason: fill(rule.label, match.vars), rank: match.rank };
}

/**
 * Picks up to `quota` members for one guide from per-rule candidate lists given in rule priority
 * order: all of the first rule's (best rank first), then the next rule's, skipping members already
 * picked and those in `exclude` (named to this guide recently).
 */
export function mergePicks(byRule: readonly (readonly ChatPick[])[], quota: number, exclude: ReadonlySet<number> = new Set()): ChatPick[] {
  const out: ChatPick[] = [];
  const taken = new Set<number>();
  for (const list of byRule) {
    const sorted = [...list].sort((a, b) => a.rank - b.rank || a.memberId - b.memberId);
    for (const p of sorted) {
      if (out.length >= quota) return out;
      if (taken.has(p.memberId) || exclude.has(p.memberId)) continue;
      taken.add(p.memberId);
      out.push(p);
    }
  }
  return out;
}

/** The chat rules that rank after outside suggestions (the general ones; the rest are about something happening now). */
export const RULES_AFTER_SUGGESTIONS: readonly ChatRuleKind[] = ['silent', 'high-value', 'keep-in-touch'];

/** Where outside suggestions go among the playbook's rules: before the first general rule (else last). */
export function suggestionsAt(rules: readonly Pick<ChatRule, 'rule'>[]): number {
  const i = rules.findIndex((r) => RULES_AFTER_SUGGESTIONS.includes(r.rule));
  return i < 0 ? rules.length : i;
}

/**
 * The per-rule candidate lists with a guide's outside suggestions (in their order, reason as given)
 * inserted as one more list at `at`, ready for `mergePicks`.
 * @example withSuggestions(lists, suggestionsAt(pb.chats.rules), [{ memberId: 7, name: '李', phone: null, reason: '沉睡 45 天', source: 'wake-up' }])
 */
export function withSuggestions(
  byRule: readonly (readonly ChatPick[])[],
  at: number,
  suggestions: readonly { memberId: number; name: string; phone: string | null; reason: string; source: string }[],
): (readonly ChatPick[])[] {
  if (suggestions.length === 0) return [...byRule];
  const list: ChatPick[] = suggestions.map((s, i) => ({ memberId: s.memberId, name: s.name || '会员', phoneTail: phoneTail(s.phone), rule: s.source, reason: s.reason, rank: i }));
  const out: (readonly ChatPick[])[] = [...byRule];
  while (out.length < at) out.push([]);
  out.splice(at, 0, list);
  return out;
}

/** A group as group selection sees it. */
export interface GroupFacts {
  roomId: string;
  name: string;
  /** Messages in the last 24 h. */
  recent: number;
  lastStaffPostAt: number | null;
}

/** A group picked for a card. */
export interface GroupPick {
  roomId: string;
  name: string;
  reason: string;
}

/**
 * Orders a guide's groups by the playbook's preference (quietest in the last 24 h, or longest since a
 * staff post; the other as tie-break, then the id) and takes `quota`.
 */
export function pickGroups(groups: readonly GroupFacts[], quota: number, pb: Pick<GuidePlaybook, 'groups'>, now: number): GroupPick[] {
  const since = (g: GroupFacts) => (g.lastStaffPostAt === null ? -Infinity : g.lastStaffPostAt);
  const byQuiet = (a: GroupFacts, b: GroupFacts) => a.recent - b.recent;
  const bySince = (a: GroupFacts, b: GroupFacts) => since(a) - since(b);
  const [first, second] = pb.groups.prefer === 'quietest' ? [byQuiet, bySince] : [bySince, byQuiet];
  const sorted = [...groups].sort((a, b) => first(a, b) || second(a, b) || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
  const labels = pb.groups.labels;
  return sorted.slice(0, quota).map((g) => {
    let reason: string;
    if (pb.groups.prefer === 'quietest') reason = fill(labels.quiet, { count: g.recent });
    else if (g.lastStaffPostAt === null) reason = labels.neverStaffPost;
    else {
      const hours = Math.max(0, Math.floor((now - g.lastStaffPostAt) / 3_600_000));
      reason = fill(labels.sinceStaffPost, { days: Math.floor(hours / 24), hours });
    }
    return { roomId: g.roomId, name: g.name, reason };
  });
}

/**
 * The Moments copy for a date: the calendar's posts for that day, then the rotation from a place that
 * moves every day, so consecutive days do not repeat.
 */
export function momentsFor(date: string, quota: number, calendar: GuidePlaybook['calendar']): MomentPost[] {
  const out = (calendar.days[date] ?? []).slice(0, quota);
  const rotation = calendar.rotation;
  let i = (((daysBetween('2000-01-01', date) * quota) % rotation.length) + rotation.length) % rotation.length;
  for (let n = 0; out.length < quota && n < quota * 2; n++, i = (i + 1) % rotation.length) out.push(rotation[i]!);
  return out;
}

/** Whether a guide gets a card on a local date: one of their working weekdays, and not a closed date. */
export function isWorkingDay(workingDays: string, date: string, closedDates: readonly string[]): boolean {
  return workingDays.includes(String(weekdayOf(date))) && !closedDates.includes(date);
}

/** Question-like member text (the open-question rule): core/question.ts. */
export { looksLikeQuestion } from '../core/question.js';
