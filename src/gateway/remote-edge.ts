import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { AccountSpec, EdgeFactory, EdgeHandlers } from '../accounts/index.js';
import { PermanentSendError, SendOutcomeUnknownError, TransientSendError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FriendshipGateway, RoomGateway, Transport } from '../core/messages.js';
import type { WechatyEdge, WechatyEdgeEvents } from '../platform/wechaty/edge.js';
import { gatewayKeys, type GatewayKeys } from './keys.js';
import type { GatewayCommand, GatewayEvent, GatewayReply } from './protocol.js';

export interface RemoteEdgeOptions {
  /** QUEUE_PREFIX: the same as the gateways'. */
  prefix: string;
  logger: Logger;
  /** How long a command waits for the gateway's answer. Default 45 000 ms (a gateway's own send timeout is 30 s). */
  requestTimeoutMs?: number;
  /** How often the accounts' lease and state are read (catches a gateway that died silently). Default 2 000 ms. */
  statePollMs?: number;
  /** Consumer group reading the events stream. Default `core` (one core process per brand). */
  group?: string;
  /** Longest block of one stream read. Default 2 000 ms. */
  blockMs?: number;
}

/** An EdgeFactory whose shared connections (the events reader, the answers subscription) can be closed. */
export type RemoteEdgeFactory = EdgeFactory & {
  /** Stops reading events and answers; every edge made reads as offline. */
  close(): Promise<void>;
};

interface Pending {
  resolve: (r: GatewayReply) => void;
  timer: NodeJS.Timeout;
}

/**
 * The core's side of the gateways: an EdgeFactory whose edges connect nothing themselves. Their
 * transport, friendships and rooms send commands to whichever gateway holds the account's lease (an
 * answer or TransientSendError within `requestTimeoutMs`); their events come from the gateways'
 * stream; isLoggedIn/selfId follow the state the lease holder wrote (a gateway whose lease expired
 * counts as logged out within `statePollMs`).
 * @example
 * edgeFactory: config.GATEWAYS === 'remote' ? remoteEdgeFactory(redis, { prefix: config.QUEUE_PREFIX, logger }) : undefined
 */
export function remoteEdgeFactory(redis: Redis, opts: RemoteEdgeOptions): RemoteEdgeFactory {
  const link = new GatewayLink(redis, opts);
  const make: EdgeFactory = (spec: AccountSpec, handlers: EdgeHandlers) => new RemoteEdge(spec.id, handlers, link, opts.logger);
  return Object.assign(make, { close: () => link.close() });
}

/** The connections one core process shares among its remote edges. Started with the first edge. */
class GatewayLink {
  readonly keys: GatewayKeys;
  readonly coreId = randomUUID();
  private readonly edges = new Map<string, RemoteEdge>();
  private readonly pending = new Map<string, Pending>();
  private readonly log: Logger;
  private sub: Redis | undefined;
  private reader: Redis | undefined;
  private readLoop: Promise<void> | undefined;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RemoteEdgeOptions,
  ) {
    this.keys = gatewayKeys(opts.prefix);
    this.log = opts.logger.child({ mod: 'gateway-link' });
  }

  async register(edge: RemoteEdge): Promise<void> {
    this.edges.set(edge.account, edge);
    await this.started();
    await this.syncStates([edge]);
  }

  unregister(edge: RemoteEdge): void {
    if (this.edges.get(edge.account) === edge) this.edges.delete(edge.account);
  }

  /** The shared connections, opened once (tried again after a failure). */
  private started(): Promise<void> {
    this.starting ??= this.startShared().catch((err: unknown) => {
      this.starting = undefined;
      this.sub?.disconnect();
      this.reader?.disconnect();
      throw err;
    });
    return this.starting;
  }

  private async startShared(): Promise<void> {
    this.sub = this.redis.duplicate();
    this.sub.on('message', (_ch: string, text: string) => this.onReply(text));
    await this.sub.subscribe(this.keys.replies(this.coreId));
    this.reader = this.redis.duplicate({ maxRetriesPerRequest: null });
    const group = this.opts.group ?? 'core';
    try {
      // From now on: what gateways wrote before this group existed is history.
      await this.redis.xgroup('CREATE', this.keys.events, group, '$', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    this.readLoop = this.readEvents(this.reader, group);
    this.poll = setInterval(
      () =>
        void this.syncStates([...this.edges.values()]).catch((err: unknown) => {
          this.log.warn({ err }, 'gateway link: account states not read (Redis)');
        }),
      this.opts.statePollMs ?? 2000,
    );
  }

  /** Reads the stream in order: first this consumer's unacknowledged events (a restart), then new ones. */
  private async readEvents(reader: Redis, group: string): Promise<void> {
    let cursor = '0';
    let failures = 0;
    while (!this.closed) {
      try {
        const res = (await reader.xreadgroup('GROUP', group, 'core', 'COUNT', 200, 'BLOCK', this.opts.blockMs ?? 2000, 'STREAMS', this.keys.events, cursor)) as
          [string, [string, string[]][]][] | null;
        failures = 0;
        const entries = res?.[0]?.[1] ?? [];
        if (cursor === '0' && entries.length === 0) cursor = '>';
        if (!entries.length || this.closed) continue;
        // Handlers are called in stream order within one turn (so Ingest batches them as it does
        // in-process); the batch is acknowledged once every handler has finished.
        await Promise.all(entries.map(([, fields]) => (fields[1] ? this.dispatch(fields[1]) : undefined)));
        await this.redis.xack(this.keys.events, group, ...entries.map(([id]) => id));
      } catch (err) {
        if (this.closed) return;
        failures++;
        if (failures === 1 || failures % 20 === 0) this.log.warn({ err, failures }, 'gateway link: events not read (Redis); retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(failures, 5))));
      }
    }
  }

  private async dispatch(text: string): Promise<void> {
    let ev: GatewayEvent;
    try {
      ev = JSON.parse(text) as GatewayEvent;
    } catch {
      this.log.warn('gateway link: unreadable event skipped');
      return;
    }
    const edge = this.edges.get(ev.account);
    if (!edge) {
      this.log.debug({ account: ev.account, kind: ev.kind }, 'gateway link: event for an account this core does not run; skipped');
      return;
    }
    await edge.handle(ev);
  }

  /** Reads each account's lease holder and the state its gateway wrote. */
  private async syncStates(edges: RemoteEdge[]): Promise<void> {
    if (!edges.length || this.closed) return;
    const p = this.redis.pipeline();
    for (const e of edges) {
      p.hgetall(this.keys.state(e.account));
      p.get(this.keys.lease(e.account));
    }
    const res = (await p.exec()) ?? [];
    edges.forEach((e, i) => {
      const state = (res[2 * i]?.[1] ?? {}) as Record<string, string>;
      const holder = (res[2 * i + 1]?.[1] ?? null) as string | null;
      e.sync(state, holder);
    });
  }

  /**
   * Sends one command to the account's lease holder and waits for its answer.
   * @throws TransientSendError when no gateway holds the account or none answers in time.
   */
  async request(
    account: string,
    body: DistributiveOmit<GatewayCommand, 'id' | 'account' | 'replyTo' | 'deadline'>,
    timeoutMs = this.opts.requestTimeoutMs ?? 45_000,
  ): Promise<GatewayReply> {
    if (this.closed) throw new TransientSendError(`account ${account}: the core's gateway link is closed`);
    await this.started();
    const id = randomUUID();
    const cmd = { ...body, id, account, replyTo: this.coreId, deadline: Date.now() + timeoutMs } as GatewayCommand;
    const answer = new Promise<GatewayReply | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
    });
    const listeners = await this.redis.publish(this.keys.commands(account), JSON.stringify(cmd));
    if (listeners === 0) {
      const p = this.pending.get(id);
      if (p) clearTimeout(p.timer);
      this.pending.delete(id);
      this.edges.get(account)?.unheard();
      throw new TransientSendError(`account ${account}: no gateway connects it now`);
    }
    const reply = await answer;
    if (!reply) throw new TransientSendError(`account ${account}: its gateway did not answer within ${Math.round(timeoutMs / 1000)} s`);
    return reply;
  }

  private onReply(text: string): void {
    let r: GatewayReply;
    try {
      r = JSON.parse(text) as GatewayReply;
    } catch {
      return;
    }
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.reader?.disconnect();
    await this.readLoop?.catch(() => undefined);
    await this.sub?.quit().catch(() => undefined);
    for (const e of this.edges.values()) e.sync({}, null);
  }
}

/** How long a gateway that did not hear a command is not believed ready from its old state. */
const SILENCE_MS = 10_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One account's edge as the core sees it, through whichever gateway holds the account. */
class RemoteEdge implements WechatyEdge {
  private readonly events = new EventEmitter();
  private online = false;
  private self: string | undefined;
  private gateway: string | undefined;
  private stopped = false;
  /** A lease holder that did not hear a command: not taken as ready from its old state until `until`. */
  private silent: { gateway: string; until: number } | undefined;
  private readonly log: Logger;
  readonly transport: Transport;
  readonly friendships: FriendshipGateway;
  readonly rooms: RoomGateway;

  constructor(
    readonly account: string,
    private readonly handlers: EdgeHandlers,
    private readonly link: GatewayLink,
    logger: Logger,
  ) {
    this.log = logger.child({ mod: 'remote-edge', account });
    this.transport = {
      isReady: () => this.online,
      send: async (target, content, o) => {
        if (!this.online) throw new TransientSendError('not logged in: no gateway has the account ready');
        return unwrap(await this.link.request(account, { op: 'send', target, content, ...(o?.key ? { key: o.key } : {}) }));
      },
    };
    this.friendships = {
      isReady: () => this.online,
      accept: async (friendshipId) => {
        unwrap(await this.link.request(account, { op: 'accept', friendshipId }));
      },
    };
    this.rooms = {
      isReady: () => this.online,
      selfId: () => this.self,
      memberIds: async (roomId) => unwrap(await this.link.request(account, { op: 'members', roomId })).memberIds ?? [],
    };
  }

  /** Resolves once a gateway has the account logged in and ready. */
  start(): Promise<void> {
    this.stopped = false;
    return new Promise<void>((resolve, reject) => {
      const ready = () => {
        this.off('ready', ready);
        this.events.off('stopped', stoppedFirst);
        resolve();
      };
      const stoppedFirst = () => {
        this.off('ready', ready);
        reject(new Error(`account ${this.account}: stopped before a gateway had it ready`));
      };
      this.on('ready', ready);
      this.events.once('stopped', stoppedFirst);
      this.link.register(this).then(
        () => {
          if (this.online) ready();
        },
        (err: unknown) => {
          this.off('ready', ready);
          this.events.off('stopped', stoppedFirst);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.link.unregister(this);
    this.online = false;
    this.events.emit('stopped');
  }

  isLoggedIn(): boolean {
    return this.online;
  }

  selfId(): string | undefined {
    return this.self;
  }

  on<E extends keyof WechatyEdgeEvents>(event: E, listener: (...args: WechatyEdgeEvents[E]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof WechatyEdgeEvents>(event: E, listener: (...args: WechatyEdgeEvents[E]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** The lease holder and the state its gateway wrote: online only when they agree and it said ready. */
  sync(state: Record<string, string>, holder: string | null): void {
    const silent = this.silent !== undefined && this.silent.gateway === holder && Date.now() < this.silent.until;
    const online = state['state'] === 'ready' && Boolean(holder) && holder === state['gateway'] && !silent;
    if (online && (!this.online || this.gateway !== holder)) {
      this.becomeReady(holder!, state['selfId'] || undefined);
    } else if (!online && this.online) {
      this.becomeOffline(holder ? `account moved to gateway ${holder}` : 'no gateway holds the account (its lease expired)');
    }
  }

  /**
   * A command found nobody listening: the gateway holding the lease is dead (its lease not yet
   * expired). Offline at once, so senders wait instead of spending attempts, and not ready again
   * from that gateway's old state for a while (a new `ready` from it, or another holder, ends this).
   */
  unheard(): void {
    if (!this.gateway) return;
    this.silent = { gateway: this.gateway, until: Date.now() + SILENCE_MS };
    this.becomeOffline(`gateway ${this.gateway} is not listening (stopped or dead; its lease not yet expired)`);
  }

  /** One event of the stream, in order. */
  async handle(ev: GatewayEvent): Promise<void> {
    try {
      switch (ev.kind) {
        case 'message':
          await this.handlers.onMessage(ev.message);
          return;
        case 'friendship':
          this.handlers.onFriendship(ev.request);
          return;
        case 'room':
          this.handlers.onRoomEvent(ev.event);
          return;
        case 'sent':
          this.handlers.onSent?.(ev.messageId);
          return;
        case 'login':
          if (ev.selfId) this.self = ev.selfId;
          this.events.emit('login', ev.selfId ?? '');
          return;
        case 'ready':
          if (this.silent?.gateway === ev.gateway) this.silent = undefined;
          this.becomeReady(ev.gateway, ev.selfId);
          return;
        case 'logout':
          // A gateway that lost the account may report late: only the current one's word counts.
          if (!this.gateway || ev.gateway === this.gateway) this.becomeOffline(ev.reason ?? 'logged out');
          return;
      }
    } catch (err) {
      this.log.error({ err, kind: ev.kind }, 'remote edge: handler threw; event skipped');
    }
  }

  private becomeReady(gateway: string, selfId: string | undefined): void {
    if (this.stopped) return;
    if (selfId) this.self = selfId;
    const moved = this.gateway !== undefined && this.gateway !== gateway;
    this.gateway = gateway;
    if (this.online && !moved) return;
    this.online = true;
    this.log.info({ gateway, selfId: this.self }, 'remote edge: account ready on its gateway');
    this.events.emit('ready', this.self ?? '');
  }

  private becomeOffline(reason: string): void {
    if (!this.online) return;
    this.online = false;
    this.log.warn({ gateway: this.gateway, reason }, 'remote edge: account offline');
    this.events.emit('logout', reason);
  }
}

function unwrap(r: GatewayReply): Extract<GatewayReply, { ok: true }> {
  if (r.ok) return r;
  switch (r.failure) {
    case 'permanent':
      throw new PermanentSendError(r.message);
    case 'unknown':
      throw new SendOutcomeUnknownError(r.message);
    default:
      throw new TransientSendError(r.message);
  }
}
