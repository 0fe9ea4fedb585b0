import type { CommandDeclaration } from '../inbound/index.js';
import { lastParsed } from '../core/memo.js';
import { CATEGORIES, CATEGORY_NAMES, offsets, totalOf, type Category, type Quotas } from './card.rules.js';
import { normalizeTyped } from '../core/text.js';

/**
 * The check-in grammar: what a guide may reply to their card, and what it does to the day's ticks.
 * Pure. Forgiving: full-width characters, Chinese numerals, any separators, several categories in
 * one message (`朋友圈 2 私聊 1 3`), numbers run together (`私聊13` = 1 and 3 when the list is short).
 *
 * | reply | means |
 * |---|---|
 * | `朋友圈 2` | 2 Moments posted today (a count) |
 * | `朋友圈` / `朋友圈 +1` | one more Moments post (`私聊 +2`: two more chats) |
 * | `私聊 1 3` | chats 1 and 3 of the card done (also the card's own numbers, `私聊 4 6`) |
 * | `私聊` / `群` | the next one done |
 * | `群 完成` / `私聊 全部` | that whole list done |
 * | `4 7` | the card's numbers 4 and 7 done (numbers run across the card) |
 * | `全部完成` | everything done |
 * | `撤销 私聊 2` | undo (any of the above after 撤销 / 取消) |
 * | `我的进度` / `进度` | today and this week |
 */

export type CheckinOp =
  | { kind: 'all' }
  | { kind: 'category-all'; category: Category }
  | { kind: 'count'; category: 'moments'; count: number; more?: boolean }
  | { kind: 'items'; category: Category; numbers: number[] }
  | { kind: 'next'; category: Category; times?: number }
  | { kind: 'global'; numbers: number[] };

export type GuideCommand = { kind: 'progress' } | { kind: 'checkin'; undo: boolean; ops: CheckinOp[] } | { kind: 'invalid' };

const CATEGORY_WORDS: [string, Category][] = (
  [
    ['朋友圈', 'moments'],
    ['pyq', 'moments'],
    ['moments', 'moments'],
    ['moment', 'moments'],
    ['圈', 'moments'],
    ['私聊', 'chats'],
    ['私信', 'chats'],
    ['聊天', 'chats'],
    ['客户', 'chats'],
    ['顾客', 'chats'],
    ['chats', 'chats'],
    ['chat', 'chats'],
    ['社群', 'groups'],
    ['群聊', 'groups'],
    ['群发', 'groups'],
    ['群', 'groups'],
    ['groups', 'groups'],
    ['group', 'groups'],
  ] as [string, Category][]
).sort((a, b) => b[0].length - a[0].length);

const DONE_WORDS = ['已完成', '完成了', '完成', '搞定', '做完', '好了', '完毕', '全部', '都', 'done', 'ok', '✅', '✔', '√'].sort((a, b) => b.length - a.length);
/** Words that carry no meaning in a check-in. */
const FILLER = [
  '已发了',
  '已聊了',
  '发了',
  '聊了',
  '已发',
  '已聊',
  '已',
  '条',
  '个',
  '位',
  '次',
  '号',
  '第',
  '了',
  '啦',
  '的',
  '和',
  '与',
  '及',
  '还有',
  '今天',
  '今日',
  'and',
  '打卡',
].sort((a, b) => b.length - a.length);
const NUMERALS: Record<string, string> = { 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 十: '10' };

/** Text as typed → the form the grammar reads: NFKC, no @mentions, lower case, Chinese numerals as digits. */
export function normalizeCheckin(text: string): string {
  return normalizeTyped(text)
    .replace(/[一二两三四五六七八九十]/g, (c) => ` ${NUMERALS[c]!} `)
    .trim();
}

interface Segment {
  category: Category | null;
  numbers: number[];
  done: boolean;
  plus: boolean;
}

/**
 * Parses a guide's private message.
 * @returns `progress`, a `checkin` with its operations, or `invalid` (the handler answers with a hint).
 * @example parseGuideCommand('私聊 1、3') // { kind: 'checkin', undo: false, ops: [{ kind: 'items', category: 'chats', numbers: [1, 3] }] }
 * @example parseGuideCommand('全部完成') // { kind: 'checkin', undo: false, ops: [{ kind: 'all' }] }
 */
export function parseGuideCommand(text: string): GuideCommand {
  let s = normalizeCheckin(text);
  const compact = s.replace(/[\s\p{P}\p{S}]+/gu, '');
  if (/^(查看?|我的)?(今日|本周)?进度(查询)?$|^progress$/.test(compact)) return { kind: 'progress' };
  let undo = false;
  const undoMatch = /^(撤销|撤回|取消|undo)/.exec(s);
  if (undoMatch) {
    undo = true;
    s = s.slice(undoMatch[0].length);
  }
  const c = s.replace(/[\s\p{P}]+/gu, '');
  if (/^(全部|全都|全|都|所有|3\+3\+3)(任务)?(都)?(完成|搞定|做完|打卡|好|ok|done)(了|啦|咯)?$|^alldone$|^doneall$/.test(c)) {
    return { kind: 'checkin', undo, ops: [{ kind: 'all' }] };
  }
  const segments: Segment[] = [];
  let cur: Segment = { category: null, numbers: [], done: false, plus: false };
  const push = () => {
    if (cur.category !== null || cur.numbers.length || cur.done || cur.plus) segments.push(cur);
  };
  let i = 0;
  outer: while (i < s.length) {
    const rest = s.slice(i);
    const ws = /^[\s,，、;；.。:：/|&+＋~～\-—_!！?？()（）[\]【】]+/u.exec(rest);
    if (ws) {
      if (ws[0].includes('+')) cur.plus = true;
      i += ws[0].length;
      continue;
    }
    const num = /^\d+/.exec(rest);
    if (num) {
      cur.numbers.push(Number(num[0]));
      i += num[0].length;
      continue;
    }
    for (const [w, cat] of CATEGORY_WORDS) {
      if (rest.startsWith(w)) {
        push();
        cur = { category: cat, numbers: [], done: false, plus: false };
        i += w.length;
        continue outer;
      }
    }
    for (const w of DONE_WORDS) {
      if (rest.startsWith(w)) {
        cur.done = true;
        i += w.length;
        continue outer;
      }
    }
    for (const w of FILLER) {
      if (rest.startsWith(w)) {
        i += w.length;
        continue outer;
      }
    }
    return { kind: 'invalid' };
  }
  push();
  if (segments.length === 0) return { kind: 'invalid' };
  const ops: CheckinOp[] = [];
  for (const seg of segments) {
    if (seg.category === null) {
      if (seg.numbers.length === 0) return { kind: 'invalid' };
      ops.push({ kind: 'global', numbers: seg.numbers });
    } else if (seg.numbers.length === 0) {
      ops.push(seg.done ? { kind: 'category-all', category: seg.category } : { kind: 'next', category: seg.category });
    } else if (seg.category === 'moments' && seg.numbers.length === 1) {
      ops.push({ kind: 'count', category: 'moments', count: seg.numbers[0]!, ...(seg.plus ? { more: true } : {}) });
    } else if (seg.plus && seg.numbers.length === 1) {
      ops.push({ kind: 'next', category: seg.category, times: seg.numbers[0]! });
    } else {
      ops.push({ kind: 'items', category: seg.category, numbers: seg.numbers });
    }
  }
  return { kind: 'checkin', undo, ops };
}

/** What is ticked: bit i of a category = its item i+1. */
export type Ticks = Record<Category, number>;

export const popcount = (n: number) => {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
};

const fullMask = (n: number) => (n >= 31 ? 0x7fffffff : (1 << n) - 1);

/** Items done across the card. */
export const doneOf = (t: Ticks, q: Quotas) => CATEGORIES.reduce((s, c) => s + popcount(t[c] & fullMask(q[c])), 0);

export type CheckinError = { kind: 'out-of-range'; category: Category | null; max: number } | { kind: 'category-off'; category: Category };

/** `13` on a list of 3 means 1 and 3: a run of digits that is not itself an item, split into digits. */
function expand(n: number, max: number): number[] | null {
  if (n >= 1 && n <= max) return [n];
  const digits = String(n).split('').map(Number);
  return digits.length > 1 && digits.every((d) => d >= 1 && d <= max) ? digits : null;
}

/**
 * Applies a check-in to the day's ticks. All or nothing: any number not on the card, or a category
 * that is off today, returns the error and leaves the ticks as they were.
 * @example applyCheckin({ moments: 0, chats: 0, groups: 0 }, { moments: 3, chats: 3, groups: 3 }, [{ kind: 'global', numbers: [4, 7] }], false)
 *   // { ticks: { moments: 0, chats: 1, groups: 1 } }
 */
export function applyCheckin(ticks: Ticks, q: Quotas, ops: readonly CheckinOp[], undo: boolean): { ticks: Ticks } | { error: CheckinError } {
  const t: Ticks = { ...ticks };
  const o = offsets(q);
  const set = (c: Category, bit: number) => {
    t[c] = undo ? t[c] & ~(1 << bit) : t[c] | (1 << bit);
  };
  const off = (c: Category): { error: CheckinError } | null => (q[c] === 0 ? { error: { kind: 'category-off', category: c } } : null);
  for (const op of ops) {
    switch (op.kind) {
      case 'all':
        for (const c of CATEGORIES) t[c] = undo ? 0 : fullMask(q[c]);
        break;
      case 'category-all': {
        const e = off(op.category);
        if (e) return e;
        t[op.category] = undo ? 0 : fullMask(q[op.category]);
        break;
      }
      case 'next': {
        const c = op.category;
        const e = off(c);
        if (e) return e;
        for (let n = 0; n < Math.min(op.times ?? 1, q[c]); n++) {
          if (undo) {
            for (let b = q[c] - 1; b >= 0; b--)
              if (t[c] & (1 << b)) {
                t[c] &= ~(1 << b);
                break;
              }
          } else {
            for (let b = 0; b < q[c]; b++)
              if (!(t[c] & (1 << b))) {
                t[c] |= 1 << b;
                break;
              }
          }
        }
        break;
      }
      case 'count': {
        const e = off('moments');
        if (e) return e;
        const have = popcount(t.moments & fullMask(q.moments));
        const want = Math.max(0, Math.min(q.moments, undo ? have - op.count : op.more ? have + op.count : Math.max(have, op.count)));
        t.moments = fullMask(want);
        break;
      }
      case 'items': {
        const c = op.category;
        const e = off(c);
        if (e) return e;
        for (const n of op.numbers) {
          // The list's own numbers first (私聊 1 3), then the card's running numbers (私聊 4 6).
          const local = expand(n, q[c]);
          const bits = local ? local.map((x) => x - 1) : n >= o[c] && n < o[c] + q[c] ? [n - o[c]] : null;
          if (!bits) return { error: { kind: 'out-of-range', category: c, max: q[c] } };
          for (const b of bits) set(c, b);
        }
        break;
      }
      case 'global': {
        const total = totalOf(q);
        for (const n of op.numbers) {
          const nums = expand(n, total);
          if (!nums) return { error: { kind: 'out-of-range', category: null, max: total } };
          for (const x of nums) {
            const c = [...CATEGORIES].reverse().find((k) => q[k] > 0 && x >= o[k])!;
            set(c, x - o[c]);
          }
        }
        break;
      }
    }
  }
  return { ticks: t };
}

/** `朋友圈 2/3 · 私聊 1/3 · 社群 3/3` (categories that are off today are left out). */
export function progressText(t: Ticks, q: Quotas): string {
  return CATEGORIES.filter((c) => q[c] > 0)
    .map((c) => `${CATEGORY_NAMES[c]} ${popcount(t[c] & fullMask(q[c]))}/${q[c]}`)
    .join(' · ');
}

/** What is still missing, for the nudge: `朋友圈 1 条、私聊 2 位`. */
export function missingText(t: Ticks, q: Quotas): string {
  const unit: Record<Category, string> = { moments: '条', chats: '位', groups: '个群' };
  return CATEGORIES.filter((c) => q[c] > popcount(t[c] & fullMask(q[c])))
    .map((c) => `${CATEGORY_NAMES[c]} ${q[c] - popcount(t[c] & fullMask(q[c]))} ${unit[c]}`)
    .join('、');
}

/**
 * Which group tick a guide's post in `roomId` sets: its own line when the group is on the card (none
 * when that line is already ticked, so a post and a check-in of the same group count once), else the
 * last open line (a post in another of the guide's groups still counts toward the quota).
 */
export function groupPostBit(t: Ticks, q: Quotas, cardRooms: readonly string[], roomId: string): number | null {
  const onCard = cardRooms.indexOf(roomId);
  if (onCard >= 0 && onCard < q.groups) return t.groups & (1 << onCard) ? null : onCard;
  for (let b = q.groups - 1; b >= 0; b--) if (!(t.groups & (1 << b))) return b;
  return null;
}

/** The guide's commands for the command registry (inbound/commands.ts): `我的进度` and the check-ins, private, guides only. */
export function guideCommandDeclarations(): CommandDeclaration[] {
  const kindOf = lastParsed((t) => parseGuideCommand(t).kind);
  return [
    { capability: 'guide-sop', command: 'progress', words: ['我的进度', '进度'], roles: ['guide'], matches: (t) => kindOf(t) === 'progress' },
    { capability: 'guide-sop', command: 'checkin', words: ['私聊1', '群1', '朋友圈1', '全部完成', '撤销 私聊1'], roles: ['guide'], matches: (t) => kindOf(t) === 'checkin' },
  ];
}
