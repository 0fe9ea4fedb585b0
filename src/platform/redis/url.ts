import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../core/errors.js';

/** Where a Redis server listens: a unix socket path, or host and port. */
export type RedisTarget = { path: string; password?: string; db?: number } | { host: string; port: number; username?: string; password?: string; db?: number; tls?: object };

/**
 * Turns a Redis URL into ioredis connection options (no behaviour options such as retries).
 * Accepted forms:
 * - `unix:///abs/path/redis.sock` (optionally `?db=N&password=…`)
 * - `redis://[user:pass@]host:port[/db]` and `rediss://…` (TLS)
 * @throws ConfigError on any other form.
 * @example redisOptionsFromUrl('unix:///srv/siyu/data/redis/redis.sock') // { path: '/srv/siyu/data/redis/redis.sock' }
 */
export function redisOptionsFromUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`redis URL ${JSON.stringify(url)} is not valid: expected redis://host:port or unix:///path/to/redis.sock`);
  }
  const isUnix = u.protocol === 'unix:';
  const db = parseDb(u.searchParams.get('db') ?? (isUnix ? '' : u.pathname.replace(/^\//, '')), url);
  if (isUnix) {
    const path = decodeURIComponent(u.pathname);
    if (!path.startsWith('/')) throw new ConfigError(`redis URL ${JSON.stringify(url)} is not valid: a unix socket URL needs an absolute path (unix:///abs/path.sock)`);
    const password = u.searchParams.get('password') ?? (u.password ? decodeURIComponent(u.password) : undefined);
    return { path, ...(password ? { password } : {}), ...(db !== undefined ? { db } : {}) };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`redis URL ${JSON.stringify(url)} is not valid: expected redis://, rediss:// or unix://`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = u.port ? Number(u.port) : 6379;
  return {
    host,
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function parseDb(raw: string, url: string): number | undefined {
  if (raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`redis URL ${JSON.stringify(url)} is not valid: the database must be a number such as /0 or ?db=0`);
  return Number(raw);
}

/** The URL form of a unix socket path, as returned by {@link startManagedRedis}. */
export function unixSocketUrl(socketPath: string): string {
  return `unix://${socketPath.split('/').map(encodeURIComponent).join('/')}`;
}

/** Options for {@link createRedis}. */
export interface CreateRedisOptions {
  /**
   * A connection for a BullMQ Worker (or QueueEvents): `maxRetriesPerRequest: null`, so blocking
   * commands wait through reconnects instead of failing. Leave false for producers (Queue), which
   * should fail fast.
   */
  forWorker?: boolean;
  /** Shown by `CLIENT LIST`; handy when debugging who holds connections. */
  connectionName?: string;
  /** Anything else ioredis takes; wins over the defaults above. */
  extra?: RedisOptions;
}

/**
 * An ioredis client for a URL from {@link redisOptionsFromUrl}'s accepted forms.
 * @example const conn = createRedis(redisUrl, { forWorker: true }); new Worker(name, fn, { connection: conn })
 */
export function createRedis(url: string, opts: CreateRedisOptions = {}): Redis {
  return new Redis({
    ...redisOptionsFromUrl(url),
    ...(opts.forWorker ? { maxRetriesPerRequest: null } : {}),
    ...(opts.connectionName ? { connectionName: opts.connectionName } : {}),
    ...opts.extra,
  });
}

/**
 * One PING with no retries: resolves true on PONG, false on any failure within `timeoutMs`.
 * Never throws and leaves no connection behind.
 */
export async function pingOnce(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false, // its check waits a whole second while the server loads the AOF
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
