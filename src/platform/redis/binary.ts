import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';

/** The one-line message shown when `redis-server` cannot be found. */
export function missingRedisMessage(bin: string): string {
  return `redis-server not found (REDIS_SERVER_BIN=${bin}): install it with "sudo apt-get install -y redis-server" (Debian/Ubuntu) or set REDIS_URL to an existing Redis`;
}

/**
 * Finds an executable: a name is looked up on PATH, anything with a `/` is taken as a path
 * (relative to the current directory). Returns the absolute path, or null.
 */
export function findExecutable(bin: string, envPath = process.env['PATH'] ?? ''): string | null {
  const candidates = bin.includes('/')
    ? [path.resolve(bin)]
    : envPath
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, bin));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The absolute path of the `redis-server` binary named by REDIS_SERVER_BIN.
 * @throws ConfigError with {@link missingRedisMessage} when it is not there.
 */
export function resolveRedisBinary(bin: string): string {
  const found = findExecutable(bin);
  if (!found) throw new ConfigError(missingRedisMessage(bin));
  return found;
}

let setprivCache: string | null | undefined;

/**
 * The path of util-linux `setpriv` when it supports `--pdeathsig` (Linux), else null. Used to have
 * the kernel send SIGTERM to redis-server when the process that started it dies, even by SIGKILL.
 */
export function findSetpriv(): string | null {
  if (setprivCache !== undefined) return setprivCache;
  const found = process.platform === 'linux' ? findExecutable('setpriv') : null;
  setprivCache = null;
  if (found) {
    try {
      execFileSync(found, ['--pdeathsig', 'TERM', '--', 'true'], { stdio: 'ignore', timeout: 5000 });
      setprivCache = found;
    } catch {
      // too old (before util-linux 2.33) or not permitted
    }
  }
  return setprivCache;
}
