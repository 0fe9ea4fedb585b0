import { existsSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isAlive, procStat, terminatePid } from './process.js';
import { pingOnce, unixSocketUrl } from './url.js';

/** What {@link reapLeftover} found and did. */
export type LeftoverOutcome = { found: false } | { found: true; pid: number; via: 'pidfile' | 'socket' };

/**
 * Finds a redis-server left running for `dir` by an earlier start that never stopped it (a crash,
 * a SIGKILL where pdeathsig was not available, or a handle dropped without `stop()`), and ends it
 * (SIGTERM = graceful shutdown with the AOF fsynced, SIGKILL if it hangs) so that a fresh one can
 * start. Also clears a stale pidfile. A leftover is recognised by the pidfile (its process must be
 * a redis-server whose working directory is `dir`) or, failing that, by the unix socket in `dir`
 * answering PING.
 * @throws ConfigError when that server's parent is another live Node process (another bot on the
 * same DATA_DIR): stopping it would pull Redis from under a running bot.
 */
export async function reapLeftover(dir: string, files: { pidfile: string; socket: string }, logger?: Logger): Promise<LeftoverOutcome> {
  let pid = readPidfile(files.pidfile);
  let via: 'pidfile' | 'socket' = 'pidfile';
  if (pid !== null && !(isAlive(pid) && isRedisFor(pid, dir))) pid = null;
  if (pid === null && existsSync(files.socket) && (await pingOnce(unixSocketUrl(files.socket), 500))) {
    pid = await serverPid(files.socket);
    via = 'socket';
  }
  if (pid === null) {
    rmSync(files.pidfile, { force: true });
    return { found: false };
  }
  const owner = liveNodeParent(pid);
  if (owner !== null) {
    throw new ConfigError(
      `the Redis under ${dir} (pid ${pid}) belongs to another running process (pid ${owner}): stop that bot first, or give this one another DATA_DIR; for a rolling restart run both with REDIS_URL pointing at a Redis of their own (see README, Running in production)`,
    );
  }
  logger?.warn({ redisPid: pid, via, dir }, 'stopping a redis-server left over from an earlier run');
  if (!(await terminatePid(pid))) throw new Error(`could not stop the leftover redis-server (pid ${pid}) under ${dir}`);
  rmSync(files.pidfile, { force: true });
  return { found: true, pid, via };
}

function readPidfile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Linux: the process is a redis-server (by its title or binary) running in `dir`. Elsewhere: unknown, so false. */
function isRedisFor(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const exe = safeReadlink(`/proc/${pid}/exe`);
    const looksLikeRedis = /redis/.test(cmdline.split('\0')[0] ?? '') || /redis/.test(exe);
    return looksLikeRedis && safeReadlink(`/proc/${pid}/cwd`) === realpathSync(dir);
  } catch {
    return false;
  }
}

function safeReadlink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

async function serverPid(socket: string): Promise<number | null> {
  const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const m = /process_id:(\d+)/.exec(await client.info('server'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

/**
 * The parent's pid if the parent is alive, is not this process, and runs the same Node binary as
 * we do (i.e. very likely another bot); null if the server is orphaned (parent is init or a
 * subreaper), is ours, or this cannot be told (no /proc).
 */
function liveNodeParent(pid: number): number | null {
  const ppid = procStat(pid)?.ppid;
  if (ppid === undefined || ppid <= 1 || ppid === process.pid || !isAlive(ppid)) return null;
  try {
    return realpathSync(`/proc/${ppid}/exe`) === realpathSync(process.execPath) ? ppid : null;
  } catch {
    return null;
  }
}
