/**
 * The bot's own Redis: a redis-server child with its data under `<DATA_DIR>/redis/`.
 *
 * How it never outlives the bot (orphan prevention), in layers:
 * 1. Parent-death signal: on Linux the server is started through `setpriv --pdeathsig TERM`
 *    (util-linux, on every Debian/Ubuntu), so the kernel sends it SIGTERM the moment the bot's
 *    process ends for any reason, SIGKILL included. SIGTERM makes redis fsync its AOF and exit,
 *    so nothing acknowledged is lost. No watchdog process, no polling.
 * 2. Reaping on the next start: redis writes `<dir>/redis.pid`. Before starting, a live
 *    redis-server found through that pidfile (checked in /proc: a redis binary whose working
 *    directory is `<dir>`) or answering on `<dir>/redis.sock` is stopped (SIGTERM, then SIGKILL)
 *    and a fresh one started. Replacing rather than reusing it means the new server carries the
 *    parent-death tie to this process and this version's flags; the AOF makes the restart lossless
 *    and it costs a few tens of milliseconds. If that server's parent is another live Node
 *    process (a second bot on the same DATA_DIR), start fails with a ConfigError instead.
 * 3. Its own process group: a terminal's Ctrl-C reaches only the bot, which drains its workers and
 *    then calls `stop()`; redis is not pulled away mid-drain.
 * Where setpriv is missing (not Linux) only layers 2 and 3 apply: a SIGKILLed bot leaves redis
 * running until the next start reaps it.
 *
 * It listens only on a unix socket `<dir>/redis.sock` (mode 700, `--port 0`): no port to clash
 * with, nothing reachable from the network, no password needed. If that path is too long for a
 * socket (over 100 bytes), it listens on a free 127.0.0.1 port instead.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../core/logger.js';
import { resolveRedisBinary } from './binary.js';
import { reapLeftover } from './leftover.js';
import { launchAndWait, launchOnFreePort, type RedisChild } from './process.js';
import { unixSocketUrl } from './url.js';

export { createRedis, redisOptionsFromUrl, type CreateRedisOptions, type RedisTarget } from './url.js';

/** Options for {@link startManagedRedis}. */
export interface ManagedRedisOptions {
  /** DATA_DIR; the server's files go to `<dataDir>/redis/`. */
  dataDir: string;
  /** REDIS_SERVER_BIN: a name looked up on PATH, or a path. Default `redis-server`. */
  bin?: string;
  logger?: Logger;
  /** How long to wait for the first PONG. Default 10 s. */
  readyTimeoutMs?: number;
}

/** A Redis this process uses; `stop()` is idempotent. */
export interface RedisHandle {
  /** `unix:///abs/…/redis.sock` or `redis://127.0.0.1:<port>`: give it to createRedis / redisOptionsFromUrl. */
  readonly url: string;
  /** The server's pid when it runs on this machine under our control, else null. */
  readonly pid: number | null;
  /** True when this process started the server and `stop()` shuts it down; false for an external REDIS_URL. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

/** The bot's own redis-server. */
export interface ManagedRedis extends RedisHandle {
  readonly pid: number;
  readonly owned: true;
  /** `<dataDir>/redis`, absolute. */
  readonly dir: string;
  /**
   * Resolves when the server process has ended, whether through `stop()` or not: the composition
   * root can watch it and shut the bot down (exit non-zero) if Redis dies under it.
   */
  readonly exited: Promise<void>;
}

/** Longest unix socket path we use; the kernel limit is 107 bytes on Linux, 103 on macOS. */
const MAX_SOCKET_PATH = 100;

/**
 * Starts the bot's own redis-server (AOF on, data under `<dataDir>/redis/`), after stopping any
 * leftover of an earlier run for the same directory, and waits until it answers PING.
 * @throws ConfigError when the binary is missing (with the install hint) or another running bot
 * owns that directory's server; Error with redis-server's last output if it does not come up.
 * @example const redis = await startManagedRedis({ dataDir: config.DATA_DIR, bin: config.REDIS_SERVER_BIN, logger })
 */
export async function startManagedRedis(opts: ManagedRedisOptions): Promise<ManagedRedis> {
  const bin = resolveRedisBinary(opts.bin ?? 'redis-server');
  const dir = path.resolve(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { pidfile: path.join(dir, 'redis.pid'), socket: path.join(dir, 'redis.sock') };
  await reapLeftover(dir, files, opts.logger);

  const common = [
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--pidfile',
    files.pidfile,
    '--logfile',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  const base = { bin, logger: opts.logger, label: 'redis', timeoutMs: opts.readyTimeoutMs ?? 10_000 };
  let child: RedisChild;
  let url: string;
  if (Buffer.byteLength(files.socket) <= MAX_SOCKET_PATH) {
    url = unixSocketUrl(files.socket);
    child = await launchAndWait({ ...base, url, args: ['--port', '0', '--unixsocket', files.socket, '--unixsocketperm', '700', ...common] });
  } else {
    ({ child, url } = await launchOnFreePort({ ...base, argsFor: (port) => ['--port', String(port), '--bind', '127.0.0.1', ...common] }));
  }
  opts.logger?.info({ redisPid: child.pid, url, dir }, 'redis-server started');

  let stopped: Promise<void> | undefined;
  return {
    url,
    pid: child.pid,
    owned: true,
    dir,
    exited: child.exited,
    stop: () =>
      (stopped ??= child.stop().then(() => {
        opts.logger?.info({ redisPid: child.pid }, 'redis-server stopped');
      })),
  };
}
