import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/platform/redis/process.js';
import { createRedis } from '../../src/platform/redis/url.js';
import { flushAll, startTestRedis } from './redis.js';

describe('startTestRedis', () => {
  it('starts a throwaway server on 127.0.0.1, flushAll empties it, stop() ends it', async () => {
    const redis = await startTestRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      const client = createRedis(redis.url);
      await client.set('a', '1');
      await flushAll(redis.url);
      expect(await client.dbsize()).toBe(0);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      await client.quit();
    } finally {
      await redis.stop();
    }
    expect(isAlive(redis.pid)).toBe(false);
  });

  it('gives parallel callers distinct servers', async () => {
    const servers = await Promise.all([startTestRedis(), startTestRedis(), startTestRedis()]);
    expect(new Set(servers.map((s) => s.port)).size).toBe(3);
    await Promise.all(servers.map((s) => s.stop()));
  });
});
