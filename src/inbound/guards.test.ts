import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../core/messages.js';
import { checkMessage } from './guards.js';

const now = Date.parse('2026-11-25T02:00:00Z');
const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  id: 'm1',
  account: 'main',
  talkerId: 'member-1',
  talkerName: '小王',
  roomId: null,
  roomTopic: null,
  type: 'text',
  text: '积分',
  mentionSelf: false,
  mentionIds: [],
  self: false,
  providerAt: now - 1000,
  ...over,
});

describe('inbound guards', () => {
  it('accepts a fresh text message from a member', () => {
    expect(checkMessage(msg(), now, { maxAgeMs: 600_000 })).toEqual({ accept: true });
  });
  it("drops the bot's own messages", () => {
    expect(checkMessage(msg({ self: true }), now, { maxAgeMs: 600_000 })).toEqual({ accept: false, reason: 'self' });
  });
  it("passes on what a person typed on the bot account's phone, and drops the bot's automatic sends", () => {
    const isAutomaticSend = (m: InboundMessage) => m.text === 'automatic';
    expect(checkMessage(msg({ self: true, text: '亲，有货的' }), now, { maxAgeMs: 600_000, isAutomaticSend })).toEqual({ accept: true });
    expect(checkMessage(msg({ self: true, text: 'automatic' }), now, { maxAgeMs: 600_000, isAutomaticSend })).toEqual({ accept: false, reason: 'self' });
    expect(checkMessage(msg({ text: 'automatic' }), now, { maxAgeMs: 600_000, isAutomaticSend })).toEqual({ accept: true });
  });
  it('drops history older than the start-up window', () => {
    expect(checkMessage(msg({ providerAt: now - 600_001 }), now, { maxAgeMs: 600_000 })).toEqual({ accept: false, reason: 'too-old' });
  });
  it('keeps old messages when the age check is off', () => {
    expect(checkMessage(msg({ providerAt: now - 86_400_000 }), now, { maxAgeMs: 0 })).toEqual({ accept: true });
  });
  it('drops types no capability handles', () => {
    expect(checkMessage(msg({ type: 'recalled' }), now, { maxAgeMs: 600_000 })).toEqual({ accept: false, reason: 'unsupported-type' });
    expect(checkMessage(msg({ type: 'emoticon' }), now, { maxAgeMs: 600_000 })).toEqual({ accept: true });
  });
  it('drops a message without id or talker', () => {
    expect(checkMessage(msg({ id: '' }), now, { maxAgeMs: 600_000 })).toEqual({ accept: false, reason: 'malformed' });
  });
});
