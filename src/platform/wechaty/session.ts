import net from 'node:net';
import { WechatyBuilder, type Wechaty } from 'wechaty';
import type * as PUPPET from 'wechaty-puppet';
import { PuppetService } from 'wechaty-puppet-service';
import type { Logger } from '../../core/logger.js';
import type { FriendRequest, InboundMessage, RoomMemberEvent } from '../../core/messages.js';
import { errorMessage } from '../../core/errors.js';
import { removedNoticeToFriendRequest, toFriendRequest, toInbound, toRoomMemberEvent } from './convert.js';
import { describeGrpcError, isConnectivityError, isHarmlessWechatyError } from './grpc-errors.js';

/**
 * PuppetService's own watchdog resets the puppet in place, and that reset can race with the
 * supervisor's rebuild (a stopped session comes back to life and takes the server's single event
 * stream). The session runs its own watchdog instead and sets the puppet's to ~20 days (the
 * largest that fits a Node timer).
 */
const PUPPET_WATCHDOG_OFF_SECONDS = 20 * 24 * 3600;

/**
 * PuppetService without its LevelDB payload cache (`~/.wechaty/wechaty-puppet-service/<token>/`).
 * That cache opens on `login` and closes asynchronously on `logout`; after a restart the new
 * session's open races the old one's close and LevelDB's lock error surfaces as an uncaught
 * exception that kills the process (seen here: "IO error: lock …/LOCK: already held by process";
 * two processes with one token hit it too). Payloads stay cached in memory by wechaty-puppet's LRU.
 */
export class EdgePuppetService extends PuppetService {
  protected override hookPayloadStore(): void {
    // deliberately empty: no LevelDB store is ever opened
  }

  /**
   * wechaty-puppet's cache mixin calls `dirtyPayload()` without awaiting it (`__dirtyPayloadAwait`, e.g.
   * after the account itself left a group). When the session is being closed at that moment the call
   * rejects with "no grpc manager" and nobody catches it: an unhandled rejection. A payload marked dirty on
   * a closing session has nothing left to refresh, so that rejection is dropped here; others still throw.
   */
  override async dirtyPayload(...args: Parameters<PuppetService['dirtyPayload']>): Promise<void> {
    try {
      await super.dirtyPayload(...args);
    } catch (err) {
      if ((err as Error | undefined)?.message !== 'no grpc manager') throw err;
    }
  }
}

/** Longest wait for the puppet's start call itself (a login may take longer; the start never should). */
const START_BOUND_MS = 30_000;

export interface SessionOptions {
  endpoint: string;
  token: string;
  noTls: boolean;
  authority?: string;
  /** No event (heartbeat, message …) from the provider for this long means the session is lost. */
  timeoutSeconds: number;
  /** How long `open()` waits for login and ready. */
  loginTimeoutMs: number;
  /** The bot account id (ACCOUNT_ID) put on inbound messages. */
  account: string;
  /** Probe the endpoint over TCP before each attempt (fails fast when refused). Default true. */
  tcpProbe?: boolean;
}

export interface SessionHooks {
  onMessage(m: InboundMessage): Promise<void> | void;
  /** Friendship events (requests, confirmations, a friend lost). Optional. */
  onFriendship?(req: FriendRequest): Promise<void> | void;
  /** People joining and leaving groups. Optional. */
  onRoomEvent?(ev: RoomMemberEvent): Promise<void> | void;
  /** The account logged in (may come before or after ready). */
  onLogin(selfId: string): void;
  /** Called once when an open session stops working; the supervisor then rebuilds. */
  onLost(reason: string): void;
}

type State = 'new' | 'opening' | 'online' | 'lost' | 'closed';

/** One connection: a fresh PuppetService and Wechaty. Never reused after close. */
export class WechatySession {
  readonly puppet: EdgePuppetService;
  readonly bot: Wechaty;
  private state: State = 'new';
  private loggedIn = false;
  private ready = false;
  private lastError: string | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private settleOpen: ((err?: Error) => void) | undefined;
  private closing: Promise<void> | undefined;
  private started = false;
  /** Room events are handed on one after another, in the order they came. */
  private roomEvents: Promise<void> = Promise.resolve();
  private starting: Promise<void> | undefined;
  private startSettled = false;
  private openError: Error | undefined;
  private rejectClosed!: (err: Error) => void;
  private readonly closed = new Promise<never>((_, reject) => {
    this.rejectClosed = reject;
  });

  constructor(
    private readonly opts: SessionOptions,
    private readonly log: Logger,
    private readonly hooks: SessionHooks,
  ) {
    this.puppet = new EdgePuppetService({
      endpoint: opts.endpoint,
      token: opts.token,
      tls: { disable: opts.noTls },
      ...(opts.authority ? { authority: opts.authority } : {}),
      timeoutSeconds: PUPPET_WATCHDOG_OFF_SECONDS,
    });
    // No `name`: a named Wechaty writes `<name>.memory-card.json` into the working directory.
    this.bot = WechatyBuilder.build({ puppet: this.puppet });
    this.closed.catch(() => undefined);
    this.wire();
  }

  /** True while logged in, ready and not lost: sends can go out. */
  isOnline(): boolean {
    return this.state === 'online' && this.bot.isLoggedIn;
  }

  selfId(): string | undefined {
    return this.bot.isLoggedIn ? this.bot.currentUser.id : undefined;
  }

  /**
   * Starts the puppet and waits for login and ready. Rejects at once when `close()` is called.
   * @throws Error saying why (endpoint unreachable, token refused, no login in time).
   */
  async open(): Promise<void> {
    if (this.state !== 'new') throw new Error(`session already ${this.state}`);
    this.state = 'opening';
    // A refused TCP connect fails the attempt at once; Wechaty would take ~5 s and log a page of warnings.
    if (this.opts.tcpProbe !== false) await this.untilClosed(probeTcp(this.opts.endpoint, 5000));
    this.log.debug({ endpoint: this.opts.endpoint }, 'wechaty: endpoint reachable, starting the puppet');
    this.started = true;
    this.starting = this.bot.start().finally(() => {
      this.startSettled = true;
    });
    this.starting.catch(() => undefined);
    // A server whose one event stream another client holds (the other process of a rolling restart)
    // leaves start() hanging: bound it, so the supervisor closes this attempt and tries again.
    let startTimer: NodeJS.Timeout | undefined;
    const startMs = Math.min(this.opts.loginTimeoutMs, START_BOUND_MS);
    const startBound = new Promise<never>((_, reject) => {
      startTimer = setTimeout(
        () => reject(new Error(`puppet-service start did not finish within ${Math.round(startMs / 1000)}s (is another process connected to this account?)`)),
        startMs,
      );
    });
    startBound.catch(() => undefined);
    try {
      await this.untilClosed(Promise.race([this.starting, startBound]));
    } finally {
      clearTimeout(startTimer);
    }
    // Wechaty's start() swallows the puppet's start failure: check the puppet's state ourselves.
    if (this.puppet.state.active() !== true) {
      throw new Error(`puppet-service did not start: ${this.lastError ?? 'unknown error'}`);
    }
    const grpc = this.puppet.grpcManager;
    grpc.on('end', () => this.fail('the event stream ended'));
    grpc.on('error', (err: unknown) => this.fail(`the event stream failed: ${describeGrpcError(err)}`));
    await this.untilClosed(this.waitOnline());
    this.state = 'online';
    this.feedWatchdog();
  }

  /** Stops the puppet (bounded in time) and forgets the session. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      this.rejectClosed(new Error('session closed'));
      this.settleOpen?.(new Error('session closed'));
      if (this.watchdog) clearTimeout(this.watchdog);
      if (!this.started) return;
      let grpc: EdgePuppetService['grpcManager'] | undefined;
      try {
        grpc = this.puppet.grpcManager;
      } catch {
        // not connected yet
      }
      const stopping = this.bot.stop().catch((err: unknown) => {
        this.log.debug({ err: errorMessage(err) }, 'wechaty: stop failed (ignored)');
      });
      if (!(await settlesWithin(stopping, 5000))) {
        // A provider that accepted TCP but went silent leaves gRPC calls (stop) hanging without a
        // deadline: close the channel so they fail, then give the stop a little longer.
        this.log.debug('wechaty: stop is hanging, closing the gRPC channel');
        try {
          grpc?.client.close();
        } catch {
          // the channel is already gone
        }
        await settlesWithin(stopping, 5000);
      }
      // A start still under way could finish after this stop and leave a live client holding the
      // server's only event stream: stop again once it settles.
      if (!this.startSettled) void this.starting?.then(() => this.bot.stop()).catch(() => undefined);
    })();
    return this.closing;
  }

  private untilClosed<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.closed]);
  }

  private waitOnline(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.openError) return reject(this.openError);
      const timer = setTimeout(
        () => this.settleOpen?.(new Error(`no login within ${Math.round(this.opts.loginTimeoutMs / 1000)}s` + (this.lastError ? ` (last error: ${this.lastError})` : ''))),
        this.opts.loginTimeoutMs,
      );
      this.settleOpen = (err) => {
        clearTimeout(timer);
        this.settleOpen = undefined;
        if (err) reject(err);
        else resolve();
      };
      this.checkOnline();
    });
  }

  private fail(reason: string): void {
    if (this.state === 'opening') {
      this.openError ??= new Error(reason);
      this.settleOpen?.(this.openError);
    } else if (this.state === 'online') {
      this.state = 'lost';
      if (this.watchdog) clearTimeout(this.watchdog);
      this.hooks.onLost(reason);
    }
  }

  private checkOnline(): void {
    if (this.state === 'opening' && this.loggedIn && this.ready && this.puppet.state.active() === true) this.settleOpen?.();
  }

  private feedWatchdog(): void {
    if (this.state !== 'online') return;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.fail(`no event from the provider for ${this.opts.timeoutSeconds}s`), this.opts.timeoutSeconds * 1000);
  }

  private wire(): void {
    const { bot, puppet, log } = this;
    bot.on('login', (user) => {
      if (this.state === 'closed') return;
      this.loggedIn = true;
      this.hooks.onLogin(user.id);
      this.checkOnline();
    });
    bot.on('ready', () => {
      if (this.state === 'closed') return;
      this.ready = true;
      this.checkOnline();
    });
    // The puppet's own logout is synchronous; Wechaty's comes after a contact lookup.
    puppet.on('logout', ({ data }) => this.fail(`logged out${data ? `: ${data}` : ''}`));
    puppet.on('heartbeat', () => this.feedWatchdog());
    bot.on('scan', (qrcode, status) => {
      if (this.state === 'closed') return;
      log.warn({ status, qrcode }, 'wechaty: the account needs a QR scan to log in');
    });
    bot.on('message', async (msg) => {
      if (this.state === 'closed') return;
      try {
        const m = await toInbound(msg, this.opts.account);
        const removed = this.hooks.onFriendship ? removedNoticeToFriendRequest(m) : null;
        if (removed) await this.hooks.onFriendship?.(removed);
        await this.hooks.onMessage(m);
      } catch (err) {
        log.error({ err, messageId: msg.id }, 'wechaty: message handler failed');
      }
    });
    bot.on('friendship', async (f) => {
      if (this.state === 'closed' || !this.hooks.onFriendship) return;
      try {
        const req = toFriendRequest(f, this.opts.account);
        if (req) await this.hooks.onFriendship(req);
        else log.debug({ friendshipId: f.id }, 'wechaty: friendship of unknown type ignored');
      } catch (err) {
        log.error({ err, friendshipId: f.id }, 'wechaty: friendship handler failed');
      }
    });
    // The puppet's raw events, not Wechaty's: Wechaty drops the event when its room lookup fails.
    puppet.on('room-join', (payload) => this.roomEvent('join', payload));
    puppet.on('room-leave', (payload) => this.roomEvent('leave', payload));
    // Never removed: an `error` event without a listener would throw.
    bot.on('error', (err) => {
      const text = describeGrpcError(err);
      this.lastError = text;
      if (this.state === 'closed' || this.state === 'opening' || isHarmlessWechatyError(err)) {
        log.debug({ err: text, state: this.state }, 'wechaty: error');
      } else if (isConnectivityError(err)) {
        log.warn({ err: text }, 'wechaty: connection error');
      } else {
        log.error({ err: text }, 'wechaty: error');
      }
    });
  }

  /**
   * Converts a room-join / room-leave payload (names and topic best effort, looked up at once) and
   * hands it on in the order the events came. Never throws.
   */
  private roomEvent(kind: 'join' | 'leave', payload: PUPPET.payloads.EventRoomJoin | PUPPET.payloads.EventRoomLeave): void {
    const hook = this.hooks.onRoomEvent;
    if (this.state === 'closed' || !hook) return;
    const converted = (async () => {
      const ids = 'inviteeIdList' in payload ? payload.inviteeIdList : payload.removeeIdList;
      const names = new Map<string, string>();
      await Promise.all(
        (ids ?? []).map(async (id) => {
          const member = await this.puppet.roomMemberPayload(payload.roomId, id).catch(() => null);
          const name = member?.name || (await this.puppet.contactPayload(id).catch(() => null))?.name || '';
          names.set(id, name);
        }),
      );
      const topic = (await this.puppet.roomPayload(payload.roomId).catch(() => null))?.topic ?? '';
      return toRoomMemberEvent(kind, payload, this.opts.account, names, topic);
    })();
    this.roomEvents = this.roomEvents.then(async () => {
      try {
        const ev = await converted;
        if (this.state !== 'closed') await hook(ev);
      } catch (err) {
        this.log.error({ err, kind, roomId: payload.roomId }, 'wechaty: room event handler failed');
      }
    });
  }
}

/** Resolves when a TCP connection to `host:port` opens; rejects with the socket error otherwise. */
export function probeTcp(endpoint: string, timeoutMs: number): Promise<void> {
  const i = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(endpoint.slice(i + 1));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(new Error(`cannot reach the puppet-service at ${endpoint}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no TCP answer within ${timeoutMs} ms`)));
    socket.once('connect', () => done());
    socket.once('error', done);
  });
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([p.then(() => true), timeout]).finally(() => clearTimeout(timer));
}
