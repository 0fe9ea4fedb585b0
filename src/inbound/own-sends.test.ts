import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../core/messages.js';
import { OutboxRepo } from '../outbox/outbox.repo.js';
import { openTestDb } from '../platform/db/client.js';
import { automaticSendMatcher, OwnSendIds } from './own-sends.js';

const now = Date.parse('2026-11-25T04:00:00Z');
const echo = (over: Partial<InboundMessage>): InboundMessage => ({
  id: 'e1',
  account: 'main',
  talkerId: 'bot',
  talkerName: '小思',
  roomId: 'g1@chatroom',
  roomTopic: '1群',
  type: 'text',
  text: '',
  mentionSelf: false,
  mentionIds: [],
  self: true,
  providerAt: now,
  ...over,
});

function setup() {
  const db = openTestDb();
  const repo = new OutboxRepo(db);
  let n = 0;
  /** An outbox row as the sender leaves it: claimed (attempts 1), then sent. */
  const sent = (targetId: string, content: object, at = now - 1000, status: 'sending' | 'sent' = 'sent') => {
    const [r] = repo.insertMany([
      {
        key: `k${++n}`,
        account: 'main',
        targetKind: targetId.includes('@') ? 'room' : 'contact',
        targetId,
        content: JSON.stringify(content),
        purpose: 'reply',
        priority: 1,
        createdAt: at,
        updatedAt: at,
      },
    ]);
    repo.claim(r!.id, at, 'p1');
    if (status === 'sent') repo.finish(r!.id, 'sent', at);
    return r!.id;
  };
  return { db, sent, isAutomatic: automaticSendMatcher(db) };
}

describe('automatic sends vs a person on the bot phone', () => {
  it('recognises the echo of a bot send (also with the mention WeChat puts in front), once per send', () => {
    const { sent, isAutomatic } = setup();
    sent('g1@chatroom', { kind: 'text', text: '今晚8点直播', mentionIds: ['m1'] });
    expect(isAutomatic(echo({ text: '@王小丫\u2005今晚8点直播' }))).toBe(true);
    // The same words again, with no second send: a person typed them.
    expect(isAutomatic(echo({ id: 'e2', text: '今晚8点直播' }))).toBe(false);
  });

  it('matches a send still in flight (the echo can arrive before the send returns)', () => {
    const { sent, isAutomatic } = setup();
    sent('m1', { kind: 'text', text: '已为您开通会员' }, now, 'sending');
    expect(isAutomatic(echo({ roomId: null, roomTopic: null, listenerId: 'm1', text: '已为您开通会员' }))).toBe(true);
  });

  it('treats other texts, other conversations and old sends as typed by a person', () => {
    const { sent, isAutomatic } = setup();
    sent('g1@chatroom', { kind: 'text', text: '早上好' }, now - 11 * 60_000);
    sent('g2@chatroom', { kind: 'text', text: '亲，有货的' });
    expect(isAutomatic(echo({ text: '早上好' }))).toBe(false);
    expect(isAutomatic(echo({ text: '亲，有货的' }))).toBe(false);
    expect(isAutomatic(echo({ roomId: null, listenerId: 'm9', text: '您好' }))).toBe(false);
  });

  it('matches images, links and mini-programs by kind', () => {
    const { sent, isAutomatic } = setup();
    sent('g1@chatroom', { kind: 'link', url: 'https://x', title: '会员日' });
    expect(isAutomatic(echo({ type: 'url', text: '会员日' }))).toBe(true);
    expect(isAutomatic(echo({ id: 'e2', type: 'image', text: '[image]' }))).toBe(false);
  });

  it('keeps dropping own messages it cannot place in a conversation', () => {
    const { isAutomatic } = setup();
    expect(isAutomatic(echo({ roomId: null, listenerId: null, text: 'x' }))).toBe(true);
  });
});

describe('echoes the provider changed', () => {
  it('recognises an echo whose unpaired surrogate, control character or spacing the provider dropped', () => {
    const { sent, isAutomatic } = setup();
    sent('g1@chatroom', { kind: 'text', text: '没有编号为 Q\uD800 的礼品\u0007。\n回复"兑换"查看' });
    expect(isAutomatic(echo({ text: '没有编号为 Q 的礼品。\r\n回复"兑换"查看' }))).toBe(true);
  });

  it('recognises an echo by the message id its send returned, whatever its text became', () => {
    const db = openTestDb();
    const sentIds = new OwnSendIds();
    const isAutomatic = automaticSendMatcher(db, { sentIds });
    sentIds.record('provider-77');
    expect(isAutomatic(echo({ id: 'provider-77', text: '完全不同的文字' }))).toBe(true);
    // each id once; a person's message on the phone has an id of its own
    expect(isAutomatic(echo({ id: 'provider-77', text: '完全不同的文字' }))).toBe(false);
    expect(isAutomatic(echo({ id: 'provider-78', text: '您好' }))).toBe(false);
  });
});
