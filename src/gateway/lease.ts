import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { gatewayKeys, type GatewayKeys } from './keys.js';

/** Extends the lease only while `owner` still holds it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Gives the lease up only while `owner` still holds it. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Per-account leases in Redis: at most one owner per account at a time. A lease lasts `ttlMs` from its
 * last renewal, so the owner's death frees it after at most `ttlMs`.
 */
export class Leases {
  private readonly keys: GatewayKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly owner: string,
  ) {
    this.keys = gatewayKeys(prefix);
  }

  /** Takes the lease if nobody holds it. */
  async tryAcquire(account: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.lease(account), this.owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Renews each lease this owner still holds; false for the ones it lost (expired, or taken since). */
  async renew(accounts: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (!accounts.length) return [];
    const p = this.redis.pipeline();
    for (const a of accounts) p.eval(RENEW, 1, this.keys.lease(a), this.owner, ttlMs);
    const res = (await p.exec()) ?? [];
    return accounts.map((_, i) => {
      const [err, v] = res[i] ?? [new Error('no answer'), 0];
      if (err) throw err;
      return Number(v) === 1;
    });
  }

  /** Gives the lease up (only if still ours). */
  async release(account: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE, 1, this.keys.lease(account), this.owner)) === 1;
  }

  /** Who holds the account's lease now, if anyone. */
  holder(account: string): Promise<string | null> {
    return this.redis.get(this.keys.lease(account));
  }
}

export interface LeaseKeeperOptions {
  /** Lease lifetime from the last renewal. Default 20 000 ms. */
  ttlMs?: number;
  /** How often held leases are renewed. Default ttlMs / 4. */
  renewMs?: number;
  /** How often free accounts are looked for. Default 5 000 ms. */
  scanMs?: number;
  /** Most accounts held at once. Default 100. */
  maxAccounts?: number;
  /** Most accounts taken in one scan (spreads accounts over gateways started together). Default 25. */
  takePerScan?: number;
}

export interface LeaseKeeperEvents {
  /** The lease is ours: connect the account. */
  acquired: [account: string];
  /** The lease is no longer ours (expired or taken, or this keeper could not renew in time): disconnect it. */
  lost: [account: string, reason: string];
}

/**
 * Keeps this gateway's leases: renews the held ones every `renewMs`, and every `scanMs` tries to take
 * accounts from `candidates()` that nobody holds, up to `maxAccounts`. When a gateway dies its leases
 * expire within `ttlMs` and the next scan of another gateway takes them: takeover within ttl + scan.
 * A lease it cannot renew (Redis unreachable) for a whole ttl counts as lost, since another gateway
 * may hold it by then.
 */
export class LeaseKeeper extends EventEmitter<LeaseKeeperEvents> {
  private readonly held = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly scanMs: number;
  private readonly maxAccounts: number;
  private readonly takePerScan: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly leases: Leases,
    private readonly candidates: () => readonly string[],
    private readonly logger: Logger,
    opts: LeaseKeeperOptions = {},
  ) {
    super();
    this.ttlMs = opts.ttlMs ?? 20_000;
    this.renewMs = opts.renewMs ?? Math.max(100, Math.floor(this.ttlMs / 4));
    this.scanMs = opts.scanMs ?? 5_000;
    this.maxAccounts = opts.maxAccounts ?? 100;
    this.takePerScan = opts.takePerScan ?? 25;
  }

  /** Accounts whose lease this keeper holds. */
  accounts(): string[] {
    return [...this.held.keys()];
  }

  /** Scans at once, then on its timers. */
  start(): void {
    this.stopped = false;
    // serially() never rejects (it logs), so the timers may drop its promise.
    this.renewTimer = setInterval(() => void this.serially(() => this.renewAll()), this.renewMs);
    this.scanTimer = setInterval(() => void this.serially(() => this.scan()), this.scanMs);
    void this.serially(() => this.scan());
  }

  /** Looks for free accounts now (also after the registry changed). */
  scanNow(): Promise<void> {
    return this.serially(() => this.scan());
  }

  /** Stops the timers and releases every held lease (so another gateway can take them at once). */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearInterval(this.scanTimer);
    await this.busy;
    const held = this.accounts();
    this.held.clear();
    if (release) await Promise.allSettled(held.map((a) => this.leases.release(a)));
  }

  /** Gives up one account's lease (it left the registry or was disabled). */
  async drop(account: string, reason: string): Promise<void> {
    if (!this.held.delete(account)) return;
    await this.leases.release(account).catch(() => undefined);
    this.emit('lost', account, reason);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.busy.then(async () => {
      if (this.stopped) return;
      try {
        await work();
      } catch (err) {
        this.logger.warn({ err }, 'gateway leases: Redis call failed; trying again on the next tick');
      }
    });
    this.busy = next;
    return next;
  }

  private async renewAll(): Promise<void> {
    const accounts = this.accounts();
    if (!accounts.length) return;
    let ok: boolean[];
    try {
      ok = await this.leases.renew(accounts, this.ttlMs);
    } catch (err) {
      // Cannot tell: a lease not renewed for a whole ttl may be someone else's by now.
      const now = Date.now();
      for (const a of accounts) {
        if (now - (this.held.get(a) ?? 0) >= this.ttlMs) this.lose(a, 'lease not renewed within its ttl (Redis unreachable)');
      }
      throw err;
    }
    const now = Date.now();
    accounts.forEach((a, i) => {
      if (ok[i]) this.held.set(a, now);
      else this.lose(a, 'lease expired or taken by another gateway');
    });
  }

  private lose(account: string, reason: string): void {
    if (!this.held.delete(account)) return;
    this.logger.warn({ account, reason }, 'gateway: lease lost');
    this.emit('lost', account, reason);
  }

  private async scan(): Promise<void> {
    const wanted = new Set(this.candidates());
    for (const a of this.accounts()) if (!wanted.has(a)) await this.drop(a, "no longer in this gateway's accounts");
    let room = Math.min(this.maxAccounts - this.held.size, this.takePerScan);
    for (const account of wanted) {
      if (room <= 0 || this.stopped) break;
      if (this.held.has(account)) continue;
      if (!(await this.leases.tryAcquire(account, this.ttlMs))) continue;
      this.held.set(account, Date.now());
      room--;
      this.logger.info({ account }, 'gateway: lease taken');
      this.emit('acquired', account);
    }
  }
}
