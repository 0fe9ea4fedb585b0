import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Logger } from '../../core/logger.js';
import { findSetpriv } from './binary.js';
import { pingOnce } from './url.js';

/** A redis-server child process started by {@link launchRedis}. */
export interface RedisChild {
  readonly pid: number;
  /** Resolves when the process has ended (never rejects). */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** The last lines redis-server printed, for error messages. */
  tail(): string;
  /** SIGTERM (a graceful SHUTDOWN: AOF fsynced), SIGKILL after `graceMs`; waits for the exit. Memoised. */
  stop(graceMs?: number): Promise<void>;
}

export interface LaunchOptions {
  /** Absolute path of redis-server (see resolveRedisBinary). */
  bin: string;
  args: string[];
  logger?: Logger;
  /** What the logs call this server. */
  label?: string;
}

const TAIL_LINES = 20;

/**
 * Spawns redis-server in its own process group (so a terminal's Ctrl-C reaches the bot, which
 * drains and then stops redis, rather than redis itself). On Linux it is started through
 * `setpriv --pdeathsig TERM`, so the kernel shuts it down when the process that started it dies,
 * even by SIGKILL. The child does not keep the event loop alive.
 */
export function launchRedis(opts: LaunchOptions): RedisChild {
  const setpriv = findSetpriv();
  const [cmd, args] = setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', opts.bin, ...opts.args]] : [opts.bin, opts.args];
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stopping = false;
  let ended = false;
  let spawnError: Error | undefined;
  const log = opts.logger?.child({ component: opts.label ?? 'redis' });

  const partial = { stdout: '', stderr: '' };
  const collect = (from: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const parts = (partial[from] + chunk.toString('utf8')).split('\n');
    partial[from] = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      log?.debug({ line }, 'redis-server output');
    }
  };
  child.stdout?.on('data', collect('stdout'));
  child.stderr?.on('data', collect('stderr'));

  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      ended = true;
      resolve();
    });
    child.once('exit', (code, signal) => {
      ended = true;
      if (!stopping) log?.error({ code, signal, tail: lines.slice(-5) }, 'redis-server exited unexpectedly');
      resolve();
    });
  });
  unrefChild(child);

  let stopPromise: Promise<void> | undefined;
  const handle: RedisChild = {
    pid: child.pid ?? -1,
    exited,
    hasExited: () => ended,
    tail: () => [spawnError?.message, ...lines, partial.stdout, partial.stderr].filter(Boolean).join('\n'),
    stop: (graceMs = 10_000) =>
      (stopPromise ??= stopChild(
        child,
        exited,
        () => ended,
        graceMs,
        () => (stopping = true),
      )),
  };
  return handle;
}

function unrefChild(child: ChildProcess): void {
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
}

async function stopChild(child: ChildProcess, exited: Promise<void>, ended: () => boolean, graceMs: number, markStopping: () => void): Promise<void> {
  markStopping();
  if (ended()) return;
  child.ref(); // keep the process alive until redis has really gone
  try {
    child.kill('SIGTERM');
    if (!(await within(exited, graceMs))) {
      child.kill('SIGKILL');
      await within(exited, 5000);
    }
  } finally {
    child.unref();
  }
}

/** Resolves true if `p` settles within `ms`, false otherwise; clears its timer either way. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls PING on `url` until it answers, the child ends, or `timeoutMs` passes.
 * @throws Error naming the URL, with redis-server's last output.
 */
export async function waitForRedis(url: string, child: RedisChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    if (child.hasExited()) break;
    if (await pingOnce(url, Math.min(1000, Math.max(50, deadline - Date.now())))) return;
    if (Date.now() >= deadline || child.hasExited()) break;
    await within(child.exited, Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, 200);
  }
  const tail = child.tail();
  const why = child.hasExited() ? 'exited before answering PING' : `did not answer PING within ${timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`;
  throw new Error(`redis-server (pid ${child.pid}) ${why} at ${url}; its last output:\n${tail || '(nothing)'}`);
}

/** True if a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  return stat ? stat.state !== 'Z' && stat.state !== 'X' : true;
}

/** State and parent pid from /proc/<pid>/stat (Linux), or null. */
export function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/**
 * Ends a process that is not our child: SIGTERM, then SIGKILL after `graceMs`, polling until it
 * is gone. Resolves true if it is gone.
 */
export async function terminatePid(pid: number, graceMs = 10_000): Promise<boolean> {
  const gone = (ms: number) => pollUntil(() => !isAlive(pid), ms);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return !isAlive(pid);
  }
  if (await gone(graceMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  return gone(5000);
}

/** Polls `check` (10 ms growing to 100 ms) until it is true or `timeoutMs` passes. */
export async function pollUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
    delay = Math.min(delay * 2, 100);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the caller retries if it is taken meanwhile). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Options for {@link launchAndWait}. */
export interface LaunchAndWaitOptions extends LaunchOptions {
  /** The URL the server will answer on once it is up. */
  url: string;
  timeoutMs: number;
}

/** {@link launchRedis} then {@link waitForRedis}; on failure the child is stopped before the error is thrown. */
export async function launchAndWait(opts: LaunchAndWaitOptions): Promise<RedisChild> {
  const child = launchRedis(opts);
  try {
    await waitForRedis(opts.url, child, opts.timeoutMs);
    return child;
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
}

/**
 * Starts redis-server on a free 127.0.0.1 port: `argsFor(port)` gives its arguments. A port taken
 * between choosing and binding is retried with another one (3 tries).
 */
export async function launchOnFreePort(
  opts: Omit<LaunchAndWaitOptions, 'args' | 'url'> & { argsFor: (port: number) => string[] },
): Promise<{ child: RedisChild; url: string; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    try {
      const child = await launchAndWait({ ...opts, args: opts.argsFor(port), url });
      return { child, url, port };
    } catch (err) {
      if (attempt >= 3 || !/already in use/i.test(String(err))) throw err;
    }
  }
}
