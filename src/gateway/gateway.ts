import type { Redis } from 'ioredis';
import { PermanentSendError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createWechatyEdge, type WechatyEdge, type WechatyEdgeOptions } from '../platform/wechaty/edge.js';
import { SendTimeoutError } from '../platform/wechaty/transport.js';
import { resolveToken, type GatewayAccount } from './accounts-source.js';
import { gatewayKeys, type GatewayKeys } from './keys.js';
import { LeaseKeeper, Leases, type LeaseKeeperOptions } from './lease.js';
import { PENDING, SENT, type CommandFailure, type GatewayCommand, type GatewayEvent, type GatewayReply, type LinkState } from './protocol.js';

/** The edge settings every account of this gateway shares (the WechatyEdgeOptions minus account, endpoint, token). */
export type SharedEdgeOptions = Omit<WechatyEdgeOptions, 'account' | 'endpoint' | 'token' | 'onSent'>;

export interface GatewayOptions {
  /** This gateway's name in leases, state and logs (unique among the gateways). */
  id: string;
  prefix: string;
  /** Commands, events and leases. */
  redis: Redis;
  /** A second connection for the command subscription (a subscribed connection can do nothing else). */
  subscriber: Redis;
  /** The accounts this gateway may connect, read at every scan. */
  accounts: () => readonly GatewayAccount[];
  /** Where tokens are read (`token: {env}`). */
  env: Record<string, string | undefined>;
  edge: SharedEdgeOptions;
  lease?: LeaseKeeperOptions;
  logger: Logger;
  /** Builds the edge of an account; default createWechatyEdge. */
  makeEdge?: typeof createWechatyEdge;
  /** Stream length kept (approximate). Default 100 000 events. */
  eventsMaxLen?: number;
  /** How long a send record is kept. Default 7 days (longer than any outbox row lives). */
  sendRecordTtlMs?: number;
}

interface Hosted {
  edge: WechatyEdge;
  channel: string;
}

/**
 * A gateway process's work: take accounts through leases, connect each with its own edge, relay what
 * the edges hand in to the events stream, and carry out the core's commands for the accounts it holds.
 * Sends with a key are recorded before the platform call, so none goes out twice, whatever gateway
 * gets it again.
 */
export class Gateway {
  private readonly keys: GatewayKeys;
  private readonly keeper: LeaseKeeper;
  private readonly hosted = new Map<string, Hosted>();
  private readonly log: Logger;
  private readonly badTokens = new Set<string>();
  /** Accounts whose edge could not be built, with the entry that failed: skipped until the entry changes. */
  private readonly broken = new Map<string, string>();
  private readonly maxLen: number;
  private readonly recordTtl: number;
  private stopped = false;

  constructor(private readonly o: GatewayOptions) {
    this.keys = gatewayKeys(o.prefix);
    this.log = o.logger.child({ mod: 'gateway', gateway: o.id });
    this.maxLen = o.eventsMaxLen ?? 100_000;
    this.recordTtl = o.sendRecordTtlMs ?? 7 * 86_400_000;
    this.keeper = new LeaseKeeper(new Leases(o.redis, o.prefix, o.id), () => this.candidates(), this.log, o.lease);
    this.keeper.on('acquired', (a) => void this.connect(a).catch((err: unknown) => this.log.error({ err, account: a }, 'gateway: connecting the account failed')));
    this.keeper.on('lost', (a, reason) => void this.disconnect(a, reason, false));
    o.subscriber.on('message', (_channel: string, text: string) => void this.onCommand(text));
  }

  /** Accounts connected (or connecting) by this gateway now. */
  accounts(): string[] {
    return [...this.hosted.keys()];
  }

  /** Looks for free accounts at once, then keeps its leases. */
  start(): void {
    this.log.info({ maxAccounts: this.o.lease?.maxAccounts ?? 100 }, 'gateway: started; taking free accounts');
    this.keeper.start();
  }

  /** Disconnects every account, tells the core they are offline and gives their leases up. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled(this.accounts().map((a) => this.disconnect(a, 'gateway stopping', true)));
    await this.keeper.stop(true);
    this.log.info('gateway: stopped');
  }

  private candidates(): string[] {
    let list: readonly GatewayAccount[];
    try {
      list = this.o.accounts();
    } catch (err) {
      // A broken file: keep the accounts held now, take no new ones until it is fixed.
      this.log.error({ err: errorMessage(err) }, 'gateway: accounts could not be read; keeping the ones connected');
      return this.accounts();
    }
    return list.filter((a) => a.enabled && this.tokenOk(a) && this.broken.get(a.id) !== JSON.stringify(a)).map((a) => a.id);
  }

  private tokenOk(a: GatewayAccount): boolean {
    try {
      resolveToken(a, this.o.env);
      this.badTokens.delete(a.id);
      return true;
    } catch (err) {
      if (!this.badTokens.has(a.id)) this.log.error({ account: a.id, err: errorMessage(err) }, 'gateway: account skipped');
      this.badTokens.add(a.id);
      return false;
    }
  }

  private async connect(account: string): Promise<void> {
    const spec = this.o.accounts().find((a) => a.id === account);
    if (!spec || this.stopped) {
      await this.keeper.drop(account, "not in this gateway's accounts");
      return;
    }
    const make = this.o.makeEdge ?? createWechatyEdge;
    const emit = (ev: GatewayEvent) => this.publishEvent(ev);
    const base = { account, gateway: this.o.id };
    let edge: WechatyEdge;
    try {
      edge = make(
        { ...this.o.edge, account, endpoint: spec.endpoint, token: resolveToken(spec, this.o.env), onSent: (messageId) => void emit({ kind: 'sent', ...base, messageId }) },
        this.o.logger,
        (message) => emit({ kind: 'message', ...base, message }),
        (request) => emit({ kind: 'friendship', ...base, request }),
        (event) => emit({ kind: 'room', ...base, event }),
      );
    } catch (err) {
      // A bad endpoint or token: give the lease up and leave the account alone until its entry changes.
      this.log.error({ account, err: errorMessage(err) }, 'gateway: account cannot be connected; skipped until its entry changes');
      this.broken.set(account, JSON.stringify(spec));
      await this.keeper.drop(account, 'cannot be connected');
      return;
    }
    const link = (state: LinkState, extra: { selfId?: string; reason?: string }) => {
      void this.o.redis
        .hset(this.keys.state(account), { state, gateway: this.o.id, selfId: extra.selfId ?? edge.selfId() ?? '', at: String(Date.now()) })
        .then(() => emit({ kind: state, ...base, ...extra }))
        .catch((err: unknown) => this.log.warn({ err, account }, 'gateway: state not written'));
    };
    edge.on('login', (selfId) => link('login', { selfId }));
    edge.on('ready', (selfId) => link('ready', { selfId }));
    edge.on('logout', (reason) => link('logout', { reason }));
    const channel = this.keys.commands(account);
    this.hosted.set(account, { edge, channel });
    await this.o.subscriber.subscribe(channel);
    this.log.info({ account, endpoint: spec.endpoint }, 'gateway: connecting account');
    void edge.start().catch(() => undefined);
  }

  private async disconnect(account: string, reason: string, tellCore: boolean): Promise<void> {
    const h = this.hosted.get(account);
    if (!h) return;
    this.hosted.delete(account);
    await this.o.subscriber.unsubscribe(h.channel).catch(() => undefined);
    await h.edge.stop().catch(() => undefined);
    if (tellCore) {
      await this.o.redis.hset(this.keys.state(account), { state: 'logout', gateway: this.o.id, selfId: '', at: String(Date.now()) }).catch(() => undefined);
      await this.publishEvent({ kind: 'logout', account, gateway: this.o.id, reason });
    }
    this.log.info({ account, reason }, 'gateway: account disconnected');
  }

  private async publishEvent(ev: GatewayEvent): Promise<void> {
    try {
      await this.o.redis.xadd(this.keys.events, 'MAXLEN', '~', this.maxLen, '*', 'e', JSON.stringify(ev));
    } catch (err) {
      this.log.error({ err, account: ev.account, kind: ev.kind }, 'gateway: event not relayed (Redis)');
    }
  }

  private async onCommand(text: string): Promise<void> {
    let cmd: GatewayCommand;
    try {
      cmd = JSON.parse(text) as GatewayCommand;
    } catch {
      this.log.warn('gateway: unreadable command dropped');
      return;
    }
    const h = this.hosted.get(cmd.account);
    // Not ours any more, or the core gave up waiting: no answer, nothing done.
    if (!h || Date.now() > cmd.deadline) return;
    let reply: GatewayReply;
    try {
      reply = await this.run(cmd, h.edge);
    } catch (err) {
      reply = { id: cmd.id, ok: false, failure: failureOf(err), message: errorMessage(err) };
    }
    await this.o.redis.publish(this.keys.replies(cmd.replyTo), JSON.stringify(reply)).catch((err: unknown) => {
      this.log.warn({ err, account: cmd.account }, 'gateway: answer not delivered (Redis)');
    });
  }

  private async run(cmd: GatewayCommand, edge: WechatyEdge): Promise<GatewayReply> {
    switch (cmd.op) {
      case 'accept':
        await edge.friendships.accept(cmd.friendshipId);
        return { id: cmd.id, ok: true };
      case 'members':
        return { id: cmd.id, ok: true, memberIds: await edge.rooms.memberIds(cmd.roomId) };
      case 'send':
        if (!cmd.key) return { id: cmd.id, ok: true, ...(await edge.transport.send(cmd.target, cmd.content)) };
        return this.sendOnce(cmd, edge, cmd.key);
    }
  }

  /**
   * One send under its key: the record is written (NX) before the platform call. A key already
   * recorded is answered from the record: `sent` with its message id, or `unknown` when the send
   * that recorded it never finished (a gateway died or timed out mid-send). A send that certainly did
   * not go out (offline, refused) removes the record so a retry may send.
   */
  private async sendOnce(cmd: Extract<GatewayCommand, { op: 'send' }>, edge: WechatyEdge, key: string): Promise<GatewayReply> {
    if (!edge.transport.isReady()) return { id: cmd.id, ok: false, failure: 'transient', message: 'not logged in: the WeChat account is offline' };
    const rk = this.keys.sendRecord(key);
    const mine = await this.o.redis.set(rk, `${PENDING}|${this.o.id}|${cmd.account}`, 'PX', this.recordTtl, 'NX');
    if (mine !== 'OK') {
      const rec = (await this.o.redis.get(rk)) ?? '';
      if (rec.startsWith(`${SENT}|`)) {
        this.log.info({ account: cmd.account, key }, 'gateway: send already done; answered from its record');
        return { id: cmd.id, ok: true, messageId: rec.slice(SENT.length + 1) || undefined, replayed: true };
      }
      this.log.warn({ account: cmd.account, key, record: rec.split('|').slice(0, 2).join('|') }, 'gateway: send began before and never finished; not sent again');
      return {
        id: cmd.id,
        ok: false,
        failure: 'unknown',
        message: 'outcome unknown: this message was handed to a gateway that stopped before it could tell whether it went out; not sent again',
      };
    }
    try {
      const r = await edge.transport.send(cmd.target, cmd.content);
      await this.o.redis.set(rk, `${SENT}|${r.messageId ?? ''}`, 'PX', this.recordTtl);
      return { id: cmd.id, ok: true, ...r };
    } catch (err) {
      if (!(err instanceof SendTimeoutError)) await this.o.redis.del(rk).catch(() => undefined);
      throw err;
    }
  }
}

function failureOf(err: unknown): CommandFailure {
  if (err instanceof SendTimeoutError) return 'unknown';
  if (err instanceof PermanentSendError) return 'permanent';
  return 'transient';
}
