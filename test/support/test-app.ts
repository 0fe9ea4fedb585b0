import { afterAll, beforeAll } from 'vitest';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { isolateWechaty } from '../../src/platform/wechaty/testing.js';
import type { World } from '../../src/platform/wechaty/world/server.js';
import { tempDir } from './harness.js';
import { useTestRedis, type RedisFixture } from './redis-fixture.js';

/** What {@link useTestApp} gives a test file (read it in hooks and tests, not at import time). */
export interface TestApp {
  /** The running app, logged in to the simulated world. */
  readonly app: App;
  /** The simulated WeChat world the app runs against. */
  readonly world: World;
  /** This file's temp folder (removed after the last test). */
  readonly tmp: { dir: string; remove(): void };
  readonly redis: RedisFixture;
}

/**
 * One app for a test file, in the simulated world with its own redis-server ({@link useTestRedis}):
 * before the file's tests, the Wechaty home is isolated, a temp folder made, the app started with the
 * options `options(tmpDir, redisUrl)` returns and awaited until it has logged in; after them, the app
 * is stopped, the temp folder removed, the home restored and redis-server stopped, in that order.
 * `options` runs inside the set-up: it may write playbooks into the temp folder first.
 * @example
 * const t = useTestApp('siyu-members-e2e-', (dir, redisUrl) => ({
 *   config: testConfig(dir, { REDIS_URL: redisUrl, QUEUE_PREFIX: 'mem' }), logger: silentLogger(), capabilities: [membersCapability('sop/membership.yaml')],
 * }));
 * it('answers', async () => { await t.world.memberSays('m001', '积分'); });
 */
export function useTestApp(tmpPrefix: string, options: (tmpDir: string, redisUrl: string) => AppOptions): TestApp {
  const redis = useTestRedis();
  let tmp: ReturnType<typeof tempDir> | undefined;
  let restoreHome: (() => void) | undefined;
  let app: App | undefined;
  beforeAll(async () => {
    restoreHome = isolateWechaty();
    tmp = tempDir(tmpPrefix);
    app = await startApp(options(tmp.dir, redis.url));
    await app.ready;
  });
  afterAll(async () => {
    await app?.stop();
    tmp?.remove();
    restoreHome?.();
  });
  const started = (): App => {
    if (!app) throw new Error('useTestApp: the app starts in beforeAll; read .app and .world in hooks and tests');
    return app;
  };
  return {
    get app() {
      return started();
    },
    get world() {
      return started().world!;
    },
    get tmp() {
      if (!tmp) throw new Error('useTestApp: the temp folder is made in beforeAll');
      return tmp;
    },
    redis,
  };
}
