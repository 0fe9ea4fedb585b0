import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A `npm run gateway` process started by a test: a real child, so SIGKILL is real. */
export interface GatewayProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** What it wrote to stderr (its logs at LOG_LEVEL, JSON). */
  readonly output: string[];
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), and wait for the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Writes the accounts registry (the format of `sop/accounts.yaml`, read by the core and the gateways
 * alike) for `hosts` (one account per entry, its token read from `TOKEN_<id>`) and returns it with
 * the environment holding the tokens. Budget 0 (no pacing) unless `budget` says otherwise.
 */
export function worldAccountsFile(
  dir: string,
  hosts: Record<string, { endpoint: string; token: string }>,
  budget: Record<string, number> = { ratePerMinute: 0, capPerHour: 0, capPerDay: 0, gapMinMs: 0, gapMaxMs: 0 },
): { file: string; env: Record<string, string> } {
  const file = path.join(dir, 'accounts.yaml');
  const env: Record<string, string> = {};
  const accounts = Object.entries(hosts).map(([id, w]) => {
    env[`TOKEN_${id.replace(/[^A-Za-z0-9_]/g, '_')}`] = w.token;
    return { id, name: id, role: 'store', endpoint: w.endpoint, token: { env: `TOKEN_${id.replace(/[^A-Za-z0-9_]/g, '_')}` } };
  });
  // JSON is YAML: the registry loader reads it as it reads sop/accounts.yaml.
  writeFileSync(file, JSON.stringify({ defaults: { budget }, accounts }, null, 2));
  return { file, env };
}

/** Starts `src/gateway/main.ts` with `env` over a clean environment (PATH and HOME kept). */
export function spawnGateway(id: string, env: Record<string, string>): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/gateway/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_PRETTY: 'false', LOG_LEVEL: 'warn', GATEWAY_ID: id, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(String(d)));
  child.stderr?.on('data', (d: Buffer) => output.push(String(d)));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    id,
    child,
    output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls `check` (a fact read from outside the process under test: Redis, a world, the store) until it holds; fails after `timeoutMs`. Returns the time it took. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}
