/**
 * `npm run setup`: makes this checkout runnable. Safe to run again at any time.
 * 1. checks Node (≥ 20);
 * 2. creates `.env` from `.env.example` if there is none (never overwrites);
 * 3. validates the configuration (`.env` + environment);
 * 4. finds `redis-server` (REDIS_SERVER_BIN or PATH) unless REDIS_URL is set; if it is missing and
 *    this runs as root with apt-get, installs Debian's `redis-server`, else says what to install
 *    and exits 1;
 * 5. creates the data directories;
 * 6. creates the SQLite database and applies its migrations.
 * Prints one ✓ line per step; on a problem, one line saying what to do, and exits 1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig, readEnvFile, type Config } from '../src/config.js';
import { ConfigError, errorMessage } from '../src/core/errors.js';
import { closeDb, openDb } from '../src/platform/db/client.js';
import { findExecutable, missingRedisMessage } from '../src/platform/redis/binary.js';
import { redactUrl } from '../src/platform/redis/provide.js';

const cwd = process.cwd();
const ok = (msg: string) => console.log(`✓ ${msg}`);
const warn = (msg: string) => console.log(`⚠ ${msg}`);
class SetupFailure extends Error {}

function checkNode(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new SetupFailure(`Node ${process.versions.node} is too old: install Node 20 or newer`);
  ok(`node ${process.version}`);
}

function ensureEnvFile(): void {
  const env = path.join(cwd, '.env');
  const example = path.join(cwd, '.env.example');
  if (existsSync(env)) return ok('.env present (left as is)');
  if (!existsSync(example)) throw new SetupFailure('.env.example is missing: restore it from git (git checkout -- .env.example)');
  copyFileSync(example, env);
  ok('.env created from .env.example (defaults: the simulated WeChat world)');
}

function readConfig(): Config {
  try {
    const config = loadConfig({ ...readEnvFile(cwd), ...process.env });
    ok(`config valid (${config.production ? `production: puppet-service at ${config.WECHATY_PUPPET_SERVICE_ENDPOINT}` : 'simulated world'}, timezone ${config.TIMEZONE})`);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupFailure(err.message);
    throw err;
  }
}

function ensureRedis(config: Config): void {
  if (config.REDIS_URL) {
    ok(`REDIS_URL set (${redactUrl(config.REDIS_URL)}): no local redis-server needed`);
    return;
  }
  const bin = config.REDIS_SERVER_BIN;
  let found = findExecutable(bin);
  if (!found && bin === 'redis-server' && canAptInstall()) {
    console.log("→ redis-server not found; installing Debian's package as root:");
    aptGet(['update']);
    aptGet(['install', '-y', '--no-install-recommends', 'redis-server']);
    found = findExecutable(bin) ?? findExecutable('/usr/bin/redis-server');
  }
  if (!found) throw new SetupFailure(missingRedisMessage(bin));
  const version = redisVersion(found);
  ok(`redis-server ${version ?? '(version unknown)'} at ${found}`);
  if (version && compareVersions(version, '6.2.0') < 0) warn(`BullMQ recommends Redis 6.2 or newer; ${version} may misbehave`);
}

function canAptInstall(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && findExecutable('apt-get') !== null;
}

function aptGet(args: string[]): void {
  console.log(`  $ apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0)
    throw new SetupFailure(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal}): install redis-server yourself, or set REDIS_URL to an existing Redis`);
}

function redisVersion(bin: string): string | null {
  try {
    return /v=(\d+\.\d+\.\d+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }))?.[1] ?? null;
  } catch {
    return null;
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function ensureDirs(config: Config): void {
  mkdirSync(config.DATA_DIR, { recursive: true });
  if (!config.REDIS_URL) mkdirSync(path.join(config.DATA_DIR, 'redis'), { recursive: true, mode: 0o700 });
  mkdirSync(path.dirname(path.resolve(config.DB_FILE)), { recursive: true });
  ok(`data directory ${config.DATA_DIR}/`);
}

function migrate(config: Config): void {
  const file = config.DB_FILE;
  const before = existsSync(file) ? countMigrations(file) : 0;
  try {
    closeDb(openDb(file));
  } catch (err) {
    throw new SetupFailure(`database ${file} could not be migrated: ${errorMessage(err)}`);
  }
  const after = countMigrations(file);
  ok(`database ${file}: ${after - before} migration(s) applied now, ${after} in all`);
}

function countMigrations(file: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    const row = db.prepare("select count(*) as n from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get() as { n: number };
    if (!row.n) return 0;
    return (db.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

try {
  checkNode();
  ensureEnvFile();
  const config = readConfig();
  ensureRedis(config);
  ensureDirs(config);
  migrate(config);
  console.log('setup done: `npm test` runs the tests, `npm start` starts the bot');
} catch (err) {
  if (err instanceof SetupFailure) {
    console.error(`✗ ${err.message}`);
    process.exit(1);
  }
  throw err;
}
