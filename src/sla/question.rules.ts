import { cleanText } from '../core/sanitize.js';
import type { InboundMessage, InboundType } from '../core/messages.js';

/**
 * The question model, pure. What opens, extends and closes a question:
 *
 * - **Opens / extends.** A message from a member (anyone who is neither staff nor the bot account) in a
 *   group, or in a private chat with the bot account, needs a reply unless it is on the "no reply
 *   needed" list. It extends the member's open question in that conversation, or opens one: consecutive
 *   messages of one member are one question until a staff message closes it.
 * - **No reply needed.** Types on the list (stickers, links …); texts made only of emoji, WeChat
 *   `[微笑]` codes and punctuation; texts made only of listed phrases (`好的谢谢`, `收到👌`); bot commands
 *   (`积分`, `兑换 C001`), which the bot answers itself: whatever the command registry
 *   (inbound/commands.ts) says a member's command is, passed in as `isCommand`.
 * - **Closes, in a group.** A staff message (or one typed by a person on the bot account's phone):
 *   1. that @-mentions members closes those members' questions;
 *   2. that quotes members (`「王小丫：…」`) closes the quoted members' questions;
 *   3. that mentions only staff or the bot closes nothing (it is coordination, not an answer);
 *   4. otherwise (no mention, no quote) closes every question open in that group.
 *   Stickers from staff close nothing.
 * - **Closes, in a private chat.** A message typed by a person on the bot account's phone to the member
 *   closes the member's question there. The bot's automatic sends never close anything (the inbound
 *   guard drops them).
 */

/** The "no reply needed" list, from the playbook. */
export interface NoReplyRules {
  /** Whole-text phrases (any mix of them, with emoji and punctuation around). */
  phrases: readonly string[];
  /** Message types that never open a question. */
  types: readonly InboundType[];
  /** Texts of emoji, `[微笑]` codes and punctuation only. */
  emojiOnly: boolean;
}

/** Whether a member's text is a bot command (the command registry's answer); none by default. */
export type IsCommand = (text: string) => boolean;
const NO_COMMANDS: IsCommand = () => false;

/** Who wrote a message, as far as the SLA is concerned. */
export type Speaker = 'member' | 'staff' | 'account';

/** An open question of the conversation, as the close rules need it. */
export interface OpenRef {
  id: number;
  memberId: string;
  memberName: string;
}

export type Decision =
  | { action: 'none'; why: 'no-reply-needed' | 'sticker' | 'staff-only-mention' | 'staff-private' | 'nothing-open' }
  | { action: 'ask' }
  | { action: 'close'; questionIds: number[]; rule: 'mention' | 'quote' | 'all-in-group' | 'private' };

// Each code point on its own (pictographs, flag letters, skin tones, joiners, variation selectors, keycaps).
const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|[\u{1F3FB}-\u{1F3FF}]|\u200d|\ufe0f|\u20e3/gu;
const WECHAT_CODE = /\[[^[\]\s]{1,8}\]/gu;
const NOISE = /[\p{P}\p{S}\s]/gu;

/** Lowercase, without emoji, WeChat `[…]` codes, punctuation, symbols and spaces. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(WECHAT_CODE, '').replace(EMOJI, '').replace(NOISE, '');
}

/** Leading `@name` mentions (WeChat separates them with U+2005 or a space), removed. */
export function stripMentions(text: string): string {
  return text.replace(/^(\s*@[^\s\u2005]+[\s\u2005]+)+/u, '').trim();
}

const phraseMemo = new WeakMap<readonly string[], string[]>();
function normalizedPhrases(phrases: readonly string[]): string[] {
  let v = phraseMemo.get(phrases);
  if (!v) phraseMemo.set(phrases, (v = [...new Set(phrases.map(normalizeText).filter(Boolean))].sort((a, b) => b.length - a.length)));
  return v;
}

/** True when `s` is a concatenation of the phrases (word break). */
function segments(s: string, phrases: readonly string[]): boolean {
  const ok: boolean[] = [true];
  for (let i = 1; i <= s.length; i++) {
    ok[i] = false;
    for (const p of phrases) {
      if (p.length <= i && ok[i - p.length] && s.startsWith(p, i - p.length)) {
        ok[i] = true;
        break;
      }
    }
  }
  return ok[s.length] === true;
}

/**
 * True when a member's message needs no reply: a listed type, an emoji- or punctuation-only text, a
 * text made only of listed phrases, or a bot command.
 * @example needsNoReply({ type: 'text', text: '好的，谢谢！👌' }, rules) // true
 * @example needsNoReply({ type: 'text', text: '好的，几点发货？' }, rules) // false
 */
export function needsNoReply(m: Pick<InboundMessage, 'type' | 'text'>, rules: NoReplyRules, isCommand: IsCommand = NO_COMMANDS): boolean {
  if (rules.types.includes(m.type)) return true;
  if (m.type !== 'text') return false;
  const text = stripMentions(m.text);
  if (text && isCommand(text)) return true;
  const norm = normalizeText(text);
  if (norm === '') return rules.emojiOnly || text === '';
  return segments(norm, normalizedPhrases(rules.phrases));
}

/**
 * Names quoted in a reply, as WeChat shows a quote in text: `「王小丫：请问…」` (full- or half-width colon).
 * @example quotedNames('「王小丫：几段？」\n- - - - -\n二段') // ['王小丫']
 */
export function quotedNames(text: string): string[] {
  return [...text.matchAll(/「([^「」：:\n]{1,40})[：:]/gu)].map((m) => m[1]!.trim()).filter(Boolean);
}

/**
 * What one inbound message does to the questions of its conversation.
 * @param isStaffOrBot tells staff and the bot account apart from members (for mentions).
 * @param open the questions open in this conversation.
 */
export function decide(input: {
  speaker: Speaker;
  message: Pick<InboundMessage, 'type' | 'text' | 'roomId' | 'mentionIds'>;
  isStaffOrBot: (contactId: string) => boolean;
  open: readonly OpenRef[];
  noReply: NoReplyRules;
  /** Whether a member's text is a bot command (the command registry). */
  isCommand?: IsCommand;
}): Decision {
  const { speaker, message: m, open } = input;
  if (speaker === 'member') return needsNoReply(m, input.noReply, input.isCommand) ? { action: 'none', why: 'no-reply-needed' } : { action: 'ask' };
  if (!m.roomId) {
    if (speaker === 'staff') return { action: 'none', why: 'staff-private' };
    return open.length ? { action: 'close', questionIds: open.map((q) => q.id), rule: 'private' } : { action: 'none', why: 'nothing-open' };
  }
  if (m.type === 'emoticon') return { action: 'none', why: 'sticker' };
  const memberMentions = m.mentionIds.filter((id) => !input.isStaffOrBot(id));
  const quoted = quotedNames(m.text);
  if (memberMentions.length || quoted.length) {
    const byMention = open.filter((q) => memberMentions.includes(q.memberId)).map((q) => q.id);
    const byQuote = open.filter((q) => quoted.includes(q.memberName) && !byMention.includes(q.id)).map((q) => q.id);
    const ids = [...byMention, ...byQuote];
    if (!ids.length) return { action: 'none', why: 'nothing-open' };
    return { action: 'close', questionIds: ids, rule: byMention.length ? 'mention' : 'quote' };
  }
  if (m.mentionIds.length) return { action: 'none', why: 'staff-only-mention' };
  return open.length ? { action: 'close', questionIds: open.map((q) => q.id), rule: 'all-in-group' } : { action: 'none', why: 'nothing-open' };
}

/** The first characters of a question's first message, for alerts and lists. */
export function previewOf(m: Pick<InboundMessage, 'type' | 'text'>, max = 40): string {
  if (m.type !== 'text') return `[${m.type}]`;
  const chars = Array.from(cleanText(stripMentions(m.text)).replace(/\s+/gu, ' '));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}
