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
import { peopleOf } from './core/directory.js';
import { Friendships } from './inbound/friendships.js';
import { RoomEvents } from './inbound/rooms.js';
import { Outbox } from './outbox/outbox.js';
import { OutboxRepo } from './outbox/outbox.repo.js';
import { Sender } from './outbox/sender.js';
import { SendingPlaybookHolder, SendingSettings } from './outbox/sending.playbook.js';
import { followSendingChanges } from './outbox/sending.follow.js';
import { followAccounts } from './outbox/account-down.js';
import { gatewayEdgeFactory } from './gateway/wiring.js';
import { closeDb, openDb, type Db } from './platform/db/client.js';
import { Liveness } from './platform/queue/liveness.js';
import { Queues } from './platform/queue/queues.js';
import { provideRedis } from './platform/redis/provide.js';
import { redisOptionsFromUrl, type RedisTarget } from './platform/redis/url.js';
import type { RedisHandle } from './platform/redis/managed.js';
import type { WechatyEdge } from './platform/wechaty/edge.js';
import { AccountHub } from './accounts/hub.js';
import { inProcessEdgeFactory } from './accounts/edge-factory.js';
import { AccountsRegistryHolder, envAccountOf } from './accounts/registry.js';
import { ReachRepo } from './accounts/reach.repo.js';
import { healthOk } from './accounts/health.rules.js';
import type { AccountSpec, EdgeFactory } from './accounts/types.js';
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
import { accountsReporter } from './console/index.js';
import { createConsoleApp, startConsoleServer, type HealthReport } from './console/index.js';
import { windowText } from './core/time.js';
import type { Transport } from './core/messages.js';
import { ConfigError } from './core/errors.js';

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
  /** The accounts registry (default `<sopDir>/accounts.yaml`; absent: one account from the environment). */
  accountsFile?: string;
  /** How each account is connected (default: in this process; see src/gateway/ for the remote one). */
  edgeFactory?: EdgeFactory;
  /** How often the accounts registry is checked for edits (default 5000 ms). */
  accountsCheckEveryMs?: number;
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
  /** The default account's sender and edge (the first enabled account at start). */
  readonly sender: Sender;
  readonly scheduler: Scheduler;
  readonly edge: WechatyEdge;
  /** Every account: connection, sender, state, reach (see src/accounts/). */
  readonly hub: AccountHub;
  readonly reach: ReachRepo;
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
        const done = await within(
          STOP_PART_MS,
          Promise.resolve(part.stop()).then(() => true),
          false,
        );
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
    const { env: envAccount, defaults: accountDefaults } = envAccountOf(config);
    const registry = new AccountsRegistryHolder(opts.accountsFile ?? path.join(sopDir, 'accounts.yaml'), accountDefaults, envAccount, logger.child({ part: 'accounts' }));
    const defaultSpec = registry.current.accounts.find((a) => a.enabled);
    if (!defaultSpec) throw new ConfigError(`${registry.file}: accounts: expected at least one enabled account at start, found none`);
    let world: World | null = null;
    // The simulated world unless a puppet-service is configured (in the environment or for an account of the registry).
    if (!config.production && config.GATEWAYS !== 'remote' && !registry.current.accounts.some((a) => a.endpoint)) {
      world = await startWorld({
        port: config.WORLD_PORT,
        logger: logger.child({ part: 'world' }),
        accounts: registry.current.accounts.map((a) => a.id),
        traffic: { enabled: config.WORLD_TRAFFIC, intervalMs: config.WORLD_TRAFFIC_INTERVAL_MS },
      });
      stack.push({ name: 'world', stop: () => world?.stop() });
      logger.info({ endpoints: world.accounts.map((a) => `${a.id}=${a.endpoint}`) }, 'simulated WeChat world started (no puppet-service token configured)');
    }

    const router = new Router(logger.child({ part: 'router' }), peopleOf(db));
    const friendships = new Friendships(logger.child({ part: 'friendships' }));
    const rooms = new RoomEvents(logger.child({ part: 'rooms' }));
    const sentIds = new OwnSendIds();
    const ingest = new Ingest(new InboundRepo(db), router, clock, logger.child({ part: 'inbound' }), {
      maxAgeMs: config.INBOUND_MAX_AGE_SECONDS * 1000,
      isAutomaticSend: automaticSendMatcher(db, { sentIds }),
    });
    // Quiet hours and the marketing cap: sop/sending.yaml over the environment, read on every decision.
    const reach = new ReachRepo(db);
    const sending = new SendingSettings(
      new SendingPlaybookHolder(path.join(sopDir, 'sending.yaml'), logger.child({ part: 'outbox' })),
      { quietHours: config.QUIET_HOURS, marketingCapPerDay: config.MARKETING_CAP_PER_DAY },
      clock,
    );
    const outboxRepo = new OutboxRepo(db);
    const outbox = new Outbox(outboxRepo, queues, clock, logger.child({ part: 'outbox' }), {
      defaultAccount: defaultSpec.id,
      timezone: config.TIMEZONE,
      quietHours: sending.quietHours,
      pacedJobsFor: (account): number => pacedJobs(hub.get(account)?.budget.ratePerMinute ?? config.SEND_RATE_PER_MINUTE),
      // Routing: a request naming no account goes through one that reaches its target (the hub is made below).
      accounts: { view: { list: () => hub.list(), get: (id) => hub.get(id), state: (id) => hub.state(id) }, reach, downGraceMs: config.ACCOUNT_DOWN_GRACE_SECONDS * 1000 },
    });
    // Each account: its connection (in process, or through a gateway) and a sender with its own budget.
    const makeSender = (spec: AccountSpec, edge: WechatyEdge): Sender =>
      new Sender(
        outboxRepo,
        queues,
        outbox,
        opts.transport ?? edge.transport,
        clock,
        logger.child({ part: 'sender', account: spec.id }),
        {
          account: spec.id,
          timezone: config.TIMEZONE,
          quietHours: sending.quietHours,
          marketingCapPerDay: sending.marketingCapPerDay,
          ratePerMinute: spec.budget.ratePerMinute,
          capPerHour: spec.budget.capPerHour,
          capPerDay: spec.budget.capPerDay,
          gapMinMs: spec.budget.gapMinMs,
          gapMaxMs: spec.budget.gapMaxMs,
          maxAttempts: config.SEND_MAX_ATTEMPTS,
          retryBaseMs: config.SEND_RETRY_BASE_MS,
          concurrency: spec.budget.ratePerMinute > 0 ? 1 : 32,
        },
        liveness.instanceId,
      );
    // GATEWAYS=remote: the accounts are connected by `npm run gateway` processes, reached through Redis.
    const remoteEdges = opts.edgeFactory ? undefined : gatewayEdgeFactory(config, queues.redis(), logger.child({ part: 'gateways' }));
    if (remoteEdges) stack.push({ name: 'gateway link', stop: () => remoteEdges.close() });
    const hub: AccountHub = new AccountHub({
      registry,
      reach,
      clock,
      logger: logger.child({ part: 'accounts' }),
      makeSender,
      checkEveryMs: opts.accountsCheckEveryMs,
      ...(world ? { prepare: (spec: AccountSpec) => world!.addAccount(spec.id).then(() => undefined) } : {}),
      edgeFactory:
        opts.edgeFactory ??
        remoteEdges ??
        inProcessEdgeFactory({
          noTls: config.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT,
          authority: config.WECHATY_PUPPET_SERVICE_AUTHORITY,
          timeoutSeconds: config.PUPPET_TIMEOUT_SECONDS,
          maxBackoffSeconds: config.SUPERVISOR_MAX_BACKOFF_SECONDS,
          probeSeconds: config.SUPERVISOR_PROBE_SECONDS,
          logger: logger.child({ part: 'wechaty' }),
          world,
          env: (name) => (name === 'WECHATY_PUPPET_SERVICE_TOKEN' ? config.WECHATY_PUPPET_SERVICE_TOKEN : process.env[name]),
        }),
      handlers: {
        onMessage: (m) => ingest.accept(m).then(() => undefined),
        onFriendship: (f) => void friendships.dispatch(f),
        onRoomEvent: (ev) => void rooms.dispatch(ev),
        onSent: (id) => sentIds.record(id),
      },
      // The outbox feeds and sweeps the queues of every account that ever started; /healthz and bull-board show them.
      onAccountStart: (spec) => {
        consoleQueues(queues, spec.id);
        void outbox.feed(spec.id).catch(() => undefined);
      },
      onReady: (_account, selfId) => void rooms.ready(selfId),
    });
    stack.push({ name: 'account events', stop: followAccounts(hub, outbox, logger.child({ part: 'outbox' })) });
    friendships.connect(hub.friendships);
    rooms.connect(hub.rooms);
    const scheduler = new Scheduler(new ScheduleRepo(db), queues, clock, logger.child({ part: 'scheduler' }), config.TIMEZONE);

    const cardSuggestions = new CardSuggestions();
    // Capabilities that still name an account get the default one (the outbox routes requests that name none).
    const capConfig: Config = { ...config, ACCOUNT_ID: defaultSpec.id };
    const published = new Published();
    for (const cap of opts.capabilities) {
      const uninstall = cap.install({
        config: capConfig,
        db,
        clock,
        logger: logger.child({ capability: cap.name }),
        router,
        friendships,
        rooms,
        outbox,
        scheduler,
        queues,
        demo: world?.seed ?? null,
        cardSuggestions,
        published,
      });
      if (uninstall) stack.push({ name: `capability ${cap.name}`, stop: uninstall });
    }

    stack.push({
      name: 'quiet hours follower',
      stop: followSendingChanges({ db, outbox, clock, timezone: config.TIMEZONE, logger: logger.child({ part: 'outbox' }), settings: sending }),
    });

    // Every enabled account starts connecting now; its queues join the outbox's feed before the reconcile.
    hub.start();
    const edge = hub.edge(defaultSpec.id)!;
    const sender = hub.sender(defaultSpec.id)!;
    const inFlight = config.SENDING_AFTER_CRASH === 'unknown' ? 'unknown' : 'queued';
    const isAlive = (owner: string) => liveness.isAlive(owner);
    await outbox.reconcile(inFlight, isAlive, { refeed: true });
    outbox.startFeeding();
    stack.push({ name: 'outbox feed', stop: () => outbox.stopFeeding() });
    const reconcileTimer = setInterval(
      () => {
        outbox.reconcile(inFlight, isAlive).catch((err: unknown) => logger.warn({ err }, 'periodic outbox reconcile failed'));
      },
      (opts.reconcileEverySeconds ?? 30) * 1000,
    );
    reconcileTimer.unref();
    stack.push({ name: 'reconcile timer', stop: () => clearInterval(reconcileTimer) });

    // Stopped after the scheduler (the stack unwinds in reverse): senders first, then connections.
    stack.push({ name: 'accounts', stop: () => hub.stop() });

    await scheduler.start();
    stack.push({ name: 'scheduler', stop: () => scheduler.stop() });

    let healthUrl: string | null = null;
    if (opts.http !== false) {
      const health = async (): Promise<HealthReport> => {
        // Bounded: with Redis gone a command can wait on reconnects; /healthz answers 503 instead of hanging.
        const redisOk = await within(
          2000,
          queues
            .redis()
            .ping()
            .then(
              (p) => p === 'PONG',
              () => false,
            ),
          false,
        );
        let dbOk = true;
        try {
          db.$client.prepare('select 1').get();
        } catch {
          dbOk = false;
        }
        const loggedIn = edge.isLoggedIn();
        const statuses = hub.statuses();
        return {
          // Ok with any one enabled account online (each account's state is listed under `accounts`).
          ok: healthOk({ redisOk, dbOk, states: statuses.map((a) => a.state) }),
          bot: { loggedIn, selfId: edge.selfId() ?? null, account: defaultSpec.id, world: Boolean(world) },
          accounts: Object.fromEntries(statuses.map((a) => [a.id, { state: a.state, selfId: a.selfId, lastError: a.lastError }])),
          redis: { ok: redisOk, owned: redis.owned },
          database: { ok: dbOk },
          queues: redisOk ? await within(2000, queues.depths(), null) : null,
          outbox: outboxRepo.countByStatus(),
          inbound: ingest.getStats(),
          handlerFailures: router.failureCount,
          capabilities: Object.fromEntries(opts.capabilities.flatMap((c) => (c.health ? [[c.name, c.health()]] : []))),
        };
      };
      const accounts = accountsReporter({ hub, reach, db, clock, timezone: config.TIMEZONE, registry: () => registry.current });
      // The console works on what the capabilities published: their campaign service, playbooks and wake-up runs, no copies.
      const wakeup = published.find(WAKEUP);
      const consoleApp = createConsoleApp({
        accounts,
        token: config.CONSOLE_TOKEN,
        clock,
        logger: logger.child({ part: 'console' }),
        repo: new ConsoleRepo(db, config.TIMEZONE),
        audit: new AuditRepo(db),
        outbox,
        outboxRepo,
        health,
        reports: consoleReports(db, { timezone: config.TIMEZONE, clock, sopDir, wakeupPlaybook: wakeup?.playbook, selfIds: () => hub.selfIds() }),
        db,
        sopDir,
        queues: consoleQueues(queues, defaultSpec.id),
        selfIds: () => hub.selfIds(),
        campaigns: consoleCampaigns(
          {
            db,
            outbox,
            clock,
            timezone: config.TIMEZONE,
            quietHours: sending.quietHours,
            marketingCapPerDay: sending.marketingCapPerDay,
            mediaDir: path.resolve(config.DATA_DIR, 'campaign-media'),
          },
          published.find(CAMPAIGNS),
        ),
        playbooks: { membership: published.find(MEMBERSHIP_PLAYBOOK), sla: published.find(SLA_PLAYBOOK) },
        importDir: path.resolve(config.DATA_DIR, 'imports'),
        envSettings: { quietHours: windowText(config.QUIET_HOURS), marketingCapPerDay: config.MARKETING_CAP_PER_DAY },
        onSettingsSaved: (kind) => {
          if (kind === 'sending') sending.reload();
        },
        ...(wakeup ? { wakeup: wakeupOpsOn(wakeup, clock) } : {}),
        reloadPlaybooks: () => reloadPlaybooks(published.find(CAMPAIGNS), sopDir),
        metrics: async () => {
          const h = await health();
          return {
            loggedIn: edge.isLoggedIn(),
            inbound: ingest.getStats(),
            outbox: outboxRepo.countByStatus(),
            queues: (h.queues as Record<string, Record<string, number>> | null) ?? null,
            handlerFailures: router.failureCount,
            // Summed over the accounts (each account's own figures are under `accounts`).
            sentLastMinute: await Promise.all(hub.statuses().map((a) => hub.sender(a.id)?.sendBudget.used(Date.now(), 60_000) ?? 0)).then(
              (n) => n.reduce((x, y) => x + y, 0),
              () => outboxRepo.sentSince(clock.now().getTime() - 60_000),
            ),
            budgetPerMinute: hub
              .statuses()
              .filter((a) => a.state !== 'disabled')
              .reduce((n, a) => n + a.budget.ratePerMinute, 0),
            sla: slaMetrics(db, clock.now().getTime(), h.queues as Record<string, Record<string, number>> | null),
            accounts: (await accounts()).accounts,
          };
        },
      });
      const server = await startConsoleServer(consoleApp, config.HTTP_HOST, config.HTTP_PORT);
      healthUrl = `${server.url}/healthz`;
      stack.push({ name: 'http', stop: () => server.close() });
      logger.info(
        { dashboard: `${server.url}/`, health: healthUrl, login: config.CONSOLE_TOKEN ? 'CONSOLE_TOKEN required' : 'none (no CONSOLE_TOKEN; loopback only)' },
        'console listening',
      );
    }

    // Resolves at the default account's first login; until then the supervisor keeps trying and the sender waits.
    const ready = hub.ready(defaultSpec.id);
    ready.catch((err: unknown) => logger.error({ err }, 'bot did not start'));

    let stopping: Promise<void> | null = null;
    return {
      config,
      db,
      redis,
      queues,
      router,
      friendships,
      rooms,
      ingest,
      outbox,
      sender,
      scheduler,
      edge,
      hub,
      reach,
      world,
      healthUrl,
      liveness,
      ready,
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
  return Promise.race([
    p,
    new Promise<T>((resolve) => {
      t = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** Jobs the paced lane holds in Redis: about 3 minutes of the budget (at least 20), 5,000 without one. */
function pacedJobs(ratePerMinute: number): number {
  return ratePerMinute > 0 ? Math.max(20, ratePerMinute * 3) : 5000;
}

function toConnection(t: RedisTarget): Record<string, unknown> {
  return { ...t };
}
