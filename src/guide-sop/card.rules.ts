import { fill } from '../core/template.js';
import type { GuidePlaybook, MomentPost } from './playbook.js';
import type { ChatPick, GroupPick } from './selection.rules.js';
import { weekdayOf } from '../core/calendar.js';

/** The three categories of the routine, in card order. */
export const CATEGORIES = ['moments', 'chats', 'groups'] as const;
export type Category = (typeof CATEGORIES)[number];

/** How each category is named to guides. */
export const CATEGORY_NAMES: Record<Category, string> = { moments: '朋友圈', chats: '私聊', groups: '社群' };

export type Quotas = Record<Category, number>;

/**
 * One guide's card for one day, frozen when planned (stored as JSON in `guide_days.plan`). Chats may
 * list fewer members than the quota (the rest are the guide's own choice); the group quota is at
 * most the number of groups the guide has.
 */
export interface CardPlan {
  quotas: Quotas;
  moments: MomentPost[];
  chats: Omit<ChatPick, 'rank'>[];
  groups: GroupPick[];
  /** The playbook asks for group posts but the guide has no group: said on the card, not counted. */
  noGroups?: boolean;
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** `2026-11-25` → `11月25日`. */
export function dateText(date: string): string {
  const [, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${m}月${d}日`;
}

/** `2026-11-25` → `周三`. */
export function weekdayText(date: string): string {
  return WEEKDAYS[weekdayOf(date)]!;
}

/** The first global card number of each category: moments start at 1, chats follow, then groups. */
export function offsets(q: Quotas): Record<Category, number> {
  return { moments: 1, chats: 1 + q.moments, groups: 1 + q.moments + q.chats };
}

/** Sum of the three quotas: the day's x/y denominator. */
export const totalOf = (q: Quotas) => q.moments + q.chats + q.groups;

/** A check-in example fitted to this card (only categories that are on, numbers that exist). */
export function howtoExample(q: Quotas): string {
  const parts: string[] = [];
  if (q.moments > 0) parts.push(`朋友圈 ${Math.min(2, q.moments)}`);
  if (q.chats > 0) parts.push(q.chats >= 3 ? '私聊 1 3' : '私聊 1');
  if (q.groups > 0) parts.push('群 完成');
  const o = offsets(q);
  const globals = [q.chats > 0 ? o.chats : null, q.groups > 0 ? o.groups : null].filter((n): n is number => n !== null);
  if (globals.length > 0) parts.push(`或编号 ${globals.join(' ')}`);
  return parts.join(' / ');
}

/**
 * The card as one chat message: the three numbered lists (numbers run across the card, so a bare
 * `4 7` is unambiguous) and how to reply.
 */
export function renderCard(plan: CardPlan, guideName: string, date: string, texts: GuidePlaybook['texts']): string {
  const q = plan.quotas;
  const o = offsets(q);
  const section = (c: Category, lines: string[]) =>
    q[c] === 0 ? fill(texts.sectionOff, { category: CATEGORY_NAMES[c] }) : [fill(texts.sectionHeader, { category: CATEGORY_NAMES[c], count: q[c] }), ...lines].join('\n');
  const moments = plan.moments.slice(0, q.moments).flatMap((p, i) => {
    const line = fill(texts.momentsLine, { n: o.moments + i, text: p.text });
    return p.images.length ? [line, fill(texts.momentsImages, { images: p.images.join(' '), count: p.images.length })] : [line];
  });
  const chats: string[] = [];
  for (let i = 0; i < q.chats; i++) {
    const c = plan.chats[i];
    chats.push(
      c
        ? fill(texts.chatLine, { n: o.chats + i, name: c.name, phone: c.phoneTail ? `（尾号${c.phoneTail}）` : '', reason: c.reason })
        : fill(texts.chatFreeLine, { n: o.chats + i }),
    );
  }
  const groups = plan.groups.slice(0, q.groups).map((g, i) => fill(texts.groupLine, { n: o.groups + i, group: g.name, reason: g.reason }));
  return fill(texts.card, {
    name: guideName,
    date: dateText(date),
    weekday: weekdayText(date),
    moments: section('moments', moments),
    chats: section('chats', chats),
    groups: plan.noGroups ? [fill(texts.sectionHeader, { category: CATEGORY_NAMES.groups, count: 0 }), texts.noGroups].join('\n') : section('groups', groups),
    total: totalOf(q),
    howto: fill(texts.howto, { example: howtoExample(q) }),
  }).replace(/\n{3,}/g, '\n\n');
}
