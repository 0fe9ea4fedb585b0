import { quote } from '../core/sanitize.js';
import type { QuestionRow, StaffEntry, StoreScope } from './sla.repo.js';
import { fillText, type Recipient, type SlaPlaybook, type Tier } from './sla.playbook.js';

/**
 * Who hears about which question, and what the messages say. Pure.
 *
 * Recipients of a tier: `owner-guide` is the question's owner guide (the group's guide, or the
 * member's guide for a private chat); `store-manager` the store managers of the question's store;
 * `admins` the community admins of that store and those with no store; `hq` every HQ staff member.
 * Staff without a WeChat contact id cannot be alerted and are left out.
 */
export function recipientsFor(to: Recipient, q: Pick<QuestionRow, 'storeCode' | 'guideCode'>, directory: readonly StaffEntry[]): StaffEntry[] {
  const reachable = directory.filter((s) => s.contactId);
  switch (to) {
    case 'owner-guide':
      return q.guideCode ? reachable.filter((s) => s.code === q.guideCode) : [];
    case 'store-manager':
      return q.storeCode ? reachable.filter((s) => s.role === 'store-manager' && s.storeCode === q.storeCode) : [];
    case 'admins':
      return reachable.filter((s) => s.role === 'community-admin' && (s.storeCode === null || s.storeCode === q.storeCode));
    case 'hq':
      return reachable.filter((s) => s.role === 'hq');
  }
}

/** Who a tier's alert went to in the end: the tier's own recipients, a fallback, or nobody. */
export interface Routing {
  recipients: StaffEntry[];
  /** `tier`: the tier's own recipients; otherwise the fallback that found someone; `none`: nobody at all. */
  via: 'tier' | 'owner-guide' | 'store-manager' | 'brand' | 'none';
}

/**
 * The recipients of a tier, falling back when it has nobody to tell (no such staff with a WeChat contact):
 * the question's owner guide (group owner, or the member's guide), then its store's managers, then the
 * brand's community admins (any store) and HQ staff. `via: 'none'` when even that finds nobody. Pure.
 * @example routeTier('owner-guide', { storeCode: null, guideCode: null }, staff) // { via: 'brand', recipients: [admins and HQ] }
 */
export function routeTier(to: Recipient, q: Pick<QuestionRow, 'storeCode' | 'guideCode'>, directory: readonly StaffEntry[]): Routing {
  const own = recipientsFor(to, q, directory);
  if (own.length) return { recipients: own, via: 'tier' };
  for (const step of ['owner-guide', 'store-manager'] as const) {
    if (step === to) continue;
    const found = recipientsFor(step, q, directory);
    if (found.length) return { recipients: found, via: step };
  }
  const brand = directory.filter((s) => s.contactId && (s.role === 'community-admin' || s.role === 'hq'));
  return brand.length ? { recipients: brand, via: 'brand' } : { recipients: [], via: 'none' };
}

/**
 * The questions a staff member looks after in lists and name searches: HQ and admins or managers
 * without a store see every store; managers and admins their store; guides their own groups and members.
 */
export function scopeOf(s: StaffEntry): StoreScope {
  if (s.role === 'hq' || (s.role !== 'guide' && s.storeCode === null)) return { all: true };
  if (s.role === 'guide') return { all: false, stores: [], guideCode: s.code };
  return { all: false, stores: [s.storeCode!] };
}

/** The staff a daily backlog message goes to, for the recipients named in the playbook. */
export function backlogRecipients(to: readonly Recipient[], directory: readonly StaffEntry[]): StaffEntry[] {
  const roles = new Set(to.map((r) => (({ 'owner-guide': 'guide', 'store-manager': 'store-manager', admins: 'community-admin', hq: 'hq' }) as const)[r]));
  return directory.filter((s) => s.contactId && roles.has(s.role));
}

/**
 * A duration for people, in hours at most (business time has no "days"): `45秒`, `6分钟`,
 * `1小时5分钟`, `50小时`. Minutes are left out from 10 hours on.
 * @example humanDuration(3_900_000) // '1小时5分钟'
 */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}秒`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min}分钟`;
  const h = Math.floor(min / 60);
  return min % 60 && h < 10 ? `${h}小时${min % 60}分钟` : `${h}小时`;
}

/** The name of a tier in messages: its `name`, or `超过5分钟未回复`. */
export function tierLabel(tier: Tier | undefined): string {
  if (!tier) return '超时提醒';
  return tier.name ?? `超过${humanDuration(tier.after)}未回复`;
}

/** A question as lines show it. `waitedMs` is in business time. */
export interface LineItem {
  question: Pick<QuestionRow, 'id' | 'memberName' | 'memberId' | 'conversationName' | 'roomId' | 'preview'>;
  waitedMs: number;
}

function vars(i: LineItem): Record<string, string | number> {
  const q = i.question;
  return {
    id: q.id,
    member: q.memberName || q.memberId,
    group: q.roomId ? q.conversationName || q.roomId : '私聊',
    waited: humanDuration(i.waitedMs),
    age: humanDuration(i.waitedMs),
    preview: q.preview,
  };
}

/** One bundled alert: the questions that fell due for this person, and how many others still wait. */
export function alertText(pb: SlaPlaybook, items: readonly LineItem[], topTier: number, othersWaiting: number): string {
  const shown = items.slice(0, pb.alerts.maxLines);
  const hidden = items.length - shown.length + othersWaiting;
  return fillText(pb.texts.alert, {
    level: tierLabel(pb.tiers[topTier]),
    count: items.length,
    lines: shown.map((i) => fillText(pb.texts.alertLine, vars(i))).join('\n'),
    more: hidden > 0 ? fillText(pb.texts.alertMore, { count: hidden }) : '',
  });
}

/** The daily backlog message for one person. */
export function backlogText(pb: SlaPlaybook, items: readonly LineItem[]): string {
  const shown = items.slice(0, pb.backlog.maxLines);
  const hidden = items.length - shown.length;
  return fillText(pb.texts.backlog, {
    count: items.length,
    hours: pb.backlog.afterHours,
    lines: shown.map((i) => fillText(pb.texts.backlogLine, vars(i))).join('\n'),
    more: hidden > 0 ? fillText(pb.texts.alertMore, { count: hidden }) : '',
  });
}

/** The answer to `待处理`. */
export function listText(pb: SlaPlaybook, items: readonly LineItem[]): string {
  if (!items.length) return pb.texts.listEmpty;
  const shown = items.slice(0, pb.alerts.maxLines);
  const hidden = items.length - shown.length;
  return fillText(pb.texts.list, {
    count: items.length,
    lines: shown.map((i) => fillText(pb.texts.listLine, vars(i))).join('\n'),
    more: hidden > 0 ? `\n……另有${hidden}个` : '',
  });
}

/** The answer to a successful `已处理`. */
export function closedText(pb: SlaPlaybook, questions: readonly LineItem['question'][]): string {
  return fillText(pb.texts.closed, { lines: questions.map((q) => fillText(pb.texts.closedLine, vars({ question: q, waitedMs: 0 }))).join('\n') });
}

/** The lines of `closeAmbiguous`: one per candidate question. */
export function candidatesText(pb: SlaPlaybook, given: string, questions: readonly LineItem['question'][]): string {
  return fillText(pb.texts.closeAmbiguous, { given: quote(given), lines: questions.map((q) => fillText(pb.texts.closedLine, vars({ question: q, waitedMs: 0 }))).join('\n') });
}

/**
 * Whether an answered question is sampled for the satisfaction question: deterministic per question
 * id (FNV-1a), so a re-run decides the same.
 */
export function sampled(questionId: number, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  let h = 0x811c9dc5;
  for (const c of String(questionId)) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 10_000) / 10_000 < rate;
}
