import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/logger.js';
import type { FriendRequest, FriendshipGateway, InboundMessage, RoomGateway, RoomMemberEvent, Transport } from '../../core/messages.js';
import { ConfigError, TransientSendError } from '../../core/errors.js';
import { maskSecret } from '../../core/mask.js';
import { WechatySession, probeTcp } from './session.js';
import { Supervisor } from './supervisor.js';
import { createTransport } from './transport.js';

export interface WechatyEdgeOptions {
  /** `host:port` of the puppet-service server. Required: discovery by token is not supported. */
  endpoint: string;
  /** `<prefix>_<anything>`, e.g. `puppet_workpro_…` or `insecure_…`. */
  token: string;
  /** WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT. */
  noTls: boolean;
  authority?: string;
  /** PUPPET_TIMEOUT_SECONDS: no event from the provider for this long → restart the puppet. */
  timeoutSeconds: number;
  /** SUPERVISOR_MAX_BACKOFF_SECONDS: cap of the delay between reconnect attempts. */
  maxBackoffSeconds: number;
  /** ACCOUNT_ID, stamped on every inbound message. */
  account: string;
  /** How long one attempt waits for login + ready. Default: timeoutSeconds. */
  loginTimeoutSeconds?: number;
  /** First retry delay. Default 1000 ms. */
  baseBackoffMs?: number;
  /**
   * SUPERVISOR_PROBE_SECONDS: while disconnected, try a TCP connect to the endpoint this often and
   * reconnect as soon as it answers, whatever the backoff step. 0 turns it off (also when `tcpProbe` is
   * off). Default 3.
   */
  probeSeconds?: number;
  /** Default 30 s. */
  sendTimeoutSeconds?: number;
  /** Told the provider message id each send returned (the inbound guard's record of own sends). */
  onSent?: (messageId: string) => void;
  /**
   * Before each attempt, check that the endpoint accepts TCP, so a refused port fails in
   * milliseconds instead of ~5 s of Wechaty retries. Turn off when gRPC must go through a proxy
   * (grpc_proxy / https_proxy), where a direct TCP connect is not possible. Default true.
   */
  tcpProbe?: boolean;
}

/** The edge's own events; `login`/`ready` fire again after every reconnect, `logout` after every loss. */
export interface WechatyEdgeEvents {
  /** The account logged in (selfId). */
  login: [selfId: string];
  /** Logged in and ready: sends work from now on. Resume the outbox here. */
  ready: [selfId: string];
  /** The session was lost (logout, dropped stream, silent provider); sends fail transiently until `ready`. */
  logout: [reason: string];
}

/** The platform edge: one supervised WeChat account behind puppet-service. */
export interface WechatyEdge {
  /** Connects; resolves once logged in and ready. Keeps retrying (with logs) until then; rejects only if stopped first. */
  start(): Promise<void>;
  /** Stops the supervisor and the puppet. Idempotent. */
  stop(): Promise<void>;
  isLoggedIn(): boolean;
  selfId(): string | undefined;
  on<E extends keyof WechatyEdgeEvents>(event: E, listener: (...args: WechatyEdgeEvents[E]) => void): this;
  off<E extends keyof WechatyEdgeEvents>(event: E, listener: (...args: WechatyEdgeEvents[E]) => void): this;
  readonly transport: Transport;
  /** Accepts friend requests through whichever session is current. */
  readonly friendships: FriendshipGateway;
  /** Reads group member lists through whichever session is current. */
  readonly rooms: RoomGateway;
  /**
   * The logged-in account's friends (contact ids) and the groups it is in, read from the provider (the
   * reach table is filled from this at each login). Absent on edges that cannot list them.
   * @throws when offline.
   */
  readonly reachLists?: () => Promise<ReachLists>;
}

/** Whom a logged-in account reaches. */
export interface ReachLists {
  contacts: string[];
  rooms: string[];
}

/**
 * Builds the Wechaty edge. Every inbound message is converted and handed to `onMessage` inside an
 * error boundary (a throwing handler is logged, never fatal); friendship events likewise to `onFriendship`,
 * group joins and leaves to `onRoomEvent`. Reconnects are supervised: a logout,
 * a dropped gRPC stream or `timeoutSeconds` of silence rebuilds PuppetService + Wechaty, retrying
 * with exponential backoff capped at `maxBackoffSeconds`.
 * @throws ConfigError when endpoint or token is missing or malformed.
 * @example
 * const edge = createWechatyEdge({ endpoint: '127.0.0.1:8788', token: 'insecure_demo', noTls: true,
 *   timeoutSeconds: 180, maxBackoffSeconds: 60, account: 'main' }, logger, (m) => ingest(m))
 * edge.on('ready', () => outbox.resume()).on('logout', () => outbox.pause())
 * await edge.start()
 * await edge.transport.send({ kind: 'room', id: 'hz01-a@chatroom' }, { kind: 'text', text: '早上好' })
 */
export function createWechatyEdge(
  options: WechatyEdgeOptions,
  logger: Logger,
  onMessage: (m: InboundMessage) => Promise<void> | void,
  onFriendship?: (req: FriendRequest) => Promise<void> | void,
  onRoomEvent?: (ev: RoomMemberEvent) => Promise<void> | void,
): WechatyEdge {
  validate(options);
  const log = logger.child({ mod: 'wechaty', account: options.account });
  const events = new EventEmitter();
  let session: WechatySession | undefined;

  const connect = async (attempt: number) => {
    log.info({ attempt, endpoint: options.endpoint, token: maskSecret(options.token), tls: !options.noTls }, 'wechaty: connecting to puppet-service');
    const s = new WechatySession(
      {
        endpoint: options.endpoint,
        token: options.token,
        noTls: options.noTls,
        authority: options.authority,
        timeoutSeconds: options.timeoutSeconds,
        loginTimeoutMs: (options.loginTimeoutSeconds ?? options.timeoutSeconds) * 1000,
        account: options.account,
        tcpProbe: options.tcpProbe,
      },
      log,
      {
        onMessage,
        ...(onFriendship ? { onFriendship } : {}),
        ...(onRoomEvent ? { onRoomEvent } : {}),
        onLogin: (selfId) => {
          if (session === s) events.emit('login', selfId);
        },
        onLost: (reason) => {
          if (session !== s) return;
          log.warn({ reason }, 'wechaty: session lost');
          events.emit('logout', reason);
          supervisor.restart(reason);
        },
      },
    );
    session = s;
    await s.open();
    const selfId = s.selfId() ?? '';
    log.info({ selfId }, 'wechaty: logged in and ready');
    events.emit('ready', selfId);
  };

  const probeMs = options.tcpProbe === false ? 0 : (options.probeSeconds ?? 3) * 1000;
  const disconnect = async () => {
    const s = session;
    session = undefined;
    await s?.close();
  };

  const supervisor = new Supervisor({
    logger: log,
    connect,
    disconnect,
    maxBackoffMs: options.maxBackoffSeconds * 1000,
    ...(options.baseBackoffMs !== undefined ? { baseBackoffMs: options.baseBackoffMs } : {}),
    ...(probeMs > 0
      ? {
          probe: () =>
            probeTcp(options.endpoint, Math.min(probeMs, 2000)).then(
              () => true,
              () => false,
            ),
          probeIntervalMs: probeMs,
        }
      : {}),
  });

  const transport = createTransport({
    currentBot: () => session?.bot,
    isOnline: () => Boolean(session?.isOnline()),
    logger: log,
    sendTimeoutMs: (options.sendTimeoutSeconds ?? 30) * 1000,
    ...(options.onSent ? { onSent: options.onSent } : {}),
  });

  const friendships: FriendshipGateway = {
    isReady: () => Boolean(session?.isOnline()),
    async accept(id) {
      const s = session;
      if (!s || !s.isOnline()) throw new TransientSendError('not logged in: the WeChat account is offline');
      const f = s.bot.Friendship.load(id);
      await f.ready();
      await f.accept();
      log.info({ friendshipId: id }, 'wechaty: friend request accepted');
    },
  };

  const rooms: RoomGateway = {
    isReady: () => Boolean(session?.isOnline()),
    selfId: () => session?.selfId(),
    async memberIds(roomId) {
      const s = session;
      if (!s || !s.isOnline()) throw new TransientSendError('not logged in: the WeChat account is offline');
      return s.puppet.roomMemberList(roomId);
    },
  };

  const reachLists = async (): Promise<ReachLists> => {
    const s = session;
    if (!s || !s.isOnline()) throw new TransientSendError('not logged in: the WeChat account is offline');
    const self = s.selfId();
    const ids = (await s.puppet.contactList()).filter((id) => id !== self && !id.includes('@'));
    const contacts: string[] = [];
    // Payloads are asked REACH_BATCH at a time: 5,000 contacts on the world took ~4.7 s one by one, ~2.2 s so.
    for (let i = 0; i < ids.length; i += REACH_BATCH) {
      const batch = ids.slice(i, i + REACH_BATCH);
      const payloads = await Promise.all(batch.map((id) => s.puppet.contactPayload(id).catch(() => null)));
      payloads.forEach((p, j) => {
        if (p?.friend === true) contacts.push(batch[j]!);
      });
    }
    return { contacts, rooms: await s.puppet.roomList() };
  };

  let stopping: Promise<void> | undefined;
  const edge: WechatyEdge = {
    start: () => supervisor.start(),
    stop: () => {
      stopping ??= (async () => {
        await supervisor.stop();
        log.info('wechaty: stopped');
      })();
      return stopping;
    },
    isLoggedIn: () => Boolean(session?.isOnline()),
    selfId: () => session?.selfId(),
    on(event, listener) {
      events.on(event, listener as (...args: unknown[]) => void);
      return edge;
    },
    off(event, listener) {
      events.off(event, listener as (...args: unknown[]) => void);
      return edge;
    },
    transport,
    friendships,
    rooms,
    reachLists,
  };
  return edge;
}

/** Contact payloads asked at once when reading an account's friends. */
const REACH_BATCH = 50;

function validate(o: WechatyEdgeOptions): void {
  if (!o.endpoint || !/^\S+:\d{1,5}$/.test(o.endpoint)) {
    throw new ConfigError(`wechaty edge: endpoint "${o.endpoint ?? ''}" is not valid: expected host:port (service discovery by token is not supported)`);
  }
  if (!o.token || !/^[A-Za-z0-9]+_.+$/.test(o.token)) {
    throw new ConfigError('wechaty edge: token is not valid: expected <prefix>_<anything>, e.g. insecure_demo or puppet_workpro_<hex>');
  }
  if (!(o.timeoutSeconds > 0) || !(o.maxBackoffSeconds > 0)) {
    throw new ConfigError('wechaty edge: timeoutSeconds and maxBackoffSeconds must be positive numbers');
  }
}
