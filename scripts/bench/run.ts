/**
 * `npm run bench`: throughput of the one way in (Ingest) and the one way out (Outbox + Sender),
 * each next to a raw baseline measured in the same run (better-sqlite3 inserts; bare BullMQ).
 * Starts its own redis-server and temp SQLite files and removes them at the end.
 *
 * Sizes: --n-ingest N (default 200000), --n-outbox N (default 20000), or BENCH_SCALE=0.05 (or
 * --scale 0.05) to shrink both; --only ingest|outbox to run one side.
 * Always exits 0 when the measurements ran (it is a report); 1 only when the bench itself broke.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveRedisBinary } from '../../src/platform/redis/binary.js';
import { startTestRedis, type TestRedis } from '../../test/support/redis.js';
import { makeInbound, makePopulation, seededRandom } from './data.js';
import { watchProcessCpu } from './measure.js';
import { INGEST_BURST, benchIngest, benchRawInsert } from './ingest.js';
import { benchCapabilities, type CapabilityCheck } from './capabilities.js';
import { benchSendPath } from './send-path.js';
import { benchAccounts } from './accounts.js';
import { OUTBOX_CHUNK, OUTBOX_CONCURRENCY, benchOutbox, benchRawBullmq, makeReplies } from './outbox.js';
import { opsPerSecond, ratioToBaseline, renderTable, type Measurement } from './table.js';

interface Args {
  nIngest: number;
  nOutbox: number;
  scale: number;
  only: 'ingest' | 'outbox' | 'capabilities' | 'sendpath' | 'accounts' | null;
  sendPathSeconds: number;
  /** Simulated accounts of the accounts bench (0: skip it). */
  accounts: number;
  gateways: number;
}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    flags.set(k, v);
  }
  for (const k of flags.keys()) {
    if (!['n-ingest', 'n-outbox', 'scale', 'only', 'sendpath-seconds', 'accounts', 'gateways'].includes(k))
      throw new Error(`unknown flag --${k} (known: --n-ingest, --n-outbox, --scale, --only, --sendpath-seconds, --accounts, --gateways)`);
  }
  const num = (s: string, what: string) => {
    const n = Number(s.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a non-negative number, got ${s}`);
    return n;
  };
  const scale = num(flags.get('scale') ?? process.env['BENCH_SCALE'] ?? '1', 'scale');
  const only = flags.get('only') ?? null;
  if (only !== null && only !== 'ingest' && only !== 'outbox' && only !== 'capabilities' && only !== 'sendpath' && only !== 'accounts')
    throw new Error('--only takes ingest, outbox, sendpath, capabilities or accounts');
  return {
    nIngest: Math.round(flags.has('n-ingest') ? num(flags.get('n-ingest')!, '--n-ingest') : 200_000 * scale),
    nOutbox: Math.round(flags.has('n-outbox') ? num(flags.get('n-outbox')!, '--n-outbox') : 20_000 * scale),
    scale,
    only,
    sendPathSeconds: flags.has('sendpath-seconds') ? num(flags.get('sendpath-seconds')!, '--sendpath-seconds') : 150,
    accounts: Math.round(flags.has('accounts') ? num(flags.get('accounts')!, '--accounts') : 100 * scale),
    gateways: Math.max(1, Math.round(flags.has('gateways') ? num(flags.get('gateways')!, '--gateways') : 2)),
  };
}

function redisVersion(): string {
  try {
    const bin = resolveRedisBinary(process.env['REDIS_SERVER_BIN'] || 'redis-server');
    return /v=(\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `machine: ${cpus.length} cpus (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `node ${process.version}, redis-server ${redisVersion()}, better-sqlite3 WAL + synchronous=NORMAL (openDb)`,
    loadLine('load average before'),
  ].join('\n');
}

/** Other work on the machine skews every figure; the load average says how much there was. */
function loadLine(label: string): string {
  const [one, five] = os.loadavg();
  return `${label}: ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min) on ${os.cpus().length} cpus`;
}

interface Target {
  label: string;
  value: number | undefined;
  /** Why the measured value does not count. */
  problem?: string;
  min: number;
  fmt: (v: number) => string;
}

function targets(rows: Measurement[]): Target[] {
  const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const ingest = byName('ingest: Ingest.accept');
  const outbox = byName('outbox: enqueueMany');
  const out: Target[] = [];
  const rate = (v: number) => `${Math.round(v).toLocaleString('en-US')} msg/s`;
  const void_ = (...ms: (Measurement | undefined)[]) => ms.map((m) => m?.problem).find(Boolean);
  if (ingest) out.push({ label: 'ingest ≥ 50,000 messages/s', value: opsPerSecond(ingest), min: 50_000, fmt: rate, problem: void_(ingest) });
  if (outbox) {
    const raw = rows.find((r) => r.name === outbox.baseline);
    out.push({ label: 'outbox ≥ 5,000 messages/s', value: opsPerSecond(outbox), min: 5_000, fmt: rate, problem: void_(outbox) });
    out.push({ label: 'outbox ≥ 0.3 × raw BullMQ', value: ratioToBaseline(outbox, rows), min: 0.3, fmt: (v) => `${v.toFixed(2)} ×`, problem: void_(outbox, raw) });
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(machine());
  console.log(
    `sizes: ingest ${args.nIngest.toLocaleString('en-US')} (bursts of ${INGEST_BURST}), ` +
      `outbox ${args.nOutbox.toLocaleString('en-US')} (chunks of ${OUTBOX_CHUNK}, concurrency ${OUTBOX_CONCURRENCY})`,
  );

  const dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-bench-'));
  let redis: TestRedis | undefined;
  const rows: Measurement[] = [];
  const capabilityChecks: CapabilityCheck[] = [];
  const progress = (m: Measurement) => {
    rows.push(m);
    console.log(`  … ${m.name}: ${Math.round(opsPerSecond(m)).toLocaleString('en-US')} ops/s`);
  };
  try {
    const rnd = seededRandom(20_261_122);
    const pop = makePopulation(rnd);
    if ((args.only === null || args.only === 'ingest') && args.nIngest > 0) {
      const messages = makeInbound(args.nIngest, pop, rnd, Date.now());
      progress(await benchRawInsert(messages, dir));
      progress(await benchIngest(messages, dir));
    }
    if ((args.only === null || args.only === 'outbox') && args.nOutbox > 0) {
      redis = await startTestRedis();
      watchProcessCpu(redis.pid);
      const requests = makeReplies(args.nOutbox, pop, rnd);
      progress(await benchRawBullmq(args.nOutbox, redis.url, false));
      progress(await benchRawBullmq(args.nOutbox, redis.url, true));
      progress(await benchOutbox(requests, redis.url, dir));
    }
    if ((args.only === null || args.only === 'sendpath') && args.sendPathSeconds > 0) {
      redis ??= await startTestRedis();
      console.log('send path (real time):');
      capabilityChecks.push(...(await benchSendPath(redis.url, dir, args.sendPathSeconds, (l) => console.log(l))));
    }
    if ((args.only === null || args.only === 'accounts') && args.accounts > 0) {
      redis ??= await startTestRedis();
      console.log(`accounts through gateways (real time, ~6 min): ${args.accounts} accounts, ${args.gateways} gateway processes:`);
      capabilityChecks.push(
        ...(await benchAccounts({ redisUrl: redis.url, dir, accounts: args.accounts, cardsPerAccount: 100, gateways: args.gateways, log: (l) => console.log(l) })),
      );
    }
    if (args.only === null || args.only === 'capabilities') {
      redis ??= await startTestRedis();
      console.log('capabilities:');
      capabilityChecks.push(...(await benchCapabilities(args.scale, redis.url, (l) => console.log(l))));
    }
  } finally {
    watchProcessCpu(null);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('');
  console.log(renderTable(rows));
  const notes = rows.flatMap((r) => [...(r.note ? [`  ${r.note}`] : []), ...(r.problem ? [`  !! ${r.name}: ${r.problem}`] : [])]);
  if (notes.length) console.log(['', 'checks:', ...notes].join('\n'));
  console.log(`\n${loadLine('load average after')}  (the bench itself accounts for ~1-2; more means other processes competed for the cpus)`);
  console.log('\ntargets:');
  for (const t of targets(rows)) {
    const ok = !t.problem && t.value !== undefined && t.value >= t.min;
    const shown = t.value === undefined ? 'not measured' : t.fmt(t.value);
    const verdict = t.problem ? `  ← INVALID RUN: ${t.problem}` : ok ? '' : '  ← MISSED';
    console.log(`  ${ok ? '✓' : '✗'} ${t.label.padEnd(30)} ${shown}${verdict}`);
  }
  for (const c of capabilityChecks) console.log(`  ${c.ok ? '✓' : '✗'} ${c.label}: ${c.shown}${c.ok ? '' : '  ← MISSED'}`);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    console.error('bench failed:', err);
    process.exit(1);
  },
);
