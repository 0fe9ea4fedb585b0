import { describe, expect, it } from 'vitest';
import { applyCheckin, doneOf, groupPostBit, missingText, parseGuideCommand, progressText, type Ticks } from './checkin.rules.js';

const Q = { moments: 3, chats: 3, groups: 3 };
const none: Ticks = { moments: 0, chats: 0, groups: 0 };
const apply = (text: string, ticks: Ticks = none, q = Q) => {
  const cmd = parseGuideCommand(text);
  if (cmd.kind !== 'checkin') throw new Error(`not a check-in: ${text} → ${cmd.kind}`);
  return applyCheckin(ticks, q, cmd.ops, cmd.undo);
};
const ticksOf = (text: string, ticks: Ticks = none, q = Q) => {
  const r = apply(text, ticks, q);
  if ('error' in r) throw new Error(`error for ${text}: ${JSON.stringify(r.error)}`);
  return r.ticks;
};

describe('check-in grammar: what a guide may reply', () => {
  it('reads the issue examples', () => {
    expect(parseGuideCommand('朋友圈 2')).toEqual({ kind: 'checkin', undo: false, ops: [{ kind: 'count', category: 'moments', count: 2 }] });
    expect(parseGuideCommand('私聊 1 3')).toEqual({ kind: 'checkin', undo: false, ops: [{ kind: 'items', category: 'chats', numbers: [1, 3] }] });
    expect(parseGuideCommand('群 完成')).toEqual({ kind: 'checkin', undo: false, ops: [{ kind: 'category-all', category: 'groups' }] });
    expect(parseGuideCommand('全部完成')).toEqual({ kind: 'checkin', undo: false, ops: [{ kind: 'all' }] });
    expect(parseGuideCommand('4 7')).toEqual({ kind: 'checkin', undo: false, ops: [{ kind: 'global', numbers: [4, 7] }] });
  });

  it('is forgiving: full-width, Chinese numerals, separators, units, several categories in one message', () => {
    expect(ticksOf('朋友圈　２')).toEqual({ moments: 0b11, chats: 0, groups: 0 });
    expect(ticksOf('朋友圈发了两条')).toEqual({ moments: 0b11, chats: 0, groups: 0 });
    expect(ticksOf('私聊1、3')).toEqual({ moments: 0, chats: 0b101, groups: 0 });
    expect(ticksOf('私聊13')).toEqual({ moments: 0, chats: 0b101, groups: 0 });
    expect(ticksOf('私聊第一位和第三位已聊')).toEqual({ moments: 0, chats: 0b101, groups: 0 });
    expect(ticksOf('朋友圈3 私聊1,2 社群完成')).toEqual({ moments: 0b111, chats: 0b11, groups: 0b111 });
    expect(ticksOf('4，7。')).toEqual({ moments: 0, chats: 0b1, groups: 0b1 });
    expect(ticksOf('47')).toEqual({ moments: 0, chats: 0b1, groups: 0b1 });
    expect(ticksOf('全都搞定了！')).toEqual({ moments: 0b111, chats: 0b111, groups: 0b111 });
    expect(ticksOf('@湖滨店小思 群 2')).toEqual({ moments: 0, chats: 0, groups: 0b10 });
  });

  it('a bare category ticks the next one; a number on a list is the list item, the card number works too', () => {
    expect(ticksOf('私聊', { moments: 0, chats: 0b1, groups: 0 })).toEqual({ moments: 0, chats: 0b11, groups: 0 });
    expect(ticksOf('朋友圈 +1', { moments: 0b1, chats: 0, groups: 0 })).toEqual({ moments: 0b11, chats: 0, groups: 0 });
    expect(ticksOf('私聊 4 6')).toEqual({ moments: 0, chats: 0b101, groups: 0 });
    expect(ticksOf('私聊 +2', { moments: 0, chats: 0b1, groups: 0 })).toEqual({ moments: 0, chats: 0b111, groups: 0 });
    expect(ticksOf('群 8')).toEqual({ moments: 0, chats: 0, groups: 0b10 });
  });

  it('朋友圈 N is a count that never goes down by itself; 撤销 undoes', () => {
    const two = ticksOf('朋友圈 2');
    expect(ticksOf('朋友圈 1', two)).toEqual(two);
    expect(ticksOf('朋友圈 9', two)).toEqual({ moments: 0b111, chats: 0, groups: 0 });
    expect(ticksOf('撤销 朋友圈 1', two)).toEqual({ moments: 0b1, chats: 0, groups: 0 });
    expect(ticksOf('取消 私聊 2', { moments: 0, chats: 0b111, groups: 0 })).toEqual({ moments: 0, chats: 0b101, groups: 0 });
    expect(ticksOf('撤销全部完成', { moments: 0b111, chats: 0b111, groups: 0b111 })).toEqual(none);
  });

  it('asks for progress', () => {
    for (const t of ['我的进度', '进度', '查进度', '我的进度？', 'progress']) expect(parseGuideCommand(t)).toEqual({ kind: 'progress' });
  });

  it('anything else is invalid (the handler answers with a hint), never a partial check-in', () => {
    for (const t of ['好的', '谢谢店长', '完成', '', '私聊 张三', '明天再发']) expect(parseGuideCommand(t)).toEqual({ kind: 'invalid' });
  });

  it('numbers not on the card and categories switched off are refused, all or nothing', () => {
    expect(apply('私聊 1 7')).toEqual({ error: { kind: 'out-of-range', category: 'chats', max: 3 } });
    expect(apply('10')).toEqual({ error: { kind: 'out-of-range', category: null, max: 9 } });
    expect(ticksOf('12')).toEqual({ moments: 0b11, chats: 0, groups: 0 });
    expect(apply('群 完成', none, { moments: 3, chats: 3, groups: 0 })).toEqual({ error: { kind: 'category-off', category: 'groups' } });
    expect(apply('朋友圈 2 私聊 9')).toEqual({ error: { kind: 'out-of-range', category: 'chats', max: 3 } });
  });

  it('numbers run across the card whatever the quotas', () => {
    const q = { moments: 1, chats: 2, groups: 2 };
    expect(ticksOf('1 2 4', none, q)).toEqual({ moments: 0b1, chats: 0b1, groups: 0b1 });
    expect(ticksOf('全部完成', none, q)).toEqual({ moments: 0b1, chats: 0b11, groups: 0b11 });
    expect(doneOf(ticksOf('全部完成', none, q), q)).toBe(5);
  });
});

describe('progress lines', () => {
  it('says x/y per category and what is missing, leaving out categories that are off', () => {
    const t = { moments: 0b11, chats: 0b1, groups: 0 };
    expect(progressText(t, Q)).toBe('朋友圈 2/3 · 私聊 1/3 · 社群 0/3');
    expect(missingText(t, Q)).toBe('朋友圈 1 条、私聊 2 位、社群 3 个群');
    expect(progressText(t, { ...Q, groups: 0 })).toBe('朋友圈 2/3 · 私聊 1/3');
  });
});

describe('group posts count by themselves', () => {
  it('a post in a group on the card ticks its line once; another group of the guide takes the last open line', () => {
    const rooms = ['a@chatroom', 'b@chatroom', 'c@chatroom'];
    expect(groupPostBit(none, Q, rooms, 'b@chatroom')).toBe(1);
    expect(groupPostBit({ ...none, groups: 0b10 }, Q, rooms, 'b@chatroom')).toBeNull();
    expect(groupPostBit(none, Q, rooms, 'x@chatroom')).toBe(2);
    expect(groupPostBit({ ...none, groups: 0b111 }, Q, rooms, 'x@chatroom')).toBeNull();
  });
});
