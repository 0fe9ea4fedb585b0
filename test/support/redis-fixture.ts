import { afterAll, afterEach, beforeAll } from 'vitest';
import { flushAll, startTestRedis, type TestRedis } from './redis.js';

/** What {@link useTestRedis} gives a test file. */
export interface RedisFixture {
  /** `redis://127.0.0.1:<port>` of this file's server (read it in hooks and tests, not at import time). */
  readonly url: string;
  /** The server itself (to stop it on purpose, e.g. a Redis-loss test). */
  readonly server: TestRedis;
}

/**
 * The one Redis fixture of the integration tests: a throwaway redis-server for the test file, started
 * before its first `beforeAll` that comes later in the file and stopped after its last `afterAll` (vitest
 * runs after-hooks in reverse order, so the file's own clean-up, e.g. `app.stop()`, runs first).
 * `flush: 'each'` empties it after every test (after the file's own `afterEach`).
 * @example
 * const redis = useTestRedis({ flush: 'each' });
 * beforeAll(async () => { app = await startApp({ config: testConfig(dir, { REDIS_URL: redis.url }) }); });
 */
export function useTestRedis(opts: { flush?: 'each' | 'never' } = {}): RedisFixture {
  let server: TestRedis | undefined;
  beforeAll(async () => {
    server = await startTestRedis();
  });
  if (opts.flush === 'each') {
    afterEach(async () => {
      if (server) await flushAll(server.url);
    });
  }
  afterAll(async () => {
    await server?.stop();
  });
  const started = (): TestRedis => {
    if (!server) throw new Error('useTestRedis: the server starts in beforeAll; read .url in hooks and tests');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get server() {
      return started();
    },
  };
}
