import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { createRedis } from '../platform/redis/url.js';
import { startTestRedis, type TestRedis } from '../../test/support/redis.js';
import { LeaseKeeper, Leases } from './lease.js';

let server: TestRedis;
let redis: Redis;
let prefix = '';
let n = 0;
const keepers: LeaseKeeper[] = [];

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedis(server.url);
});
beforeEach(() => {
  prefix = `lease${++n}`;
});
afterEach(async () => {
  await Promise.all(keepers.splice(0).map((k) => k.stop(false)));
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

function keeper(owner: string, accounts: string[], opts: ConstructorParameters<typeof LeaseKeeper>[3]) {
  const k = new LeaseKeeper(new Leases(redis, prefix, owner), () => accounts, silentLogger(), opts);
  keepers.push(k);
  return k;
}

/** Collects `count` acquired accounts of a keeper. */
function acquired(k: LeaseKeeper, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => {
    const l = (a: string) => {
      got.push(a);
      if (got.length === count) {
        k.off('acquired', l);
        resolve(got.sort());
      }
    };
    k.on('acquired', l);
  });
}

describe('leases', () => {
  it('one owner at a time: the second is refused, and only the owner renews or releases', async () => {
    const a = new Leases(redis, prefix, 'gw-a');
    const b = new Leases(redis, prefix, 'gw-b');
    expect(await a.tryAcquire('HZ01', 10_000)).toBe(true);
    expect(await b.tryAcquire('HZ01', 10_000)).toBe(false);
    expect(await a.holder('HZ01')).toBe('gw-a');
    expect(await b.renew(['HZ01'], 10_000)).toEqual([false]);
    expect(await b.release('HZ01')).toBe(false);
    expect(await a.holder('HZ01')).toBe('gw-a');
    expect(await a.renew(['HZ01', 'HZ02'], 10_000)).toEqual([true, false]);
    expect(await a.release('HZ01')).toBe(true);
    expect(await b.tryAcquire('HZ01', 10_000)).toBe(true);
  });

  it('a lease not renewed expires after its ttl and another owner takes it', async () => {
    const a = new Leases(redis, prefix, 'gw-a');
    const b = new Leases(redis, prefix, 'gw-b');
    expect(await a.tryAcquire('HZ01', 300)).toBe(true);
    const pttl = await redis.pttl(`${prefix}:gw:lease:HZ01`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    expect(await b.tryAcquire('HZ01', 300)).toBe(false);
    // Renewed by its owner, the lease outlives its first ttl.
    expect(await a.renew(['HZ01'], 10_000)).toEqual([true]);
    expect(await redis.pttl(`${prefix}:gw:lease:HZ01`)).toBeGreaterThan(300);
    await a.renew(['HZ01'], 1);
    // PEXPIRE of 1 ms: gone once Redis has expired it; the next SET NX wins.
    while (await redis.exists(`${prefix}:gw:lease:HZ01`)) await new Promise((r) => setImmediate(r));
    expect(await b.tryAcquire('HZ01', 300)).toBe(true);
    expect(await a.renew(['HZ01'], 300)).toEqual([false]);
  });
});

describe('lease keeper', () => {
  it('takes free accounts up to its limit, a second keeper the rest; none is held twice', async () => {
    const accounts = ['A1', 'A2', 'A3', 'A4', 'A5'];
    const k1 = keeper('gw-1', accounts, { ttlMs: 5000, scanMs: 100, maxAccounts: 3 });
    const got1 = acquired(k1, 3);
    k1.start();
    expect(await got1).toEqual(['A1', 'A2', 'A3']);
    const k2 = keeper('gw-2', accounts, { ttlMs: 5000, scanMs: 100 });
    const got2 = acquired(k2, 2);
    k2.start();
    expect(await got2).toEqual(['A4', 'A5']);
    const holders = await Promise.all(accounts.map((a) => redis.get(`${prefix}:gw:lease:${a}`)));
    expect(holders).toEqual(['gw-1', 'gw-1', 'gw-1', 'gw-2', 'gw-2']);
    expect(k1.accounts().filter((a) => k2.accounts().includes(a))).toEqual([]);
  });

  it("takes a dead keeper's accounts within ttl + scan; the dead one's renewal then fails", async () => {
    const accounts = ['B1', 'B2'];
    const ttlMs = 600;
    const scanMs = 100;
    const dead = keeper('gw-dead', accounts, { ttlMs, scanMs });
    const got = acquired(dead, 2);
    dead.start();
    await got;
    const heir = keeper('gw-heir', accounts, { ttlMs, scanMs });
    heir.start();
    await heir.scanNow();
    expect(heir.accounts()).toEqual([]);
    // The dead keeper stops renewing without releasing (a SIGKILL leaves its leases in Redis).
    await dead.stop(false);
    const diedAt = Date.now();
    const taken = acquired(heir, 2);
    expect(await taken).toEqual(['B1', 'B2']);
    const elapsed = Date.now() - diedAt;
    expect(elapsed).toBeLessThan(ttlMs + scanMs + 500);
    expect(await new Leases(redis, prefix, 'gw-dead').renew(accounts, ttlMs)).toEqual([false, false]);
  });

  it('a keeper whose lease was taken tells `lost` at its next renewal', async () => {
    const k = keeper('gw-1', ['C1'], { ttlMs: 5000, renewMs: 50, scanMs: 60_000 });
    const got = acquired(k, 1);
    k.start();
    await got;
    await redis.set(`${prefix}:gw:lease:C1`, 'gw-other');
    const [account, reason] = (await once(k, 'lost')) as [string, string];
    expect(account).toBe('C1');
    expect(reason).toMatch(/taken by another gateway/);
    expect(k.accounts()).toEqual([]);
  });

  it('stop releases the leases so another gateway can take them at once', async () => {
    const k = keeper('gw-1', ['D1'], { ttlMs: 60_000, scanMs: 60_000 });
    const got = acquired(k, 1);
    k.start();
    await got;
    await k.stop(true);
    expect(await redis.get(`${prefix}:gw:lease:D1`)).toBeNull();
  });
});
