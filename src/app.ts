import path from 'node:path';
import type { Config } from './config.js';
import type { Capability } from './core/capability.js';
import { CardSuggestions } from './core/card-suggestions.js';
import { Published } from './core/published.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import { Ingest } from './inbound/ingest.js';
import { automaticSendMatcher, OwnSendIds } from './inbound/own-sends.js';
import { InboundRepo } from './inbound/inbound.repo.js';
import { Router } from './inbound/router.js';
import { Friendships } from './inbound/friendships.js';
import { RoomEvents } from './inbound/rooms.js';
import { Outbox } from './outbox/outbox.js';
import { OutboxRepo } from './outbox/outbox.repo.js';
import { Sender } from './outbox/sender.js';
import { closeDb, openDb, type Db } from './platform/db/client.js';
import { Liveness } from './platform/queue/liveness.js';
import { Queues } from './platform/queue/queues.js';
import { provideRedis } from './platform/redis/provide.js';
import { redisOptionsFromUrl, type RedisTarget } from './platform/redis/url.js';
import type { RedisHandle } from './platform/redis/managed.js';
import { createWechatyEdge, type WechatyEdge } from './platform/wechaty/edge.js';
import { startWorld, type World } from './platform/wechaty/world/server.js';
import { routeWechatyLog } from './platform/wechaty/library-log.js';
import { ScheduleRepo } from './schedules/schedule.repo.js';
import { Scheduler } from './schedules/scheduler.js';
import { AuditRepo } from './console/index.js';
import { ConsoleRepo } from './console/index.js';
import { consoleReports } from './console/index.js';
import { consoleCampaigns, consoleQueues, reloadPlaybooks } from './console/index.js';
import { wakeupOpsOn } from './console/index.js';
import { CAMPAIGNS } from './campaigns/index.js';
import { MEMBERSHIP_PLAYBOOK } from './members/index.js';
import { SLA_PLAYBOOK } from './sla/index.js';
import { WAKEUP } from './wakeup/index.js';
import { SOP_ROOT } from './console/index.js';
import { slaMetrics } from './console/index.js';
import { createConsoleApp, startConsoleServer, type HealthReport } from './console/index.js';
import { windowText } from './core/time.js';
import type { Transport } from './core/messages.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  capabilities: Capability[];
  clock?: Clock;
  /** Replace the WeChat transport (benchmarks use a null sender). */
  transport?: Transport;
  /** Start the loopback /healthz server (default true). */
  http?: boolean;
  /** Seconds between background reconciles of outbox and queue (default 30). */
  reconcileEverySeconds?: number;
  /** TTL of this process's liveness key (default 15 s). */
  livenessTtlMs?: number;
  /** The playbooks folder the console checks and edits (default the shipped `sop/`; give the capabilities the same one). */
  sopDir?: string;
}

/** The running bot: every part, started in order and stopped in reverse. */
export interface App {
  readonly config: Config;
  readonly db: Db;
  readonly redis: RedisHandle;
  readonly queues: Queues;
  readonly router: Router;
  /** Friendship events in, accepts out (the second kind of inbound event). */
  readonly friendships: Friendships;
  /** Group joins and leaves, the account's ready signal and member lists. */
  readonly rooms: RoomEvents;
  readonly ingest: Ingest;
  readonly outbox: Outbox;
  readonly sender: Sender;
  readonly scheduler: Scheduler;
  readonly edge: WechatyEdge;
  readonly world: World | null;
  readonly healthUrl: string | null;
  readonly liveness: Liveness;
  /** Resolves when the bot account has logged in (the first time). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: config → store → redis → (world) → bot → capabilities → start.
 * Only this function wires parts together. On failure part-way, what was started is stopped again.
 */
export async function startApp(opts: AppOptions): Promise<App> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const sopDir = opts.sopDir ?? SOP_ROOT;
  const stack: { name: string; stop: () => unknown }[] = [];
  const stopAll = async () => {
    for (const part of stack.splice(0).reverse()) {
      try {
        // A part that cannot stop cleanly (Redis gone, a provider not answering) is left after a
        // while so that one signal always stops the process.
        const done = await within(STOP_PART_MS, Promise.resolve(part.stop()).then(() => true), false);
        if (done) logger.debug({ part: part.name }, 'stopped');
        else logger.warn({ part: part.name, waitedMs: STOP_PART_MS }, 'part did not stop in time; going on');
      } catch (err) {
        logger.error({ err, part: part.name }, 'error while stopping');
      }
    }
  };

  try {
    const db = openDb(config.DB_FILE);
    stack.push({ name: 'database', stop: () => closeDb(db) });
    logger.info({ file: config.DB_FILE }, 'store open, migrations applied');

    const redis = await provideRedis({ redisUrl: config.REDIS_URL, dataDir: config.DATA_DIR, bin: config.REDIS_SERVER_BIN, logger });
    stack.push({ name: 'redis', stop: () => redis.stop() });

    const queues = new Queues(toConnection(redisOptionsFromUrl(redis.url)), config.QUEUE_PREFIX).setLogger(logger.child({ part: 'queues' }));
    stack.push({ name: 'queues', stop: () => queues.close() });
    const liveness = new Liveness(queues, opts.livenessTtlMs);
    await liveness.start();
    stack.push({ name: 'liveness', stop: () => liveness.stop() });

    // The simulated world talks over loopback without TLS on purpose; in production that warning stays.
    routeWechatyLog(logger, config.production ? [] : [/TLS.*(disabled|INSECURE)/u]);
    let world: World | null = null;
    let endpoint = config.WECHATY_PUPPET_SERVICE_ENDPOINT;
    let token = config.WECHATY_PUPPET_SERVICE_TOKEN;
    let noTls = config.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT;
    if (!config.production) {
      world = await startWorld({
        port: config.WORLD_PORT, logger: logger.child({ part: 'world' }),
        traffic: { enabled: config.WORLD_TRAFFIC, intervalMs: config.WORLD_TRAFFIC_INTERVAL_MS },
      });
      stack.push({ name: 'world', stop: () => world?.stop() });
      endpoint = world.endpoint;
      token = world.token;
      noTls = true;
      logger.info({ endpoint }, 'simulated WeChat world started (no puppet-service token configured)');
    }

    const router = new Router(logger.child({ part: 'router' }));
    const friendships = new Friendships(logger.child({ part: 'friendships' }));
    const rooms = new RoomEvents(logger.child({ part: 'rooms' }));
    const sentIds = new OwnSendIds();
    const ingest = new Ingest(new InboundRepo(db), router, clock, logger.child({ part: 'inbound' }), {
      maxAgeMs: config.INBOUND_MAX_AGE_SECONDS * 1000, isAutomaticSend: automaticSendMatcher(db, { sentIds }),
    });
    const edge = createWechatyEdge({
      endpoint: endpoint!, token: token!, noTls, authority: config.WECHATY_PUPPET_SERVICE_AUTHORITY,
      timeoutSeconds: config.PUPPET_TIMEOUT_SECONDS, maxBackoffSeconds: config.SUPERVISOR_MAX_BACKOFF_SECONDS,
      probeSeconds: config.SUPERVISOR_PROBE_SECONDS, account: config.ACCOUNT_ID, onSent: (id) => sentIds.record(id),
    }, logger.child({ part: 'wechaty' }), (m) => ingest.accept(m).then(() => undefined), (f) => friendships.dispatch(f), (ev) => rooms.dispatch(ev));
    friendships.connect(edge.friendships);
    rooms.connect(edge.rooms);
    edge.on('ready', (selfId) => void rooms.ready(selfId));

    const outboxRepo = new OutboxRepo(db);
    const outbox = new Outbox(outboxRepo, queues, clock, logger.child({ part: 'outbox' }), {
      defaultAccount: config.ACCOUNT_ID, timezone: config.TIMEZONE, quietHours: config.QUIET_HOURS,
      pacedJobsFor: () => pacedJobs(config.SEND_RATE_PER_MINUTE),
    });
    const transport = opts.transport ?? edge.transport;
    const sender = new Sender(outboxRepo, queues, outbox, transport, clock, logger.child({ part: 'sender' }), {
      account: config.ACCOUNT_ID, timezone: config.TIMEZONE, quietHours: config.QUIET_HOURS,
      marketingCapPerDay: config.MARKETING_CAP_PER_DAY, ratePerMinute: config.SEND_RATE_PER_MINUTE,
      capPerHour: config.SEND_CAP_PER_HOUR, capPerDay: config.SEND_CAP_PER_DAY,
      gapMinMs: config.SEND_GAP_MIN_MS, gapMaxMs: config.SEND_GAP_MAX_MS, maxAttempts: config.SEND_MAX_ATTEMPTS,
      retryBaseMs: config.SEND_RETRY_BASE_MS, concurrency: config.SEND_RATE_PER_MINUTE > 0 ? 1 : 32,
    }, liveness.instanceId);
    const scheduler = new Scheduler(new ScheduleRepo(db), queues, clock, logger.child({ part: 'scheduler' }), config.TIMEZONE);

    const cardSuggestions = new CardSuggestions();
    const published = new Published();
    for (const cap of opts.capabilities) {
      const uninstall = cap.install({ config, db, clock, logger: logger.child({ capability: cap.name }), router, friendships, rooms, outbox, scheduler, queues, demo: world?.seed ?? null, cardSuggestions, published });
      if (uninstall) stack.push({ name: `capability ${cap.name}`, stop: uninstall });
    }

    const inFlight = config.SENDING_AFTER_CRASH === 'unknown' ? 'unknown' : 'queued';
    const isAlive = (owner: string) => liveness.isAlive(owner);
    await outbox.reconcile(inFlight, isAlive, { refeed: true });
    outbox.startFeeding();
    stack.push({ name: 'outbox feed', stop: () => outbox.stopFeeding() });
    const reconcileTimer = setInterval(() => {
      outbox.reconcile(inFlight, isAlive).catch((err: unknown) => logger.warn({ err }, 'periodic outbox reconcile failed'));
    }, (opts.reconcileEverySeconds ?? 30) * 1000);
    reconcileTimer.unref();
    stack.push({ name: 'reconcile timer', stop: () => clearInterval(reconcileTimer) });

    // Stopped after the sender and the scheduler (the stack unwinds in reverse): stop() is safe before start().
    stack.push({ name: 'wechaty', stop: () => edge.stop() });
    sender.start(transport.isReady());
    stack.push({ name: 'sender', stop: () => sender.close() });
    edge.on('ready', () => sender.resume());
    edge.on('logout', () => void sender.pause());

    await scheduler.start();
    stack.push({ name: 'scheduler', stop: () => scheduler.stop() });

    let healthUrl: string | null = null;
    if (opts.http !== false) {
      const health = async (): Promise<HealthReport> => {
        // Bounded: with Redis gone a command can wait on reconnects; /healthz answers 503 instead of hanging.
        const redisOk = await within(2000, queues.redis().ping().then((p) => p === 'PONG', () => false), false);
        let dbOk = true;
        try { db.$client.prepare('select 1').get(); } catch { dbOk = false; }
        const loggedIn = edge.isLoggedIn();
        return {
          ok: redisOk && dbOk && loggedIn,
          bot: { loggedIn, selfId: edge.selfId() ?? null, account: config.ACCOUNT_ID, world: Boolean(world) },
          redis: { ok: redisOk, owned: redis.owned },
          database: { ok: dbOk },
          queues: redisOk ? await within(2000, queues.depths(), null) : null,
          outbox: outboxRepo.countByStatus(),
          inbound: ingest.getStats(),
          handlerFailures: router.failureCount,
          capabilities: Object.fromEntries(opts.capabilities.flatMap((c) => (c.health ? [[c.name, c.health()]] : []))),
        };
      };
      // The console works on what the capabilities published: their campaign service, playbooks and wake-up runs, no copies.
      const wakeup = published.find(WAKEUP);
      const consoleApp = createConsoleApp({
        token: config.CONSOLE_TOKEN, clock, logger: logger.child({ part: 'console' }),
        repo: new ConsoleRepo(db, config.TIMEZONE), audit: new AuditRepo(db), outbox, outboxRepo, health,
        reports: consoleReports(db, { timezone: config.TIMEZONE, clock, sopDir, wakeupPlaybook: wakeup?.playbook, selfIds: () => [edge.selfId() ?? ''] }),
        db, sopDir, queues: consoleQueues(queues, config.ACCOUNT_ID), selfIds: () => [edge.selfId() ?? ''],
        campaigns: consoleCampaigns({
          db, clock, timezone: config.TIMEZONE, quietHours: config.QUIET_HOURS, marketingCapPerDay: config.MARKETING_CAP_PER_DAY,
          mediaDir: path.resolve(config.DATA_DIR, 'campaign-media'),
        }, published.find(CAMPAIGNS)),
        playbooks: { membership: published.find(MEMBERSHIP_PLAYBOOK), sla: published.find(SLA_PLAYBOOK) },
        importDir: path.resolve(config.DATA_DIR, 'imports'),
        envSettings: { quietHours: windowText(config.QUIET_HOURS), marketingCapPerDay: config.MARKETING_CAP_PER_DAY },
        ...(wakeup ? { wakeup: wakeupOpsOn(wakeup, clock) } : {}),
        reloadPlaybooks: () => reloadPlaybooks(published.find(CAMPAIGNS), sopDir),
        metrics: async () => {
          const h = await health();
          return {
            loggedIn: edge.isLoggedIn(), inbound: ingest.getStats(), outbox: outboxRepo.countByStatus(),
            queues: (h.queues as Record<string, Record<string, number>> | null) ?? null, handlerFailures: router.failureCount,
            sentLastMinute: await sender.sendBudget.used(Date.now(), 60_000).catch(() => outboxRepo.sentSince(clock.now().getTime() - 60_000)),
            budgetPerMinute: config.SEND_RATE_PER_MINUTE,
            sla: slaMetrics(db, clock.now().getTime(), h.queues as Record<string, Record<string, number>> | null),
          };
        },
      });
      const server = await startConsoleServer(consoleApp, config.HTTP_HOST, config.HTTP_PORT);
      healthUrl = `${server.url}/healthz`;
      stack.push({ name: 'http', stop: () => server.close() });
      logger.info({ dashboard: `${server.url}/`, health: healthUrl, login: config.CONSOLE_TOKEN ? 'CONSOLE_TOKEN required' : 'none (no CONSOLE_TOKEN; loopback only)' }, 'console listening');
    }

    // Resolves at the first login; until then the supervisor keeps trying and the sender waits.
    const ready = edge.start();
    ready.catch((err: unknown) => logger.error({ err }, 'bot did not start'));

    let stopping: Promise<void> | null = null;
    return {
      config, db, redis, queues, router, friendships, rooms, ingest, outbox, sender, scheduler, edge, world, healthUrl, liveness, ready,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Longest wait for one part to stop before the stop goes on without it. */
const STOP_PART_MS = 5000;

/** `p`'s value, or `fallback` when it takes longer than `ms`. */
function within<T>(ms: number, p: Promise<T>, fallback: T): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((resolve) => { t = setTimeout(() => resolve(fallback), ms); })]).finally(() => clearTimeout(t));
}

/** Jobs the paced lane holds in Redis: about 3 minutes of the budget (at least 20), 5,000 without one. */
function pacedJobs(ratePerMinute: number): number {
  return ratePerMinute > 0 ? Math.max(20, ratePerMinute * 3) : 5000;
}

function toConnection(t: RedisTarget): Record<string, unknown> {
  return { ...t };
}
