import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { findSetpriv, resolveRedisBinary } from './binary.js';
import { startManagedRedis, type ManagedRedis } from './managed.js';
import { isAlive, pollUntil } from './process.js';
import { createRedis, pingOnce } from './url.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'siyu-managed-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dataDir: string): Promise<ManagedRedis> {
  const redis = await startManagedRedis({ dataDir });
  cleanups.push(() => redis.stop());
  return redis;
}

const aofFiles = (dataDir: string) => {
  const dir = path.join(dataDir, 'redis', 'appendonlydir'); // Redis 7 multi-part AOF
  return existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : [];
};

describe('startManagedRedis', () => {
  it('runs a redis on a unix socket under <dataDir>/redis with an AOF, and stop() leaves no process', async () => {
    const dataDir = tempDataDir();
    const redis = await start(dataDir);
    expect(redis.owned).toBe(true);
    expect(redis.url).toBe(`unix://${path.join(dataDir, 'redis', 'redis.sock')}`);
    expect(isAlive(redis.pid)).toBe(true);

    const client = createRedis(redis.url);
    expect(await client.ping()).toBe('PONG');
    await client.set('k', 'v');
    await client.quit();
    const incr = () => aofFiles(dataDir).filter((f) => f.endsWith('.incr.aof'));
    expect(await pollUntil(() => incr().some((f) => statSync(f).size > 0), 5000)).toBe(true);

    const first = redis.stop();
    expect(redis.stop()).toBe(first); // memoised
    await first;
    expect(isAlive(redis.pid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'redis', 'redis.pid'))).toBe(false);
    await redis.stop(); // idempotent
  });

  it('keeps data across a restart (AOF)', async () => {
    const dataDir = tempDataDir();
    const a = await start(dataDir);
    const c1 = createRedis(a.url);
    await c1.set('survives', 'yes');
    await c1.quit();
    await a.stop();

    const b = await start(dataDir);
    const c2 = createRedis(b.url);
    expect(await c2.get('survives')).toBe('yes');
    await c2.quit();
  });

  it('replaces a server left running by an earlier start for the same dir, leaving no orphan', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir); // its handle is then "lost": never stopped by its owner
    const second = await start(dataDir);
    expect(second.pid).not.toBe(first.pid);
    expect(isAlive(first.pid)).toBe(false);
    expect(await pingOnce(second.url)).toBe(true);

    await first.stop(); // the stale handle must not touch the new server
    expect(await pingOnce(second.url)).toBe(true);
    await second.stop();
    expect(isAlive(second.pid)).toBe(false);
  });

  it('replaces an orphaned server whose parent is gone (started outside the bot)', async () => {
    const dataDir = tempDataDir();
    const dir = path.join(dataDir, 'redis');
    const bin = resolveRedisBinary('redis-server');
    // a shell that backgrounds redis and exits: redis is re-parented, as after a crash without pdeathsig
    const sh = spawn(
      '/bin/sh',
      [
        '-c',
        `mkdir -p "$1" && "$2" --port 0 --unixsocket "$1/redis.sock" --dir "$1" --pidfile "$1/redis.pid" --daemonize no --logfile "$1/orphan.log" </dev/null >/dev/null 2>&1 &`,
        'sh',
        dir,
        bin,
      ],
      { stdio: 'ignore' },
    );
    await new Promise((r) => sh.once('exit', r));
    const socketUrl = `unix://${path.join(dir, 'redis.sock')}`;
    expect(await pollUntil(() => pingOnce(socketUrl, 200), 10_000)).toBe(true);
    const orphanPid = await serverPid(socketUrl);
    cleanups.push(() => killQuietly(orphanPid));

    const redis = await start(dataDir);
    expect(redis.pid).not.toBe(orphanPid);
    expect(isAlive(orphanPid)).toBe(false);
    expect(await pingOnce(redis.url)).toBe(true);
  });

  it.skipIf(findSetpriv() === null)('does not outlive a bot killed with SIGKILL, and the next start works', async () => {
    const dataDir = tempDataDir();
    const bot = spawnFixture(dataDir);
    const { pid } = await firstLine<{ pid: number; url: string }>(bot);
    cleanups.push(() => killQuietly(pid));
    expect(isAlive(pid)).toBe(true);

    // while that bot lives, another start on the same dir refuses instead of pulling Redis from under it
    await expect(startManagedRedis({ dataDir })).rejects.toThrow(/belongs to another running process/);

    bot.kill('SIGKILL');
    expect(await pollUntil(() => !isAlive(pid), 10_000)).toBe(true);

    const redis = await start(dataDir);
    expect(await pingOnce(redis.url)).toBe(true);
  });

  it('falls back to a 127.0.0.1 port when the socket path would be too long', async () => {
    const base = tempDataDir();
    const dataDir = path.join(base, 'x'.repeat(100));
    const redis = await start(dataDir);
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await pingOnce(redis.url)).toBe(true);
    await redis.stop();
    expect(isAlive(redis.pid)).toBe(false);
  });

  it('reports the last output of a server that exits instead of starting', async () => {
    const dataDir = tempDataDir();
    const bin = fakeBinary(dataDir, 'echo "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***" >&2; exit 1');
    await expect(startManagedRedis({ dataDir, bin })).rejects.toThrow(/exited before answering PING[\s\S]*FATAL CONFIG FILE ERROR/);
  });

  it('gives up after the deadline on a server that never answers, and leaves no process', async () => {
    const dataDir = tempDataDir();
    const pidFile = path.join(dataDir, 'fake.pid');
    const bin = fakeBinary(dataDir, `echo $$ > "${pidFile}"; echo "stuck"; exec sleep 60`);
    await expect(startManagedRedis({ dataDir, bin, readyTimeoutMs: 300 })).rejects.toThrow(/did not answer PING within 300 ms[\s\S]*stuck/);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('throws a ConfigError with the install hint when the binary is missing', async () => {
    const dataDir = tempDataDir();
    const err = await startManagedRedis({ dataDir, bin: 'redis-server-does-not-exist' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'redis-server not found (REDIS_SERVER_BIN=redis-server-does-not-exist): install it with "sudo apt-get install -y redis-server" (Debian/Ubuntu) or set REDIS_URL to an existing Redis',
    );
    await expect(startManagedRedis({ dataDir, bin: '/nonexistent/redis-server' })).rejects.toBeInstanceOf(ConfigError);
  });
});

/** An executable shell script standing in for redis-server. */
function fakeBinary(dir: string, body: string): string {
  const file = path.join(dir, 'fake-redis-server');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function spawnFixture(dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'managed.fixture.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  return child;
}

/** The first stdout line of `child`, parsed as JSON; rejects with its stderr if it exits first. */
function firstLine<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as T);
    });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before printing: ${err}`)));
  });
}

async function serverPid(url: string): Promise<number> {
  const client = createRedis(url);
  try {
    return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  } finally {
    client.disconnect();
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
