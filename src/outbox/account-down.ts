import type { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock.js';
import { peopleOf } from '../core/directory.js';
import type { Logger } from '../core/logger.js';
import type { DownPolicy } from '../accounts/index.js';
import type { Outbox } from './outbox.js';
import type { OutboxRepo } from './outbox.repo.js';
import { PURPOSES, type Purpose } from './purposes.js';
import type { AccountRouting } from './routing.js';
import { downPlan, downAlertText, downRecipients } from './account-down.rules.js';

/** What became of a down account's waiting messages once its grace passed. */
export interface DownReport {
  account: string;
  reason: string;
  /** When it went down (epoch ms). */
  since: number;
  /** Messages moved to another account that reaches their target. */
  rerouted: number;
  /** Messages left waiting for it (their purpose waits, or no other account reaches the target). */
  waiting: number;
  /** Admins told (alerts queued). */
  told: number;
}

interface Outage {
  since: number;
  reason: string;
  applied: boolean;
  timer: NodeJS.Timeout | null;
}

/** Rows re-routed per routing batch. */
const BATCH = 1000;

/**
 * The messages side of an account going down. `down` starts the grace; when it has passed (`check`,
 * called by a timer and by the feed), the account is passed over by routing, its queued messages of
 * purposes whose policy is `reroute` move to another account that reaches their target (a new feed
 * generation: a job in the old queue is stale and dropped unsent, and a row is claimed only once, so
 * nothing goes twice), the rest wait, and the admins are told once (one alert per outage, by key).
 * `up` ends the outage: the account is routed to again and what waited is fed.
 */
export class DownWatch {
  private readonly outages = new Map<string, Outage>();

  constructor(
    private readonly deps: {
      outbox: Outbox;
      repo: OutboxRepo;
      routing: AccountRouting;
      clock: Clock;
      logger: Logger;
      graceMs: number;
      timezone: string;
    },
  ) {}

  down(account: string, reason: string): void {
    if (this.outages.has(account)) return;
    const o: Outage = { since: this.deps.clock.now().getTime(), reason, applied: false, timer: null };
    o.timer = setTimeout(
      () => void this.check().catch((err: unknown) => this.deps.logger.warn({ err, account }, 'down account not handled; the feed tries again')),
      this.deps.graceMs + 10,
    );
    o.timer.unref();
    this.outages.set(account, o);
    this.deps.logger.warn({ account, reason, graceMs: this.deps.graceMs }, 'account down: its messages wait for the grace, then re-route or wait per purpose');
  }

  async up(account: string): Promise<void> {
    const o = this.outages.get(account);
    if (!o) return;
    if (o.timer) clearTimeout(o.timer);
    this.outages.delete(account);
    this.deps.routing.setDown(account, false);
    if (o.applied) this.deps.logger.info({ account, downMs: this.deps.clock.now().getTime() - o.since }, 'account back: its waiting messages go');
    await this.deps.outbox.feed(account);
  }

  /** Accounts down (since when, why), for the console. */
  list(): { account: string; since: number; reason: string; applied: boolean }[] {
    return [...this.outages].map(([account, o]) => ({ account, since: o.since, reason: o.reason, applied: o.applied }));
  }

  stop(): void {
    for (const o of this.outages.values()) if (o.timer) clearTimeout(o.timer);
  }

  async check(): Promise<DownReport[]> {
    const now = this.deps.clock.now().getTime();
    const out: DownReport[] = [];
    for (const [account, o] of [...this.outages]) {
      if (o.applied) {
        // What waits for it and can no longer go is settled now, not when the account is back.
        const expired = this.deps.repo.expireWaiting(account, now);
        if (expired) this.deps.logger.info({ account, expired }, 'messages waiting for a down account expired');
        continue;
      }
      if (now - o.since < this.deps.graceMs) continue;
      o.applied = true;
      out.push(await this.apply(account, o));
    }
    return out;
  }

  private async apply(account: string, o: Outage): Promise<DownReport> {
    const { repo, routing, outbox, logger } = this.deps;
    const now = this.deps.clock.now().getTime();
    routing.setDown(account, true);
    const spec = routing.view.get(account);
    const policy = (p: Purpose): DownPolicy => spec?.onDown[p] ?? 'reroute';
    const reroutable = (Object.keys(PURPOSES) as Purpose[]).filter((p) => policy(p) === 'reroute');
    const rows = repo.queuedOf(account, reroutable);
    let rerouted = 0;
    const fed = new Set<string>();
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const choices = routing.route(
        batch.map((r) => ({ purpose: r.purpose as Purpose, kind: r.targetKind, id: r.targetId })),
        new Set([account]),
      );
      const moves = downPlan(account, batch, choices);
      rerouted += repo.reroute(moves, now);
      for (const m of moves) fed.add(m.to);
    }
    for (const a of fed) await outbox.feed(a).catch((err: unknown) => logger.warn({ err, account: a }, 're-routed rows recorded; the feed queues them next time'));
    const waiting = repo.queuedCount(account);
    const admins = downRecipients(peopleOf(repo.db).staff(), spec?.stores ?? []);
    const text = downAlertText({ account, name: spec?.name ?? account, reason: o.reason, since: o.since, rerouted, waiting }, this.deps.timezone);
    const told = admins.length
      ? (
          await outbox.enqueueMany(
            admins.map((s) => ({
              key: `account-down:${account}:${o.since}:${s.code}`,
              target: { kind: 'contact' as const, id: s.contactId! },
              content: { kind: 'text' as const, text },
              purpose: 'alert' as const,
            })),
          )
        ).filter((r) => r.created).length
      : 0;
    logger.warn({ account, reason: o.reason, rerouted, waiting, told }, 'account down past its grace: messages re-routed or waiting; admins told');
    outbox.emit('account-down', { account, reason: o.reason, since: o.since, rerouted, waiting, told } satisfies DownReport);
    return { account, reason: o.reason, since: o.since, rerouted, waiting, told };
  }
}

/** What `followAccounts` listens to: the AccountHub's `down` (account, reason) and `up` (account) events. */
export type AccountEvents = Pick<EventEmitter, 'on' | 'off'>;

/**
 * Connects the hub's account events to the outbox's messages side: `down` → `outbox.accountDown`,
 * `up` → `outbox.accountUp`. Returns the function that disconnects them.
 * @example const unfollow = followAccounts(hub, outbox) // in app.ts, after both exist
 */
export function followAccounts(events: AccountEvents, outbox: Pick<Outbox, 'accountDown' | 'accountUp'>, logger?: Logger): () => void {
  const down = (account: string, reason: string) => outbox.accountDown(account, reason);
  const up = (account: string) =>
    void outbox.accountUp(account).catch((err: unknown) => logger?.warn({ err, account }, 'account back, but its waiting messages were not fed; the feed does it within seconds'));
  events.on('down', down);
  events.on('up', up);
  return () => {
    events.off('down', down);
    events.off('up', up);
  };
}
