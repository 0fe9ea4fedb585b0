/**
 * Many accounts through gateways (#15): 100 simulated accounts (worlds, in a child process of their
 * own), connected by 2 `npm run gateway` child processes (50 each), and a core (this process: remote
 * edges, one outbox, one Sender per account with the real SendBudget at 20/min, gaps 1–3 s). 10,000
 * guide cards (100 per account, purpose `staff-prompt`) go through the real send path; the worlds
 * tell when each arrived.
 *
 * Reports: time from the senders' start until the last card is handed to its provider, against the
 * physical limit (100 cards at 20/min: 5 min; target ≤ 6 min); RSS per connected account (a gateway's
 * RSS with its accounts connected minus an idle gateway's, divided by its accounts); accounts per
 * gateway process (target ≥ 50, with the time target met); duplicates counted by the worlds.
 * Real time: ~6 minutes plus connecting.
 *
 *   npx tsx scripts/bench/run.ts --only accounts [--accounts 100] [--gateways 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AccountSpec } from '../../src/accounts/types.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Transport } from '../../src/core/messages.js';
import { remoteEdgeFactory } from '../../src/gateway/remote-edge.js';
import { Outbox, type EnqueueRequest } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { Sender } from '../../src/outbox/sender.js';
import { closeDb, openDb } from '../../src/platform/db/client.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { createRedis, redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import type { WechatyEdge } from '../../src/platform/wechaty/edge.js';
import { spawnGateway, type GatewayProcess } from '../../test/support/gateway-process.js';
import { NO_QUIET_HOURS, testOutboxOptions, testSenderOptions } from '../../test/support/harness.js';
import type { CapabilityCheck } from './capabilities.js';
import { processCpuSeconds } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RATE = 20;
const MB = 1024 * 1024;

interface WorldInfo {
  id: string;
  endpoint: string;
  token: string;
  botId: string;
  members: string[];
}
interface WorldReport {
  id: string;
  received: number;
  distinct: number;
  firstAt: number | null;
  lastAt: number | null;
}

export interface AccountsBenchOptions {
  redisUrl: string;
  dir: string;
  /** Accounts (one world each). Default 100. */
  accounts: number;
  /** Cards per account. Default 100 (5 minutes at 20/min). */
  cardsPerAccount: number;
  /** Gateway processes sharing the accounts. Default 2. */
  gateways: number;
  log: (line: string) => void;
}

/** RSS of a process from /proc (bytes), or NaN. */
function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The worlds child: started, its first line read; `report()` asks what arrived. */
async function startWorldsHost(
  count: number,
): Promise<{ child: ChildProcess; worlds: WorldInfo[]; report(): Promise<{ report: WorldReport[]; rss: number }>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bench/accounts-worlds.ts'), String(count)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((l: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`worlds host exited (${code})`)));
    });
  const first = JSON.parse(await nextLine()) as { worlds: WorldInfo[] };
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    worlds: first.worlds,
    report: async () => {
      const l = nextLine();
      child.stdin!.write('report\n');
      return JSON.parse(await l) as { report: WorldReport[]; rss: number };
    },
    stop: async () => {
      child.stdin!.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

function spec(id: string): AccountSpec {
  return {
    id,
    name: id,
    role: 'guide',
    stores: [],
    enabled: true,
    budget: { ratePerMinute: RATE, capPerHour: 1000, capPerDay: 0, gapMinMs: 1000, gapMaxMs: 3000 },
    onDown: {} as AccountSpec['onDown'],
  };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function benchAccounts(o: AccountsBenchOptions): Promise<CapabilityCheck[]> {
  const log = o.log;
  const prefix = `accounts${process.pid}`;
  const perGateway = Math.ceil(o.accounts / o.gateways);
  const t = Date.now();
  const host = await startWorldsHost(o.accounts);
  log(`  ${o.accounts} worlds up in ${((Date.now() - t) / 1000).toFixed(1)} s (worlds process RSS ${(rssOf(host.child.pid) / MB).toFixed(0)} MB)`);
  const accountsFile = path.join(o.dir, 'bench-accounts.json');
  const emptyFile = path.join(o.dir, 'bench-no-accounts.json');
  writeFileSync(accountsFile, JSON.stringify(host.worlds.map((w) => ({ id: w.id, endpoint: w.endpoint, token: { env: `TOKEN_${w.id}` } }))));
  writeFileSync(emptyFile, '[]');
  const tokens = Object.fromEntries(host.worlds.map((w) => [`TOKEN_${w.id}`, w.token]));
  const gwEnv = {
    ...tokens,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: prefix,
    GATEWAY_SCAN_SECONDS: '1',
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
    LOG_LEVEL: 'error',
  };
  const redis = createRedis(o.redisUrl);
  const gateways: GatewayProcess[] = [];
  const edges: WechatyEdge[] = [];
  const senders: Sender[] = [];
  const factory = remoteEdgeFactory(redis, { prefix, logger: silentLogger() });
  const db = openDb(path.join(o.dir, 'accounts.db'));
  const queues = new Queues(redisOptionsFromUrl(o.redisUrl), prefix);
  try {
    // An idle gateway (same program, no accounts): the base every connected account adds to.
    const idle = spawnGateway('gw-idle', { ...gwEnv, GATEWAY_ACCOUNTS_FILE: emptyFile, LOG_LEVEL: 'info' });
    await until(() => idle.output.join('').includes('gateway: started'), 60_000, 'idle gateway start');
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss = rssOf(idle.child.pid);
    await idle.stop();

    const connectStart = Date.now();
    for (let g = 0; g < o.gateways; g++) gateways.push(spawnGateway(`gw-${g + 1}`, { ...gwEnv, GATEWAY_ACCOUNTS_FILE: accountsFile, GATEWAY_MAX_ACCOUNTS: String(perGateway) }));
    for (const w of host.worlds) edges.push(factory(spec(w.id), { onMessage: async () => undefined, onFriendship: () => undefined, onRoomEvent: () => undefined }));
    await Promise.race([
      Promise.all(edges.map((e) => e.start())),
      new Promise((_, reject) => setTimeout(() => reject(new Error('accounts not all ready within 10 min')), 600_000)),
    ]);
    const connectS = (Date.now() - connectStart) / 1000;
    const held = await Promise.all(host.worlds.map((w) => redis.get(`${prefix}:gw:lease:${w.id}`)));
    const perGw = gateways.map((g) => held.filter((h) => h === g.id).length);
    log(`  ${o.accounts} accounts logged in through ${o.gateways} gateways in ${connectS.toFixed(1)} s (accounts per gateway: ${perGw.join(', ')})`);
    await new Promise((r) => setTimeout(r, 3000));
    const connectedRss = gateways.map((g) => rssOf(g.child.pid));
    const perAccountMb = gateways.map((_, i) => (connectedRss[i]! - idleRss) / Math.max(1, perGw[i]!) / MB);
    log(
      `  idle gateway RSS ${(idleRss / MB).toFixed(0)} MB; connected: ${connectedRss.map((r) => `${(r / MB).toFixed(0)} MB`).join(', ')} → ${perAccountMb.map((m) => m.toFixed(1)).join(', ')} MB per account`,
    );

    // The core's send path: one outbox, a Sender per account at the shipped budget.
    const repo = new OutboxRepo(db);
    const logger = silentLogger();
    const outbox = new Outbox(
      repo,
      queues,
      systemClock,
      logger,
      testOutboxOptions({ quietHours: NO_QUIET_HOURS, defaultAccount: host.worlds[0]!.id, pacedJobsFor: () => RATE * 3 }),
    );
    // One `fed` listener per account's sender.
    outbox.setMaxListeners(0);
    const cards: EnqueueRequest[] = host.worlds.flatMap((w) =>
      Array.from({ length: o.cardsPerAccount }, (_, i) => ({
        key: `bench:card:${w.id}:${i}`,
        account: w.id,
        purpose: 'staff-prompt' as const,
        target: { kind: 'contact' as const, id: w.members[i % w.members.length]! },
        content: { kind: 'text' as const, text: `今日3+3+3 ${w.id} #${i}` },
      })),
    );
    for (let i = 0; i < cards.length; i += 1000) await outbox.enqueueMany(cards.slice(i, i + 1000));
    for (const w of host.worlds) await outbox.feed(w.id);
    const cpu0 = [...gateways.map((g) => processCpuSeconds(g.child.pid ?? null) ?? 0), process.cpuUsage()];
    const started = Date.now();
    // Each send timed from the core's call to the gateway's answer (the provider's gRPC call included).
    const latencies: number[] = [];
    const timed = (t: Transport): Transport => ({
      isReady: () => t.isReady(),
      send: async (target, content, so) => {
        const at = performance.now();
        try {
          return await t.send(target, content, so);
        } finally {
          latencies.push(performance.now() - at);
        }
      },
    });
    host.worlds.forEach((w, i) => {
      const s = new Sender(
        repo,
        queues,
        outbox,
        timed(edges[i]!.transport),
        systemClock,
        logger,
        testSenderOptions({
          account: w.id,
          ratePerMinute: RATE,
          capPerHour: 1000,
          gapMinMs: 1000,
          gapMaxMs: 3000,
          quietHours: NO_QUIET_HOURS,
          maxAttempts: 5,
          retryBaseMs: 5000,
          idlePollMs: 500,
        }),
        `bench-core-${w.id}`,
      );
      s.start(true);
      senders.push(s);
    });
    const total = cards.length;
    const countSent = () => (db.$client.prepare(`select count(*) n from outbox where status in ('sent', 'failed', 'unknown')`).get() as { n: number }).n;
    let nextReport = started + 60_000;
    let peakGwRss = connectedRss.slice();
    await until(
      () => {
        peakGwRss = peakGwRss.map((p, i) => Math.max(p, rssOf(gateways[i]!.child.pid)));
        if (Date.now() >= nextReport) {
          nextReport += 60_000;
          log(`    … ${Math.round((Date.now() - started) / 1000)} s: ${countSent().toLocaleString('en-US')} of ${total.toLocaleString('en-US')} settled`);
        }
        return countSent() >= total;
      },
      15 * 60_000,
      'every card settled',
    );
    const settledS = (Date.now() - started) / 1000;
    const gwCpu = gateways.map((g, i) => (processCpuSeconds(g.child.pid ?? null) ?? 0) - (cpu0[i] as number));
    const coreCpu = process.cpuUsage(cpu0.at(-1) as NodeJS.CpuUsage);
    const { report, rss: worldsRss } = await host.report();
    const received = report.reduce((a, r) => a + r.received, 0);
    const distinct = report.reduce((a, r) => a + r.distinct, 0);
    const lastS = (Math.max(...report.map((r) => r.lastAt ?? 0)) - started) / 1000;
    const statuses = db.$client.prepare(`select status, count(*) n from outbox group by status`).all() as { status: string; n: number }[];
    const physicalS = ((o.cardsPerAccount - 1) * 60) / RATE;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(latencies.length * p) - 1))] ?? NaN;
    log(
      `  one send, core → gateway → provider → answer: p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms (${latencies.length} sends); the budget spaces sends from the end of the previous one, so this adds to the 3 s pace`,
    );
    log(
      `  ${total.toLocaleString('en-US')} cards: last handed to its provider after ${(lastS / 60).toFixed(2)} min (physical limit ${(physicalS / 60).toFixed(2)} min at ${RATE}/min; every row settled after ${settledS.toFixed(0)} s)`,
    );
    log(
      `  worlds received ${received.toLocaleString('en-US')} (${(received - distinct).toLocaleString('en-US')} duplicates); outbox: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`,
    );
    const peakPerAccountMb = gateways.map((_, i) => (peakGwRss[i]! - idleRss) / Math.max(1, perGw[i]!) / MB);
    log(
      `  CPU during the sends: gateways ${gwCpu.map((c) => `${c.toFixed(1)} s (${((100 * c) / settledS).toFixed(1)}% of a core)`).join(', ')}; core ${((coreCpu.user + coreCpu.system) / 1e6).toFixed(1)} s`,
    );
    log(
      `  RSS: gateways at their peak while sending ${peakGwRss.map((r) => `${(r / MB).toFixed(0)} MB`).join(', ')} → ${peakPerAccountMb.map((m) => m.toFixed(1)).join(', ')} MB per account over an idle gateway; ` +
        `core ${(process.memoryUsage.rss() / MB).toFixed(0)} MB; worlds ${(worldsRss / MB).toFixed(0)} MB`,
    );
    const timeOk = lastS <= 360 * (o.cardsPerAccount / 100) + 1e-9 && received === total && distinct === total;
    return [
      {
        label: `${total.toLocaleString('en-US')} guide cards over ${o.accounts} accounts at ${RATE}/min: last handed over ≤ 6 min (limit 5)`,
        shown: `${(lastS / 60).toFixed(2)} min, ${received - distinct} duplicates, ${total - received} missing`,
        ok: timeOk,
      },
      {
        label: 'accounts per gateway process ≥ 50',
        shown: `${Math.min(...perGw)}–${Math.max(...perGw)} per process; RSS per account ${perAccountMb.map((m) => m.toFixed(1)).join(' / ')} MB connected, ${peakPerAccountMb.map((m) => m.toFixed(1)).join(' / ')} MB at the sending peak`,
        ok: Math.min(...perGw) >= 50 && timeOk,
      },
    ];
  } finally {
    await Promise.allSettled(senders.map((s) => s.close()));
    await Promise.allSettled(edges.map((e) => e.stop()));
    await factory.close();
    await Promise.allSettled(gateways.map((g) => g.stop(20_000)));
    await host.stop();
    await queues.close();
    closeDb(db);
    await redis.quit();
  }
}
