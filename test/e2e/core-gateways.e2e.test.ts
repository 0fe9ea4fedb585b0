/**
 * The production topology on loopback (#15 item 6): the real core (`startApp` with GATEWAYS=remote,
 * the members capability, sop/accounts.yaml of three accounts) and two `npm run gateway` child
 * processes reading the same registry, all over one Redis. The simulated world hosts the three
 * accounts, each on its own puppet-service endpoint, with overlapping friends and groups.
 * Shown from the outside: each account online at the core with its reach recorded; members' `积分`
 * answered from the account they wrote to (counted from the world's records); a gateway SIGKILLed
 * mid-reply: its accounts back through the other within 60 s (the shipped lease of 20 s, scan of
 * 5 s), every reply sent at most once.
 */
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { SOP_DIR } from '../../src/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { inboundMessages, outbox } from '../../src/platform/db/schema.js';
import { createRedis } from '../../src/platform/redis/url.js';
import { isolateWechaty, recordingLogger } from '../../src/platform/wechaty/testing.js';
import { startWorld, type World } from '../../src/platform/wechaty/world/server.js';
import { testConfig } from '../support/app.js';
import { spawnGateway, until, worldAccountsFile, type GatewayProcess } from '../support/gateway-process.js';
import { tempDir } from '../support/harness.js';
import { useTestRedis } from '../support/redis-fixture.js';

const IDS = ['hz01', 'hz02', 'hq'] as const;
const PREFIX = 'coregw';
const redis = useTestRedis({ flush: 'never' });
let tmp: ReturnType<typeof tempDir>;
let restoreHome: () => void;
let world: World;
let app: App | undefined;
let conn: Redis;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  restoreHome = isolateWechaty();
  tmp = tempDir('siyu-core-gw-');
  conn = createRedis(redis.url);
  world = await startWorld({ logger: recordingLogger('warn').logger, accounts: [...IDS], traffic: { enabled: false, intervalMs: 8000 } });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await Promise.allSettled(gateways.map((g) => g.stop(5000)));
  await world?.stop();
  await conn?.quit();
  tmp?.remove();
  restoreHome?.();
}, 60_000);

const holders = async () => Object.fromEntries(await Promise.all(IDS.map(async (id) => [id, await conn.get(`${PREFIX}:gw:lease:${id}`)] as const)));
/** Every message the world received from the bot for `contact`, from any account. */
const toContact = (contact: string) => world.sent.filter((m) => m.target.kind === 'contact' && m.target.id === contact);
const members = (id: string) =>
  world
    .account(id)
    .friendIds()
    .filter((c) => /^m\d+$/.test(c));

describe('core (startApp, GATEWAYS=remote) and two gateway processes over one Redis', () => {
  it('accounts online at the core with their reach; replies from the account written to; a gateway killed: back within 60 s, nothing twice', async () => {
    // One registry for the core and the gateways: endpoints and token variables; replies paced
    // (~2 a second per account) so that a kill lands mid-stream.
    const { file, env } = worldAccountsFile(tmp.dir, Object.fromEntries(world.accounts.map((a) => [a.id, a])), {
      ratePerMinute: 120,
      capPerHour: 0,
      capPerDay: 0,
      gapMinMs: 400,
      gapMaxMs: 600,
    });
    const gwEnv = {
      ...env,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: PREFIX,
      GATEWAY_ACCOUNTS_FILE: file,
      WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
      SUPERVISOR_MAX_BACKOFF_SECONDS: '2',
      PUPPET_TIMEOUT_SECONDS: '60',
    };
    gateways.push(spawnGateway('gw-1', { ...gwEnv, GATEWAY_MAX_ACCOUNTS: '2' }));
    await until('gw-1 holds two accounts', async () => Object.values(await holders()).filter((h) => h === 'gw-1').length === 2, 45_000);
    gateways.push(spawnGateway('gw-2', gwEnv));
    await until('gw-2 holds the third', async () => Object.values(await holders()).filter((h) => h === 'gw-2').length === 1, 45_000);
    const before = await holders();
    const onGw1 = IDS.filter((id) => before[id] === 'gw-1');

    // The core: the real app, no world of its own; its accounts come through the gateways.
    app = await startApp({
      config: testConfig(path.join(tmp.dir, 'data'), {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: PREFIX,
        GATEWAYS: 'remote',
        // Longer than the takeover: replies of the moved accounts wait for them instead of rerouting.
        ACCOUNT_DOWN_GRACE_SECONDS: '120',
      }),
      logger: silentLogger(),
      accountsFile: file,
      capabilities: [membersCapability(path.join(SOP_DIR, 'membership.yaml'))],
    });
    expect(app.world).toBeNull();
    const core = app;
    await Promise.all(IDS.map((id) => core.hub.ready(id)));
    expect(IDS.map((id) => core.hub.state(id))).toEqual(['online', 'online', 'online']);
    expect(core.hub.selfIds().sort()).toEqual(world.accounts.map((a) => a.botId).sort());

    // Reach, read through each account's gateway at its login, matches the world.
    for (const id of IDS) {
      const w = world.account(id);
      await until(`reach of ${id} recorded`, () => core.reach.counts(id).contacts === w.friendIds().length && core.reach.counts(id).rooms === w.roomIds().length, 20_000);
      expect(core.reach.counts(id)).toEqual({ contacts: w.friendIds().length, rooms: w.roomIds().length });
    }
    // Members friends of two accounts exist, so "the account written to" is a real choice.
    const shared = members('hz01').filter((c) => members('hz02').includes(c) || members('hq').includes(c));
    expect(shared.length).toBeGreaterThan(2);

    /** `contact` writes 积分 to `account`; returns the message id once the core has recorded it. */
    const used = new Set<string>();
    const asks: { account: string; contact: string; id: string }[] = [];
    const ask = async (account: string, contact: string) => {
      used.add(contact);
      const id = await world.account(account).memberSays(contact, '积分');
      asks.push({ account, contact, id });
      return id;
    };
    const recorded = (ids: string[]) => core.db.select({ id: inboundMessages.id }).from(inboundMessages).where(inArray(inboundMessages.id, ids)).all().length === ids.length;
    const fresh = (account: string, n: number, pref?: (c: string) => boolean) => {
      const all = members(account).filter((c) => !used.has(c));
      return [...all.filter((c) => pref?.(c)), ...all.filter((c) => !pref?.(c))].slice(0, n);
    };
    const reachedByOther = (account: string) => (c: string) => IDS.some((o) => o !== account && members(o).includes(c));

    // 1. Each account: two members (friends of another account too, where there are) ask 积分.
    for (const id of IDS) for (const c of fresh(id, 2, reachedByOther(id))) await ask(id, c);
    await until('phase 1 answered', () => asks.every((a) => toContact(a.contact).length === 1), 30_000);

    // 2. A burst to gw-1's accounts; gw-1 is SIGKILLed once each has answered some, not all.
    const burst: string[] = [];
    for (const id of onGw1) for (const c of fresh(id, 6, reachedByOther(id))) burst.push(await ask(id, c));
    await until('the burst recorded at the core', () => recorded(burst), 20_000);
    const burstAsks = asks.filter((a) => burst.includes(a.id));
    await until('first burst replies out through gw-1', () => onGw1.every((id) => burstAsks.some((a) => a.account === id && toContact(a.contact).length > 0)), 20_000);
    const answeredAtKill = burstAsks.filter((a) => toContact(a.contact).length > 0).length;
    await gateways[0]!.kill();
    const killedAt = Date.now();
    expect(answeredAtKill).toBeLessThan(burstAsks.length);

    // Its accounts: leases taken by gw-2, then online again at the core, within 60 s of the kill.
    const leasesMs = await until('gw-2 holds every account', async () => Object.values(await holders()).every((h) => h === 'gw-2'), 60_000);
    await until('the moved accounts online at the core', () => onGw1.every((id) => core.hub.state(id) === 'online'), 60_000 - leasesMs);
    const backMs = Date.now() - killedAt;
    expect(backMs).toBeLessThan(60_000);

    // 3. After the move: members write to the moved accounts again and are answered from them.
    const after: string[] = [];
    for (const id of onGw1) for (const c of fresh(id, 2, reachedByOther(id))) after.push(await ask(id, c));
    await until('replies after the move', () => asks.filter((a) => after.includes(a.id)).every((a) => toContact(a.contact).length === 1), 45_000);

    // Every reply row settles: sent, or `unknown` when the kill caught it mid-send (never sent again).
    const rows = () => core.db.select().from(outbox).all();
    await until('every reply settled', () => rows().length === asks.length && rows().every((r) => r.status === 'sent' || r.status === 'unknown'), 90_000);
    const unknown = rows().filter((r) => r.status === 'unknown');
    expect(unknown.length).toBeLessThanOrEqual(onGw1.length);

    // Counted from the world: each member who asked got at most one message, exactly one when the
    // row says sent, and it came from the account they wrote to (a member reached by two accounts too).
    const sentTo = new Set(
      rows()
        .filter((r) => r.status === 'sent')
        .map((r) => r.targetId),
    );
    for (const a of asks) {
      const got = toContact(a.contact);
      expect(got.length, `${a.contact} answered ${got.length} times`).toBeLessThanOrEqual(1);
      if (sentTo.has(a.contact)) expect(got.length, `${a.contact}: row sent, not in the world`).toBe(1);
      if (got[0]) expect(got[0].account, `${a.contact} wrote to ${a.account}`).toBe(a.account);
      expect(got[0]?.text ?? '', a.contact).toMatch(/会员|积分/);
    }
    expect(rows().every((r) => r.account === asks.find((a) => a.contact === r.targetId)?.account)).toBe(true);
    expect(asks.filter((a) => reachedByOther(a.account)(a.contact)).length).toBeGreaterThan(3);
    console.log(
      `core + gateways: ${asks.length} 积分 replies over ${IDS.length} accounts; gw-1 (${onGw1.join(', ')}) killed with ${answeredAtKill}/${burstAsks.length} of its burst answered; leases on gw-2 after ${(leasesMs / 1000).toFixed(1)} s, online at the core after ${(backMs / 1000).toFixed(1)} s; ${unknown.length} unknown, 0 duplicates`,
    );
  }, 300_000);
});
