/**
 * One gateway (in this process) and the core's remote edge over a real Redis and a simulated world:
 * what crosses (messages, friendships, room events, commands) and the send record that keeps a send
 * from going out twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSpec } from '../accounts/types.js';
import { systemClock } from '../core/clock.js';
import { SendOutcomeUnknownError, TransientSendError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { FriendRequest, RoomMemberEvent } from '../core/messages.js';
import { Outbox } from '../outbox/outbox.js';
import { OutboxRepo } from '../outbox/outbox.repo.js';
import { Sender, type SettledEvent } from '../outbox/sender.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { Queues } from '../platform/queue/queues.js';
import { createRedis, redisOptionsFromUrl } from '../platform/redis/url.js';
import type { WechatyEdge } from '../platform/wechaty/edge.js';
import { isolateWechaty, nextEvent, recordingLogger } from '../platform/wechaty/testing.js';
import { startWorld, type World } from '../platform/wechaty/world/server.js';
import { NO_QUIET_HOURS, testOutboxOptions, testSenderOptions } from '../../test/support/harness.js';
import { startTestRedis, type TestRedis } from '../../test/support/redis.js';
import { Gateway } from './gateway.js';
import { remoteEdgeFactory, type RemoteEdgeFactory } from './remote-edge.js';

const PREFIX = 'gwint';
let server: TestRedis;
let redis: Redis;
let sub: Redis;
let world: World;
let gateway: Gateway;
let factory: RemoteEdgeFactory;
let edge: WechatyEdge;
let restoreHome: () => void;
const friendships: FriendRequest[] = [];
const roomEvents: RoomMemberEvent[] = [];
const sentIds: string[] = [];

function spec(id: string): AccountSpec {
  return {
    id,
    name: id,
    role: 'store',
    stores: [],
    enabled: true,
    budget: { ratePerMinute: 0, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 },
    onDown: {} as AccountSpec['onDown'],
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  restoreHome = isolateWechaty();
  server = await startTestRedis();
  redis = createRedis(server.url);
  sub = createRedis(server.url);
  const { logger } = recordingLogger('warn');
  world = await startWorld({ logger, token: 'insecure_world_w1', traffic: { enabled: false, intervalMs: 8000 } });
  gateway = new Gateway({
    id: 'gw-t',
    prefix: PREFIX,
    redis,
    subscriber: sub,
    accounts: () => [
      { id: 'W1', endpoint: world.endpoint, token: { env: 'TOKEN_W1' }, enabled: true },
      { id: 'NOTOKEN', endpoint: world.endpoint, token: { env: 'TOKEN_MISSING' }, enabled: true },
      { id: 'BADTOKEN', endpoint: world.endpoint, token: { env: 'TOKEN_BAD' }, enabled: true },
    ],
    env: { TOKEN_W1: world.token, TOKEN_BAD: 'no-prefix' },
    edge: { noTls: true, timeoutSeconds: 60, maxBackoffSeconds: 1, baseBackoffMs: 100 },
    lease: { ttlMs: 5000, scanMs: 200 },
    logger: silentLogger(),
  });
  gateway.start();
  factory = remoteEdgeFactory(redis, { prefix: PREFIX, logger: silentLogger(), statePollMs: 200, requestTimeoutMs: 5000 });
  edge = factory(spec('W1'), {
    onMessage: async () => undefined,
    onFriendship: (f) => {
      friendships.push(f);
    },
    onRoomEvent: (e) => {
      roomEvents.push(e);
    },
    onSent: (id) => {
      sentIds.push(id);
    },
  });
  await edge.start();
}, 60_000);

afterAll(async () => {
  await edge?.stop();
  await factory?.close();
  await gateway?.stop();
  await world?.stop();
  await Promise.allSettled([redis?.quit(), sub?.quit()]);
  await server?.stop();
  restoreHome();
}, 30_000);

describe('gateway and remote edge', () => {
  it('the core sees the account ready with its self id; an account whose token is missing or malformed here is not kept', async () => {
    expect(edge.isLoggedIn()).toBe(true);
    expect(edge.selfId()).toBe(world.botId);
    expect(edge.rooms.selfId()).toBe(world.botId);
    expect(await redis.get(`${PREFIX}:gw:lease:W1`)).toBe('gw-t');
    expect(await redis.get(`${PREFIX}:gw:lease:NOTOKEN`)).toBeNull();
    expect(await redis.get(`${PREFIX}:gw:lease:BADTOKEN`)).toBeNull();
    expect(gateway.accounts()).toEqual(['W1']);
  });

  it('a keyed send goes out once: asked again, the gateway answers from its record', async () => {
    const target = { kind: 'contact' as const, id: 'm002' };
    const content = { kind: 'text' as const, text: '您的积分：120' };
    const first = await edge.transport.send(target, content, { key: 'outbox:1:1' });
    expect(first.messageId).toBeTruthy();
    const again = await edge.transport.send(target, content, { key: 'outbox:1:1' });
    expect(again.messageId).toBe(first.messageId);
    expect(world.sent.filter((m) => m.text === '您的积分：120')).toHaveLength(1);
    // The own-send ids reach the core through the events stream (the inbound guard's record).
    await until('the sent id at the core', () => sentIds.includes(first.messageId!));
  });

  it('a send whose record shows it began and never finished is answered `unknown` and not sent', async () => {
    await redis.set(`${PREFIX}:gw:sent:outbox:2:2`, 'pending|gw-dead|W1');
    await expect(edge.transport.send({ kind: 'contact', id: 'm003' }, { kind: 'text', text: '不该发出' }, { key: 'outbox:2:2' })).rejects.toBeInstanceOf(SendOutcomeUnknownError);
    expect(world.sent.some((m) => m.text === '不该发出')).toBe(false);
  });

  it('through the real sender: such a row ends `unknown`, the next one is sent, each once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-gw-int-'));
    const db = openDb(path.join(dir, 'core.db'));
    const queues = new Queues(redisOptionsFromUrl(server.url), `${PREFIX}q`);
    const repo = new OutboxRepo(db);
    const outbox = new Outbox(repo, queues, systemClock, silentLogger(), testOutboxOptions({ quietHours: NO_QUIET_HOURS, defaultAccount: 'W1' }));
    const sender = new Sender(repo, queues, outbox, edge.transport, systemClock, silentLogger(), testSenderOptions({ account: 'W1', quietHours: NO_QUIET_HOURS }), 'core-int');
    const settled: SettledEvent[] = [];
    sender.on('settled', (e: SettledEvent) => settled.push(e));
    try {
      const [a, b] = await outbox.enqueueMany([
        { key: 'int:a', target: { kind: 'contact', id: 'm004' }, content: { kind: 'text', text: '取件提醒 A' }, purpose: 'reply' },
        { key: 'int:b', target: { kind: 'contact', id: 'm005' }, content: { kind: 'text', text: '取件提醒 B' }, purpose: 'reply' },
      ]);
      const rowA = repo.get(a!.id)!;
      // A gateway took row A and died mid-send (its record says so).
      await redis.set(`${PREFIX}:gw:sent:outbox:${rowA.id}:${rowA.createdAt}`, 'pending|gw-dead|W1');
      sender.start(true);
      await until('both rows settled', () => [a!.id, b!.id].every((id) => settled.some((e) => e.id === id && ['sent', 'unknown', 'failed'].includes(e.status))));
      expect(repo.get(a!.id)!.status).toBe('unknown');
      expect(repo.get(b!.id)!.status).toBe('sent');
      expect(world.sent.filter((m) => m.text === '取件提醒 A')).toHaveLength(0);
      expect(world.sent.filter((m) => m.text === '取件提醒 B')).toHaveLength(1);
    } finally {
      await sender.close();
      await queues.close();
      closeDb(db);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('friend requests and group joins reach the core stamped with the account; accepting goes through the gateway', async () => {
    const fid = await world.friendRequest('stranger-1', '路人甲', '我是路人甲');
    await until('the request at the core', () => friendships.some((f) => f.id === fid));
    expect(friendships.find((f) => f.id === fid)).toMatchObject({ account: 'W1', type: 'receive', hello: '我是路人甲' });
    await edge.friendships.accept(fid);
    expect(world.isFriend('stranger-1')).toBe(true);

    const room = world.seed.rooms[0]!;
    await world.memberJoins(room.id, 'newbie-1', undefined, { name: '新人' });
    await until('the join at the core', () => roomEvents.some((e) => e.contacts.some((c) => c.id === 'newbie-1')));
    expect(roomEvents.find((e) => e.roomId === room.id)).toMatchObject({ kind: 'join', account: 'W1' });
    expect(await edge.rooms.memberIds(room.id)).toContain('newbie-1');
  });

  it('a core restarted reads on where it stopped: a message said while it was down is handed in once', async () => {
    const got: string[] = [];
    await edge.stop();
    await factory.close();
    const said = await world.memberSays('m006', '我在你重启时说的');
    factory = remoteEdgeFactory(redis, { prefix: PREFIX, logger: silentLogger(), statePollMs: 200, requestTimeoutMs: 5000 });
    edge = factory(spec('W1'), {
      onMessage: async (m) => {
        got.push(m.id);
      },
      onFriendship: (f) => {
        friendships.push(f);
      },
      onRoomEvent: (e) => {
        roomEvents.push(e);
      },
      onSent: (id) => {
        sentIds.push(id);
      },
    });
    await edge.start();
    await until('the message said meanwhile', () => got.includes(said));
    const after = await world.memberSays('m006', '重启之后');
    await until('the next one', () => got.includes(after));
    expect(got.filter((id) => id === said)).toHaveLength(1);
  });

  it('an account no gateway connects: not ready, sends fail transiently at once', async () => {
    const other = factory(spec('NOBODY'), { onMessage: async () => undefined, onFriendship: () => undefined, onRoomEvent: () => undefined });
    const started = other.start();
    started.catch(() => undefined);
    expect(other.isLoggedIn()).toBe(false);
    await expect(other.transport.send({ kind: 'contact', id: 'm001' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(TransientSendError);
    await other.stop();
    await expect(started).rejects.toThrow(/stopped before a gateway had it ready/);
  });

  it('a gateway that stops tells the core the account is offline and frees its lease', async () => {
    const logout = nextEvent(edge, 'logout', 15_000);
    await gateway.stop();
    expect((await logout)[0]).toMatch(/gateway stopping/);
    expect(edge.isLoggedIn()).toBe(false);
    expect(await redis.get(`${PREFIX}:gw:lease:W1`)).toBeNull();
    await expect(edge.transport.send({ kind: 'contact', id: 'm001' }, { kind: 'text', text: 'x' })).rejects.toBeInstanceOf(TransientSendError);
  });
});
