/**
 * Hosting spread over machines (#15 item 6), on loopback: four accounts (one simulated world each),
 * two `npm run gateway` child processes and a core (this process: remote edges, an outbox and a
 * sender per account over real Redis and SQLite). One gateway is SIGKILLed mid-stream: its accounts
 * come back on the other within 60 s (the shipped lease of 20 s and scan of 5 s), sending goes on, and
 * the worlds received no message twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSpec } from '../../src/accounts/types.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { remoteEdgeFactory, type RemoteEdgeFactory } from '../../src/gateway/remote-edge.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { Sender } from '../../src/outbox/sender.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { createRedis, redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import type { WechatyEdge } from '../../src/platform/wechaty/edge.js';
import { isolateWechaty, recordingLogger } from '../../src/platform/wechaty/testing.js';
import { startWorld, type World } from '../../src/platform/wechaty/world/server.js';
import { spawnGateway, until, worldAccountsFile, type GatewayProcess } from '../support/gateway-process.js';
import { NO_QUIET_HOURS, testOutboxOptions, testSenderOptions } from '../support/harness.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

const ACCOUNTS = ['A1', 'A2', 'A3', 'A4'] as const;
const PER_ACCOUNT = 24;
const PREFIX = 'gwe2e';

let redis: TestRedis;
let conn: Redis;
let dir: string;
let restoreHome: () => void;
const worlds: Record<string, World> = {};
const gateways: GatewayProcess[] = [];
let factory: RemoteEdgeFactory | undefined;
const edges = new Map<string, WechatyEdge>();
const inbound: InboundMessage[] = [];
let db: Db | undefined;
let queues: Queues | undefined;
const senders: Sender[] = [];

beforeAll(async () => {
  restoreHome = isolateWechaty();
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-gw-e2e-'));
  redis = await startTestRedis();
  conn = createRedis(redis.url);
  const { logger } = recordingLogger('warn');
  for (const id of ACCOUNTS) worlds[id] = await startWorld({ logger, token: `insecure_world_${id}`, traffic: { enabled: false, intervalMs: 8000 } });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(senders.map((s) => s.close()));
  await Promise.allSettled([...edges.values()].map((e) => e.stop()));
  await factory?.close();
  await Promise.allSettled(gateways.map((g) => g.kill()));
  await queues?.close();
  if (db) closeDb(db);
  await Promise.allSettled(Object.values(worlds).map((w) => w.stop()));
  await conn?.quit();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
  restoreHome();
}, 60_000);

const holders = () => Promise.all(ACCOUNTS.map((a) => conn.get(`${PREFIX}:gw:lease:${a}`)));

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

describe('two gateways and a core on loopback', () => {
  it('SIGKILL one gateway: its accounts are back on the other within 60 s, sends go on, nothing twice', async () => {
    const { file, env } = worldAccountsFile(dir, worlds);
    const gwEnv = {
      ...env,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: PREFIX,
      GATEWAY_ACCOUNTS_FILE: file,
      WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
      SUPERVISOR_MAX_BACKOFF_SECONDS: '2',
      PUPPET_TIMEOUT_SECONDS: '60',
    };
    // Gateway 1 may hold two accounts; gateway 2, started once it has them, takes the other two.
    gateways.push(spawnGateway('gw-1', { ...gwEnv, GATEWAY_MAX_ACCOUNTS: '2' }));
    await until('gw-1 holds two accounts', async () => (await holders()).filter((h) => h === 'gw-1').length === 2, 45_000);
    gateways.push(spawnGateway('gw-2', { ...gwEnv, GATEWAY_MAX_ACCOUNTS: '10' }));
    await until('gw-2 holds the other two', async () => (await holders()).filter((h) => h === 'gw-2').length === 2, 45_000);
    const before = await holders();
    const onGw1 = ACCOUNTS.filter((_, i) => before[i] === 'gw-1');
    expect(onGw1).toHaveLength(2);

    // The core: a remote edge per account, started once a gateway has the account ready.
    const logger = silentLogger();
    factory = remoteEdgeFactory(conn, { prefix: PREFIX, logger, statePollMs: 250, requestTimeoutMs: 10_000 });
    for (const id of ACCOUNTS) {
      edges.set(
        id,
        factory(spec(id), {
          onMessage: async (m) => {
            inbound.push(m);
          },
          onFriendship: () => undefined,
          onRoomEvent: () => undefined,
        }),
      );
    }
    await Promise.all([...edges.values()].map((e) => e.start()));
    for (const id of ACCOUNTS) expect(edges.get(id)!.selfId()).toBe(worlds[id]!.botId);

    // Inbound: a member's message to each account reaches the core stamped with that account.
    for (const id of ACCOUNTS) {
      const msgId = await worlds[id]!.memberSays('m001', `你好 ${id}`);
      await until(`message to ${id} at the core`, () => inbound.some((m) => m.id === msgId), 30_000);
      expect(inbound.find((m) => m.id === msgId)).toMatchObject({ account: id, talkerId: 'm001', text: `你好 ${id}` });
    }
    // Commands other than sends: a group's members, read through the account's gateway.
    const room = worlds['A1']!.seed.rooms[0]!;
    expect(new Set(await edges.get('A1')!.rooms.memberIds(room.id))).toEqual(new Set(worlds['A1']!.roomMemberIds(room.id)));

    // Sends: an outbox and one sender per account (~5/s each), the transport being the remote edge.
    db = openDb(path.join(dir, 'core.db'));
    queues = new Queues(redisOptionsFromUrl(redis.url), PREFIX);
    const repo = new OutboxRepo(db);
    const outbox = new Outbox(repo, queues, systemClock, logger, testOutboxOptions({ quietHours: NO_QUIET_HOURS, defaultAccount: 'A1' }));
    for (const id of ACCOUNTS) {
      const s = new Sender(
        repo,
        queues,
        outbox,
        edges.get(id)!.transport,
        systemClock,
        logger,
        testSenderOptions({
          account: id,
          ratePerMinute: 300,
          gapMinMs: 150,
          gapMaxMs: 250,
          quietHours: NO_QUIET_HOURS,
          maxAttempts: 30,
          retryBaseMs: 250,
          idlePollMs: 100,
        }),
        `core-${id}`,
      );
      s.start(true);
      senders.push(s);
    }
    const members = worlds['A1']!.seed.members.map((m) => m.id);
    const text = (id: string, i: number) => `会员日提醒 ${id}-${i}`;
    const enqueue = (from: number, to: number) =>
      outbox.enqueueMany(
        ACCOUNTS.flatMap((id) =>
          Array.from({ length: to - from }, (_, k) => ({
            key: `gw-e2e:${id}:${from + k}`,
            account: id,
            purpose: 'reply' as const,
            target: { kind: 'contact' as const, id: members[(from + k) % members.length]! },
            content: { kind: 'text' as const, text: text(id, from + k) },
          })),
        ),
      );
    const half = PER_ACCOUNT / 2;
    await enqueue(0, half);
    // Mid-stream: some of gw-1's accounts' messages are out, not all.
    await until('the first sends through gw-1', () => onGw1.every((a) => worlds[a]!.sent.length >= 3), 30_000);
    const sentAtKill = onGw1.map((a) => worlds[a]!.sent.length);
    await gateways[0]!.kill();
    const killedAt = Date.now();
    // More messages while the accounts move.
    await enqueue(half, PER_ACCOUNT);

    const takeoverMs = await until('gw-2 holds every account', async () => (await holders()).every((h) => h === 'gw-2'), 60_000);
    await until('the moved accounts ready at the core', () => onGw1.every((a) => edges.get(a)!.isLoggedIn()), 60_000 - takeoverMs);
    const backMs = Date.now() - killedAt;
    expect(backMs).toBeLessThan(60_000);

    // Every row settles: sent, or `unknown` when the kill caught it mid-send (never sent again).
    const settled = () => db!.$client.prepare(`select status, count(*) n from outbox group by status`).all() as { status: string; n: number }[];
    await until('every row settled', () => settled().every((r) => r.status === 'sent' || r.status === 'unknown'), 90_000);
    const rows = db.$client.prepare(`select account, status, content from outbox`).all() as { account: string; status: string; content: string }[];
    expect(rows).toHaveLength(ACCOUNTS.length * PER_ACCOUNT);
    // While the dead gateway's leases ran out, the core held the moved accounts offline (senders
    // waited) instead of spending a try every backoff step.
    const { most } = db.$client.prepare(`select max(attempts) most from outbox`).get() as { most: number };
    expect(most).toBeLessThanOrEqual(4);
    const unknown = rows.filter((r) => r.status === 'unknown');
    expect(unknown.length).toBeLessThanOrEqual(onGw1.length);

    // Counted from the worlds: every text received at most once, every `sent` row exactly once.
    for (const id of ACCOUNTS) {
      const got = worlds[id]!.sent.map((m) => m.text);
      const counts = new Map<string, number>();
      for (const t of got) counts.set(t, (counts.get(t) ?? 0) + 1);
      expect(
        [...counts.entries()].filter(([, n]) => n > 1),
        `duplicates in ${id}`,
      ).toEqual([]);
      for (const r of rows.filter((x) => x.account === id && x.status === 'sent')) {
        expect(counts.get((JSON.parse(r.content) as { text: string }).text), `${id}: ${r.content}`).toBe(1);
      }
      // Sends went on after the kill, through gw-2.
      const i = onGw1.indexOf(id as (typeof onGw1)[number]);
      if (i >= 0) expect(got.length).toBeGreaterThan(sentAtKill[i]!);
    }
    console.log(
      `gateway takeover: leases on gw-2 after ${(takeoverMs / 1000).toFixed(1)} s, accounts ready at the core after ${(backMs / 1000).toFixed(1)} s; ${unknown.length} unknown, 0 duplicates, at most ${most} tries per message`,
    );
  }, 240_000);
});
