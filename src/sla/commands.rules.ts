import { STAFF_COMMAND_ROLES, type CommandDeclaration } from '../inbound/index.js';
import { stripMentions } from './question.rules.js';

/**
 * Staff chat commands of the SLA, pure. Staff write them in a private chat with the bot account, or in
 * a group with the bot @-mentioned:
 *
 * - `已处理 #12` (or `已处理 12`, `已处理 #12 #15`): close questions by number, handled elsewhere.
 * - `已处理 王小丫` (or several names, separated by spaces, `、` or commas): close the open questions of
 *   the member of that name in the staff member's stores.
 * - `待处理`: list the questions waiting in the staff member's stores, oldest first, with their numbers.
 */

export type StaffCommand = { kind: 'close'; ids: number[]; names: string[] } | { kind: 'list' };

/** The command words, from the playbook. */
export interface CommandWords {
  close: readonly string[];
  list: readonly string[];
}

/**
 * @example parseStaffCommand('已处理 #12 王小丫', words) // { kind: 'close', ids: [12], names: ['王小丫'] }
 * @example parseStaffCommand('@小思 待处理', words) // { kind: 'list' }
 */
export function parseStaffCommand(text: string, words: CommandWords): StaffCommand | null {
  const t = stripMentions(text)
    .replace(/[\uFF10-\uFF19]/gu, (c) => String(c.charCodeAt(0) - 0xff10))
    .replace(/＃/gu, '#');
  for (const w of words.list) if (t === w) return { kind: 'list' };
  const word = words.close.find((w) => t === w || t.startsWith(w));
  if (!word) return null;
  const rest = t.slice(word.length);
  if (rest !== '' && !/^[\s#:：,，、]/u.test(rest)) return null;
  const tokens = rest.split(/[\s,，、:：]+/u).filter(Boolean);
  const ids: number[] = [];
  const names: string[] = [];
  for (const tok of tokens) {
    const num = /^#?(\d{1,9})$/u.exec(tok);
    if (num) ids.push(Number(num[1]));
    else if (/^#\d/u.test(tok)) ids.push(...tok.split('#').filter(Boolean).map(Number).filter(Number.isFinite));
    else names.push(tok.replace(/^#/u, ''));
  }
  return { kind: 'close', ids: [...new Set(ids)], names: [...new Set(names)] };
}

/**
 * A satisfaction rating 1–5 in a member's reply (`5`, `5分`, `５`, `五星`), or null.
 * @example parseRating('4分') // 4
 */
export function parseRating(text: string): number | null {
  const t = text.trim().replace(/[\uFF10-\uFF19]/gu, (c) => String(c.charCodeAt(0) - 0xff10));
  const m = /^([1-5一二三四五])\s*(分|星|颗星)?[!！。.~～]*$/u.exec(t);
  if (!m) return null;
  const d = m[1]!;
  return /\d/u.test(d) ? Number(d) : '一二三四五'.indexOf(d) + 1;
}

/**
 * The SLA's commands for the command registry (inbound/commands.ts): `待处理` (list) and `已处理 …`
 * (close) for staff, privately or @-mentioning the bot in a group, with the playbook's words as they are now.
 */
export function slaCommandDeclarations(words: () => CommandWords): CommandDeclaration[] {
  const now = words();
  return (['list', 'close'] as const).map((command) => ({
    capability: 'sla',
    command,
    words: now[command],
    roles: STAFF_COMMAND_ROLES,
    inGroups: true,
    matches: (t: string) => parseStaffCommand(t, words())?.kind === command,
  }));
}
