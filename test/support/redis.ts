import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveRedisBinary } from '../../src/platform/redis/binary.js';
import { launchOnFreePort } from '../../src/platform/redis/process.js';
import { createRedis } from '../../src/platform/redis/url.js';

/** A throwaway redis-server for one test file. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Shuts the server down, waits for it to exit and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server on a free 127.0.0.1 port with a temp dir and no persistence, for
 * integration tests. Same launcher as the managed server: its own process group, and tied to this
 * process by pdeathsig, so a crashed test run leaves nothing behind.
 * Uses REDIS_SERVER_BIN when set.
 * @throws ConfigError with the install hint when redis-server is missing.
 * @example
 * let redis: TestRedis;
 * beforeAll(async () => { redis = await startTestRedis(); });
 * afterAll(() => redis.stop());
 */
export async function startTestRedis(): Promise<TestRedis> {
  const bin = resolveRedisBinary(process.env['REDIS_SERVER_BIN'] || 'redis-server');
  const dir = mkdtempSync(path.join(tmpdir(), 'siyu-test-redis-'));
  try {
    const { child, url, port } = await launchOnFreePort({
      bin,
      label: 'test-redis',
      timeoutMs: 10_000,
      argsFor: (p) => [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--logfile',
        '',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
    });
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= child.stop(5000).finally(() => rmSync(dir, { recursive: true, force: true })));
    return { url, port, pid: child.pid, stop };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Empties every database of the server at `url` (between tests). */
export async function flushAll(url: string): Promise<void> {
  const client = createRedis(url);
  try {
    await client.flushall();
  } finally {
    await client.quit();
  }
}
