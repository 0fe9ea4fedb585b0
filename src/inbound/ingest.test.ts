import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { InboundMessage } from '../core/messages.js';
import { openTestDb } from '../platform/db/client.js';
import { contacts, inboundMessages, rooms } from '../platform/db/schema.js';
import { InboundRepo } from './inbound.repo.js';
import { Ingest } from './ingest.js';
import { Router, type InboundContext } from './router.js';

const start = Date.parse('2026-11-25T02:00:00Z');

function setup() {
  const db = openTestDb();
  const clock = new ManualClock(start);
  const router = new Router(silentLogger());
  const ingest = new Ingest(new InboundRepo(db), router, clock, silentLogger(), { maxAgeMs: 600_000 });
  return { db, clock, router, ingest };
}

const msg = (id: string, over: Partial<InboundMessage> = {}): InboundMessage => ({
  id,
  account: 'main',
  talkerId: 'member-1',
  talkerName: '王小丫',
  roomId: 'hz01-a@chatroom',
  roomTopic: '湖滨店宝妈群',
  type: 'text',
  text: '请问几段适合一岁宝宝？',
  mentionSelf: false,
  mentionIds: [],
  self: false,
  providerAt: start - 500,
  ...over,
});

describe('ingest: one way in', () => {
  it('logs a member message once even when the provider redelivers it, and dispatches it once', async () => {
    const { db, ingest, router } = setup();
    const seen: string[] = [];
    router.use('spy', ({ message }) => {
      seen.push(message.id);
    });
    expect(await ingest.accept(msg('m1'))).toEqual({ accept: true });
    expect(await ingest.accept(msg('m1'))).toEqual({ accept: false, reason: 'duplicate' });
    const [a, b] = await Promise.all([ingest.accept(msg('m2')), ingest.accept(msg('m2'))]);
    expect([a, b]).toEqual([{ accept: true }, { accept: false, reason: 'duplicate' }]);
    await ingest.idle();
    expect(seen).toEqual(['m1', 'm2']);
    expect(
      db
        .select()
        .from(inboundMessages)
        .all()
        .map((r) => r.id),
    ).toEqual(['m1', 'm2']);
    expect(ingest.getStats()).toMatchObject({ accepted: 2, rejected: { duplicate: 2 } });
  });

  it('remembers ids across restarts (a new Ingest over the same store)', async () => {
    const { db, clock, router } = setup();
    const first = new Ingest(new InboundRepo(db), router, clock, silentLogger(), { maxAgeMs: 600_000 });
    await first.accept(msg('m1'));
    const second = new Ingest(new InboundRepo(db), router, clock, silentLogger(), { maxAgeMs: 600_000 });
    expect(await second.accept(msg('m1'))).toEqual({ accept: false, reason: 'duplicate' });
  });

  it('updates the directory and the member last-activity time', async () => {
    const { db, ingest, clock } = setup();
    await ingest.accept(msg('m1'));
    clock.advance(60_000);
    await ingest.accept(msg('m2', { providerAt: start + 59_000, talkerName: '' }));
    const c = db.select().from(contacts).all();
    expect(c).toEqual([expect.objectContaining({ id: 'member-1', name: '王小丫', lastInboundAt: start + 59_000, firstSeenAt: start - 500 })]);
    expect(db.select().from(rooms).all()).toEqual([expect.objectContaining({ id: 'hz01-a@chatroom', topic: '湖滨店宝妈群', lastMessageAt: start + 59_000 })]);
  });

  it('keeps dispatching after a handler throws; the other handlers still see the message', async () => {
    const { ingest, router } = setup();
    const seen: string[] = [];
    router.use('broken', ({ message }) => {
      if (message.id === 'm1') throw new Error('boom');
    });
    router.use('after', ({ message }: InboundContext) => {
      seen.push(message.id);
    });
    router.use('async-broken', async () => {
      await Promise.resolve();
      throw new Error('async boom');
    });
    await ingest.accept(msg('m1'));
    await ingest.accept(msg('m2'));
    await ingest.idle();
    expect(seen).toEqual(['m1', 'm2']);
    expect(router.failureCount).toBe(3);
  });

  it("logs and dispatches a person's message typed on the bot account's phone, only to handlers that take self messages", async () => {
    const db = openTestDb();
    const router = new Router(silentLogger());
    const ingest = new Ingest(new InboundRepo(db), router, new ManualClock(start), silentLogger(), {
      maxAgeMs: 600_000,
      isAutomaticSend: (m) => m.text.startsWith('auto'),
    });
    const all: string[] = [];
    const withSelf: string[] = [];
    router.use('members', ({ message }) => {
      all.push(message.id);
    });
    router.use(
      'sla',
      ({ message }) => {
        withSelf.push(message.id);
      },
      { self: true },
    );
    expect(await ingest.accept(msg('auto', { self: true, talkerId: 'bot', text: 'auto reply' }))).toMatchObject({ reason: 'self' });
    expect(await ingest.accept(msg('typed', { self: true, talkerId: 'bot', roomId: null, roomTopic: null, listenerId: 'member-1', text: '您好，已发货' }))).toEqual({
      accept: true,
    });
    expect(await ingest.accept(msg('member'))).toEqual({ accept: true });
    expect(await ingest.accept(msg('private', { roomId: null, roomTopic: null }))).toEqual({ accept: true });
    await ingest.idle();
    expect(all).toEqual(['member', 'private']);
    expect(withSelf).toEqual(['typed', 'member', 'private']);
    expect(
      db
        .select()
        .from(inboundMessages)
        .all()
        .map((r) => [r.id, r.conversationId]),
    ).toEqual([
      ['typed', 'member-1'],
      ['member', 'hz01-a@chatroom'],
      ['private', 'member-1'],
    ]);
  });

  it('drops own, old and unsupported messages without logging them', async () => {
    const { db, ingest } = setup();
    expect(await ingest.accept(msg('s', { self: true }))).toMatchObject({ reason: 'self' });
    expect(await ingest.accept(msg('o', { providerAt: start - 3_600_000 }))).toMatchObject({ reason: 'too-old' });
    expect(await ingest.accept(msg('r', { type: 'recalled' }))).toMatchObject({ reason: 'unsupported-type' });
    expect(db.select().from(inboundMessages).all()).toHaveLength(0);
  });
});
