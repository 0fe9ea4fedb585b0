import { CommandRegistry } from '../inbound/commands.js';
import { memberCommandDeclarations } from '../members/commands.rules.js';
import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../core/messages.js';
import { parseRating, parseStaffCommand } from './commands.rules.js';
import { loadSlaPlaybook } from './sla.playbook.js';
import { decide, needsNoReply, normalizeText, previewOf, quotedNames, type OpenRef } from './question.rules.js';

const rules = loadSlaPlaybook('sop/sla.yaml').noReplyNeeded;
const words = { close: ['已处理'], list: ['待处理'] };
const text = (t: string) => ({ type: 'text' as const, text: t });
const STAFF = new Set(['guide-1', 'bot']);
const isStaffOrBot = (id: string) => STAFF.has(id);
const msg = (over: Partial<InboundMessage>) => ({ type: 'text' as const, text: '', roomId: 'g1@chatroom', mentionIds: [] as string[], ...over });
const open: OpenRef[] = [
  { id: 1, memberId: 'm1', memberName: '王小丫' },
  { id: 2, memberId: 'm2', memberName: '李静' },
];

describe('the "no reply needed" list', () => {
  it('needs no reply for thanks, acknowledgements and their mixes, with emoji and punctuation around', () => {
    for (const t of ['谢谢', '好的', '收到', '好的，谢谢！', '收到👌', '嗯嗯～', 'OK', '好的谢谢老师🙏', '谢谢亲[玫瑰]', '哈哈哈哈']) {
      expect(needsNoReply(text(t), rules), t).toBe(true);
    }
  });

  it('needs no reply for stickers, emoji-only and punctuation-only texts', () => {
    expect(needsNoReply({ type: 'emoticon', text: '[emoticon]' }, rules)).toBe(true);
    for (const t of ['👍', '😂😂😂', '[微笑][强]', '❤️', '👍🏻', '！！']) expect(needsNoReply(text(t), rules), t).toBe(true);
  });

  it('leaves bot commands to the bot: whatever the command registry says a member command is', () => {
    const registry = new CommandRegistry();
    registry.declare(...memberCommandDeclarations().map((d) => ({ ...d, handle: () => undefined })));
    const isCommand = (t: string) => registry.claimant(t, 'member') !== undefined;
    // the words the old hand-kept botCommands list missed are commands too
    for (const t of ['积分', '兑换 C001', '兑换C001', '我的积分', 'points', '@小思\u2005积分', '退订']) expect(needsNoReply(text(t), rules, isCommand), t).toBe(true);
    expect(needsNoReply(text('积分怎么用？'), rules, isCommand)).toBe(false);
    // without a registry nothing is a command
    expect(needsNoReply(text('积分'), rules)).toBe(false);
  });

  it('needs a reply for real questions, even polite ones, and for photos and voice', () => {
    for (const t of ['请问几段适合一岁宝宝？', '好的，几点发货？', '谢谢，另外有优惠吗', '在吗', '5']) expect(needsNoReply(text(t), rules), t).toBe(false);
    expect(needsNoReply({ type: 'image', text: '[image]' }, rules)).toBe(false);
    expect(needsNoReply({ type: 'voice', text: '[voice]' }, rules)).toBe(false);
  });

  it('normalises case, emoji, codes and punctuation away', () => {
    expect(normalizeText(' OK！[微笑]👌 ')).toBe('ok');
  });
});

describe('opening and closing questions', () => {
  it('a member question asks for a reply; a member thanks does not', () => {
    expect(decide({ speaker: 'member', message: msg({ text: '请问有货吗' }), isStaffOrBot, open: [], noReply: rules })).toEqual({ action: 'ask' });
    expect(decide({ speaker: 'member', message: msg({ text: '谢谢' }), isStaffOrBot, open, noReply: rules })).toEqual({ action: 'none', why: 'no-reply-needed' });
  });

  it('a staff message with no mention closes every question open in the group', () => {
    expect(decide({ speaker: 'staff', message: msg({ text: '有货的，明天发' }), isStaffOrBot, open, noReply: rules })).toEqual({
      action: 'close',
      questionIds: [1, 2],
      rule: 'all-in-group',
    });
  });

  it('a staff reply that @-mentions members closes only their questions', () => {
    expect(decide({ speaker: 'staff', message: msg({ text: '@李静 有的', mentionIds: ['m2'] }), isStaffOrBot, open, noReply: rules })).toEqual({
      action: 'close',
      questionIds: [2],
      rule: 'mention',
    });
  });

  it("a staff reply that quotes a member closes that member's question", () => {
    const quote = '「王小丫：请问几段适合一岁宝宝？」\n- - - - - - - - - - - - - - -\n二段就可以';
    expect(quotedNames(quote)).toEqual(['王小丫']);
    expect(decide({ speaker: 'staff', message: msg({ text: quote }), isStaffOrBot, open, noReply: rules })).toEqual({ action: 'close', questionIds: [1], rule: 'quote' });
  });

  it('a staff message that mentions only staff closes nothing; nor does a staff sticker', () => {
    expect(decide({ speaker: 'staff', message: msg({ text: '@王晓燕 你看下', mentionIds: ['guide-1'] }), isStaffOrBot, open, noReply: rules })).toEqual({
      action: 'none',
      why: 'staff-only-mention',
    });
    expect(decide({ speaker: 'staff', message: msg({ type: 'emoticon', text: '[emoticon]' }), isStaffOrBot, open, noReply: rules })).toEqual({ action: 'none', why: 'sticker' });
  });

  it("a person on the bot account's phone answers like staff, in groups and in private chats", () => {
    expect(decide({ speaker: 'account', message: msg({ text: '亲，有的' }), isStaffOrBot, open, noReply: rules })).toMatchObject({ action: 'close', questionIds: [1, 2] });
    expect(decide({ speaker: 'account', message: msg({ roomId: null, text: '您好，已经发货了' }), isStaffOrBot, open: [open[0]!], noReply: rules })).toEqual({
      action: 'close',
      questionIds: [1],
      rule: 'private',
    });
  });

  it("a staff member's own private chat with the bot is not a member conversation", () => {
    expect(decide({ speaker: 'staff', message: msg({ roomId: null, text: '你好' }), isStaffOrBot, open, noReply: rules })).toEqual({ action: 'none', why: 'staff-private' });
  });

  it('previews the first message without the mentions', () => {
    expect(previewOf(text('@小思\u2005请问这款奶粉几段适合一岁半的宝宝呢？我家宝宝现在喝的是一段的，想换了，请问二段和三段有什么区别，谢谢'))).toMatch(/^请问这款奶粉.{33}…$/u);
    expect(previewOf({ type: 'image', text: '' })).toBe('[image]');
  });
});

describe('staff commands and ratings', () => {
  it('parses 已处理 with numbers and names, and 待处理', () => {
    expect(parseStaffCommand('已处理 #12', words)).toEqual({ kind: 'close', ids: [12], names: [] });
    expect(parseStaffCommand('已处理#12#15', words)).toEqual({ kind: 'close', ids: [12, 15], names: [] });
    expect(parseStaffCommand('@小思\u2005已处理 12 王小丫、李静', words)).toEqual({ kind: 'close', ids: [12], names: ['王小丫', '李静'] });
    expect(parseStaffCommand('已处理 ＃１２', words)).toEqual({ kind: 'close', ids: [12], names: [] });
    expect(parseStaffCommand('已处理', words)).toEqual({ kind: 'close', ids: [], names: [] });
    expect(parseStaffCommand('待处理', words)).toEqual({ kind: 'list' });
    expect(parseStaffCommand('已处理好了吗', words)).toBeNull();
    expect(parseStaffCommand('你好', words)).toBeNull();
  });

  it('reads ratings 1–5 in the forms members write them', () => {
    expect(['5', '4分', '５', '五星', '3颗星', '1！'].map(parseRating)).toEqual([5, 4, 5, 5, 3, 1]);
    expect(['6', '0', '5分钟', '好评'].map(parseRating)).toEqual([null, null, null, null]);
  });
});
