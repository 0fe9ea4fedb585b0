import { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FriendshipGateway, InboundMessage, RoomGateway } from '../core/messages.js';
import type { Sender } from '../outbox/index.js';
import type { WechatyEdge } from '../platform/wechaty/edge.js';
import type { AccountsRegistry } from './registry.js';
import type { ReachRepo } from './reach.repo.js';
import { ReachKeeper } from './reach-keeper.js';
import type { AccountSpec, AccountState, AccountsView, EdgeFactory, EdgeHandlers } from './types.js';

/** Where the hub reads the registry and hears of changes (an AccountsRegistryHolder, or a test double). */
export interface RegistrySource {
  readonly current: AccountsRegistry;
  /** Re-reads the file when it changed; a bad edit keeps the last good version. */
  reloadIfChanged(): { ok: true; changed: boolean } | { ok: false; error: string };
  onChange(fn: (r: AccountsRegistry) => void): () => void;
}

export interface AccountHubOptions {
  registry: RegistrySource;
  edgeFactory: EdgeFactory;
  /** Where every account's edge hands what it receives (the hub notes reach first). */
  handlers: EdgeHandlers;
  /** The account's sender, built with its budget, on the account's transport. Not started. */
  makeSender: (spec: AccountSpec, edge: WechatyEdge) => Sender;
  /** Made ready before an account added by a registry edit starts (the simulated world hosts it). */
  prepare?: (spec: AccountSpec) => Promise<void>;
  /** Called when an account starts (before it connects): the outbox feeds and sweeps its queues from now on. */
  onAccountStart?: (spec: AccountSpec) => void;
  /** Called with each account's self id at every login (capabilities' ready handlers). */
  onReady?: (account: string, selfId: string) => void;
  reach: ReachRepo;
  clock: Clock;
  logger: Logger;
  /** How often the registry file is checked for edits (default 5 s; 0: never, call `refresh`). */
  checkEveryMs?: number;
}

/** One running account: its connection, its sender and what the console shows about it. */
interface Running {
  spec: AccountSpec;
  edge: WechatyEdge;
  sender: Sender;
  online: boolean;
  selfId: string | null;
  lastError: string | null;
  /** When the account last went online or offline (epoch ms). */
  since: number;
  ready: Promise<void>;
}

/** What the console and /metrics show per account. */
export interface AccountStatus {
  id: string;
  name: string;
  role: AccountSpec['role'];
  stores: string[];
  state: AccountState;
  selfId: string | null;
  lastError: string | null;
  since: number | null;
  budget: AccountSpec['budget'];
}

/** The hub's events: an account logged in, is ready and its reach was read (`up`), or is not sending any more (`down`). */
export interface AccountHubEvents {
  up: [account: string, selfId: string];
  /** `reason`: the provider's (`logged out: …`), `disabled` or `removed` (from the registry). */
  down: [account: string, reason: string];
  /** The registry was applied (after start and after every accepted edit). */
  applied: [registry: AccountsRegistry];
  /** An edit of the registry file was refused (file, line, field, allowed); the last good version stays. */
  refused: [error: string];
}

/**
 * The brand's accounts, connected: for each enabled account of the registry an edge (from the injected
 * EdgeFactory: in-process or through a gateway) and a Sender with the account's budget. Edits to the
 * registry apply without a restart: a new or re-enabled account starts, a disabled or removed one
 * stops (its sender first), a changed connection or budget restarts it. Keeps the reach table current
 * (see ReachKeeper). Emits `up` / `down` per account; implements AccountsView.
 */
export class AccountHub extends EventEmitter<AccountHubEvents> implements AccountsView {
  private readonly running = new Map<string, Running>();
  /** Errors of accounts that could not start (a token not found, no such account in the world). */
  private readonly startErrors = new Map<string, string>();
  private specs: readonly AccountSpec[] = [];
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastRefusal: string | null = null;
  /** Friend request id → the account that received it and who asked (accepts go through that account). */
  private readonly requestAccount = new Map<string, { account: string; contactId: string }>();
  readonly keeper: ReachKeeper;

  constructor(private readonly opts: AccountHubOptions) {
    super();
    this.keeper = new ReachKeeper(opts.reach, opts.clock, opts.logger.child({ mod: 'reach' }));
  }

  /** Starts every enabled account (connecting in the background) and watches the registry. */
  start(): void {
    this.specs = this.opts.registry.current.accounts;
    for (const spec of this.specs) if (spec.enabled) this.startAccount(spec);
    this.unsubscribe = this.opts.registry.onChange((r) => void this.apply(r));
    const every = this.opts.checkEveryMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => this.refresh(), every);
      this.timer.unref();
    }
    this.emit('applied', this.opts.registry.current);
  }

  /** The last refused edit of the registry file, until a good one replaces it. */
  get registryError(): string | null {
    return this.lastRefusal;
  }

  /** Looks at the registry file now (the timer does this every few seconds). */
  refresh(): { ok: true; changed: boolean } | { ok: false; error: string } {
    const r = this.opts.registry.reloadIfChanged();
    if (!r.ok) {
      this.lastRefusal = r.error;
      this.emit('refused', r.error);
    } else if (r.changed) this.lastRefusal = null;
    return r;
  }

  /** Resolves when the last registry change has been applied. */
  settled(): Promise<void> {
    return this.applying;
  }

  /** Applies a new registry version: starts, stops and restarts accounts as it says. */
  apply(registry: AccountsRegistry): Promise<void> {
    this.applying = this.applying
      .then(async () => {
        if (this.stopped) return;
        const next = new Map(registry.accounts.map((s) => [s.id, s]));
        this.specs = registry.accounts;
        for (const [id, r] of [...this.running]) {
          const spec = next.get(id);
          if (!spec || !spec.enabled) await this.stopAccount(id, spec ? 'disabled' : 'removed');
          else if (connectionOf(spec) !== connectionOf(r.spec)) {
            await this.stopAccount(id, 'restarted: connection or budget changed');
            this.startAccount(spec);
          } else r.spec = spec;
        }
        for (const spec of registry.accounts) {
          if (!spec.enabled || this.running.has(spec.id)) continue;
          try {
            await this.opts.prepare?.(spec);
          } catch (err) {
            this.startErrors.set(spec.id, errorMessage(err));
            continue;
          }
          this.startAccount(spec);
        }
        for (const id of [...this.startErrors.keys()]) if (!next.get(id)?.enabled) this.startErrors.delete(id);
        this.opts.logger.info({ accounts: registry.accounts.map((s) => `${s.id}:${this.state(s.id)}`) }, 'accounts registry applied');
        this.emit('applied', registry);
      })
      .catch((err: unknown) => this.opts.logger.error({ err }, 'accounts registry could not be applied; next edit tries again'));
    return this.applying;
  }

  list(): readonly AccountSpec[] {
    return this.specs;
  }

  get(id: string): AccountSpec | undefined {
    return this.specs.find((s) => s.id === id);
  }

  state(id: string): AccountState {
    const r = this.running.get(id);
    if (r) return r.online ? 'online' : 'offline';
    // Enabled but not running: it could not start (its error is in statuses()).
    return this.get(id)?.enabled ? 'offline' : 'disabled';
  }

  /** The running account's edge (undefined when not running). */
  edge(id: string): WechatyEdge | undefined {
    return this.running.get(id)?.edge;
  }

  /** The running account's sender (undefined when not running). */
  sender(id: string): Sender | undefined {
    return this.running.get(id)?.sender;
  }

  /** Resolves when the account first logs in (rejects if it is stopped first). */
  ready(id: string): Promise<void> {
    const r = this.running.get(id);
    return r ? r.ready : Promise.reject(new Error(`account ${id} is not running`));
  }

  /** Every account of the registry with its state, for the console and /metrics. */
  statuses(): AccountStatus[] {
    return this.specs.map((s) => {
      const r = this.running.get(s.id);
      return {
        id: s.id,
        name: s.name,
        role: s.role,
        stores: [...s.stores],
        state: this.state(s.id),
        selfId: r?.selfId ?? null,
        lastError: r?.lastError ?? this.startErrors.get(s.id) ?? null,
        since: r?.since ?? null,
        budget: s.budget,
      };
    });
  }

  /** Self ids of the accounts logged in now. */
  selfIds(): string[] {
    return [...this.running.values()].flatMap((r) => (r.online && r.selfId ? [r.selfId] : []));
  }

  /** Friend requests are accepted by the account that received them. */
  readonly friendships: FriendshipGateway = {
    isReady: () => [...this.running.values()].some((r) => r.online),
    accept: async (id, from) => {
      // The account that received it (heard in this process, or as the caller recorded it, e.g. after a restart).
      const req = this.requestAccount.get(id) ?? from;
      const r = req ? this.running.get(req.account) : this.firstOnline();
      if (!r) throw new Error(req ? `account ${req.account} is not running; the accept waits` : 'no account is logged in');
      await r.edge.friendships.accept(id);
      // Reached from now on: a welcome enqueued right after routes through this account (the confirm event comes later).
      if (req && req.account === r.spec.id) this.opts.reach.add(req.account, 'contact', [req.contactId], this.opts.clock.now().getTime());
    },
  };

  /** Member lists are read through an online account in the group (any online account when none is known). */
  readonly rooms: RoomGateway = {
    isReady: () => [...this.running.values()].some((r) => r.online),
    selfId: () => this.firstOnline()?.selfId ?? undefined,
    memberIds: (roomId) => {
      const inRoom = new Set(this.opts.reach.accountsReaching('room', [roomId]).map((x) => x.account));
      const r = [...this.running.values()].find((x) => x.online && inRoom.has(x.spec.id)) ?? this.firstOnline();
      if (!r) return Promise.reject(new Error('no account is logged in'));
      return r.edge.rooms.memberIds(roomId);
    },
  };

  /** Stops every account (senders first, then connections). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.applying;
    await Promise.allSettled([...this.running.values()].map((r) => r.sender.close()));
    await Promise.allSettled([...this.running.values()].map((r) => r.edge.stop()));
    this.running.clear();
  }

  /**
   * A group message reaches every account in the group as one message (the copies after the first are
   * duplicates); one that @-mentions any of the brand's accounts is addressed to the bot, whichever copy
   * is kept.
   */
  private addressed(m: InboundMessage): InboundMessage {
    if (!m.roomId || m.mentionSelf || m.mentionIds.length === 0) return m;
    const selves = new Set(this.selfIds());
    return m.mentionIds.some((id) => selves.has(id)) ? { ...m, mentionSelf: true } : m;
  }

  private firstOnline(): Running | undefined {
    return [...this.running.values()].find((r) => r.online);
  }

  private startAccount(spec: AccountSpec): void {
    const log = this.opts.logger.child({ account: spec.id });
    const h = this.opts.handlers;
    const handlers: EdgeHandlers = {
      onMessage: (m) => {
        this.keeper.inbound(m);
        return h.onMessage(this.addressed(m));
      },
      onFriendship: (f) => {
        if (f.type === 'receive') this.requestAccount.set(f.id, { account: f.account, contactId: f.contactId });
        this.keeper.friendship(f);
        h.onFriendship(f);
      },
      onRoomEvent: (ev) => {
        this.keeper.roomEvent(ev, this.running.get(ev.account)?.selfId ?? null);
        h.onRoomEvent(ev);
      },
      ...(h.onSent ? { onSent: h.onSent } : {}),
    };
    let edge: WechatyEdge;
    let sender: Sender;
    try {
      edge = this.opts.edgeFactory(spec, handlers);
      sender = this.opts.makeSender(spec, edge);
    } catch (err) {
      const error = errorMessage(err);
      this.startErrors.set(spec.id, error);
      log.error({ error }, 'account could not start; fix the registry or its token and save again');
      return;
    }
    this.startErrors.delete(spec.id);
    const r: Running = { spec, edge, sender, online: false, selfId: null, lastError: null, since: this.opts.clock.now().getTime(), ready: Promise.resolve() };
    this.running.set(spec.id, r);
    this.opts.onAccountStart?.(spec);
    edge.on('ready', (selfId) => {
      if (this.running.get(spec.id) !== r) return;
      r.online = true;
      r.selfId = selfId;
      r.since = this.opts.clock.now().getTime();
      sender.resume();
      // Reach first, so the groups' checks and the outbox's routing see this login's lists.
      void this.keeper.atLogin(spec.id, edge).then(() => {
        if (this.running.get(spec.id) !== r || !r.online) return;
        this.opts.onReady?.(spec.id, selfId);
        this.emit('up', spec.id, selfId);
      });
    });
    edge.on('logout', (reason) => {
      if (this.running.get(spec.id) !== r) return;
      r.online = false;
      r.lastError = reason;
      r.since = this.opts.clock.now().getTime();
      void sender.pause();
      this.emit('down', spec.id, reason);
    });
    sender.start(edge.isLoggedIn());
    r.ready = edge.start();
    r.ready.catch((err: unknown) => {
      if (this.running.get(spec.id) === r) r.lastError = errorMessage(err);
    });
    log.info({ name: spec.name, role: spec.role }, 'account starting');
  }

  private async stopAccount(id: string, reason: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    await r.sender.pause();
    await r.sender.close().catch((err: unknown) => this.opts.logger.warn({ err, account: id }, 'sender did not close cleanly'));
    await r.edge.stop().catch((err: unknown) => this.opts.logger.warn({ err, account: id }, 'connection did not stop cleanly'));
    this.opts.logger.info({ account: id, reason }, 'account stopped');
    this.emit('down', id, reason);
  }
}

/** What, when it changes, needs a new connection and sender (endpoint, token source, budget). */
function connectionOf(s: AccountSpec): string {
  return JSON.stringify([s.endpoint ?? null, s.token ?? null, s.budget]);
}
