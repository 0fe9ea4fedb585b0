import { EventEmitter } from 'node:events';
import type { Job, Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { FriendRequest, FriendshipGateway } from '../core/messages.js';
import { localDate } from '../core/time.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { Queues } from '../platform/queue/queues.js';
import { acceptDelay, decideAccept } from './accept.rules.js';
import { attribute } from './attribution.rules.js';
import type { FriendRequestRow, FriendsRepo } from './friends.repo.js';
import { fillText, type FriendsPlaybook } from './playbook.js';

/** The BullMQ queue of delayed accepts. */
export const FRIENDS_QUEUE = 'friends-accept';
const ATTEMPTS = 12;

/** Job id of the accept of request `id`: the same in every process, so adding it twice is harmless. */
export function acceptJobId(id: string): string {
  return `friend-accept-${id.replace(/[^A-Za-z0-9_-]/gu, '_')}`;
}

/** Outbox key of a contact's one welcome on an account. */
export function welcomeKey(account: string, contactId: string): string {
  return `friends-welcome:${account}:${contactId}`;
}

export interface FriendsServiceDeps {
  repo: FriendsRepo;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  queues: Queues;
  friendships: FriendshipGateway;
  clock: Clock;
  timezone: string;
  /** The default account (requests of every account are handled, each by the account that received it). */
  account: string;
  playbook: () => FriendsPlaybook;
  logger: Logger;
  /** A draw in [0, 1) for the accept delay; default Math.random. */
  random?: () => number;
}

/**
 * Handles friendship events: decides each request (keyword, daily cap, random delay), records it,
 * accepts it from a delayed BullMQ job (the record is SQLite; `reconcile` re-adds jobs Redis lacks),
 * attributes the contact, and welcomes a new friend once through the outbox. Emits `decided`
 * (FriendRequestRow) and `accepted` (FriendRequestRow) for observers.
 */
export class FriendsService extends EventEmitter {
  private worker: Worker<{ id: string }> | null = null;

  constructor(private readonly deps: FriendsServiceDeps) {
    super();
  }

  /** Starts the accept worker. */
  start(): void {
    this.worker = this.deps.queues.worker<{ id: string }>(FRIENDS_QUEUE, (job) => this.processAccept(job), { concurrency: 1 });
    this.worker.on('failed', (job, err) => this.deps.logger.warn({ err, jobId: job?.id, attempt: job?.attemptsMade }, 'friend accept failed (retried)'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }

  /** One friendship event from the hub. */
  async handle(req: FriendRequest): Promise<void> {
    // Every account's requests: each is accepted by the account that received it, within that account's daily cap.
    switch (req.type) {
      case 'receive':
        return this.onReceive(req);
      case 'confirm':
        return this.onConfirm(req);
      case 'removed':
        return this.onRemoved(req);
      case 'verify':
        this.deps.logger.info({ contactId: req.contactId }, 'friend asked the account to verify itself; nothing to do');
    }
  }

  private async onReceive(req: FriendRequest): Promise<void> {
    const { repo, clock, timezone, logger } = this.deps;
    const account = req.account;
    const pb = this.deps.playbook();
    const now = clock.now();
    const at = now.getTime();
    const day = localDate(now, timezone);
    const random = (this.deps.random ?? Math.random)();
    const row = repo.tx((): FriendRequestRow | null => {
      if (repo.request(req.id)) return null;
      const friend = repo.friend(req.contactId);
      const a = attribute(req.hello, repo.directory(pb.attribution.guides), pb.attribution);
      const base = {
        id: req.id,
        account,
        contactId: req.contactId,
        contactName: req.contactName,
        hello: req.hello.slice(0, 200),
        channel: a.channel,
        unknownCode: a.unknownCode,
        returning: Boolean(friend),
        storeCode: friend ? friend.storeCode : a.storeCode,
        guideCode: friend ? friend.guideCode : a.guideCode,
        receivedAt: at,
        receivedDay: day,
        updatedAt: at,
      };
      const open = repo.openRequestOf(account, req.contactId);
      if (open) {
        repo.insertRequest({ ...base, status: 'duplicate', reason: `request ${open.id} from this contact is already ${open.status}` });
      } else {
        const d = decideAccept({ hello: req.hello, usedToday: repo.usedOnDay(account, day), now: at, random }, { ...pb.accept, delay: pb.accept.delay });
        repo.insertRequest(
          d.action === 'schedule'
            ? { ...base, status: 'scheduled', capDay: day, dueAt: d.dueAt }
            : d.action === 'cap'
              ? { ...base, status: 'capped', reason: `daily cap of ${pb.accept.dailyCap} reached` }
              : { ...base, status: 'skipped', reason: d.reason },
        );
      }
      return repo.request(req.id)!;
    });
    if (!row) return;
    logger.info(
      {
        friendshipId: row.id,
        contactId: row.contactId,
        status: row.status,
        channel: row.channel,
        store: row.storeCode,
        guide: row.guideCode,
        returning: row.returning,
        dueAt: row.dueAt,
      },
      'friend request decided',
    );
    if (row.status === 'scheduled') await this.addJobs([row]);
    this.emit('decided', row);
  }

  private async onConfirm(req: FriendRequest): Promise<void> {
    const { repo, clock, timezone, logger } = this.deps;
    const account = req.account;
    const now = clock.now();
    if (repo.friend(req.contactId)) {
      repo.markConfirmed(req.contactId, now.getTime());
      return;
    }
    // Our own accept is under way: its job records the friend.
    if (repo.hasAnyRequest(req.contactId)) return;
    // A friendship made outside the bot (accepted on the phone): default store, counted, welcomed.
    const pb = this.deps.playbook();
    const at = now.getTime();
    const day = localDate(now, timezone);
    repo.insertRequest({
      id: req.id,
      account,
      contactId: req.contactId,
      contactName: req.contactName,
      hello: req.hello,
      channel: 'manual',
      storeCode: pb.attribution.defaultStore,
      guideCode: null,
      status: 'scheduled',
      receivedAt: at,
      receivedDay: day,
      updatedAt: at,
    });
    const row = repo.request(req.id)!;
    logger.info({ contactId: req.contactId }, 'friendship made outside the bot: recorded with the default store');
    await this.completeAccept(row);
  }

  private onRemoved(req: FriendRequest): void {
    if (this.deps.repo.markRemoved(req.contactId, this.deps.clock.now().getTime())) {
      this.deps.logger.info({ contactId: req.contactId }, 'friend removed the account (WeChat notice): marked');
    }
  }

  /** Accepts a scheduled request on the platform, then records and welcomes. */
  private async processAccept(job: Job<{ id: string }>): Promise<void> {
    const r = this.deps.repo.request(job.data.id);
    if (!r || r.status !== 'scheduled') return;
    if (!this.deps.friendships.isReady()) throw new Error('the account is offline; the accept waits');
    try {
      await this.deps.friendships.accept(r.id, { account: r.account, contactId: r.contactId });
    } catch (err) {
      if (job.attemptsMade + 1 >= ATTEMPTS && this.deps.friendships.isReady()) {
        this.deps.repo.setStatus(r.id, 'failed', String((err as Error).message ?? err).slice(0, 300), this.deps.clock.now().getTime());
      }
      throw err;
    }
    await this.completeAccept(r);
  }

  /** Welcome (once, by its outbox key) and record; safe to repeat after a crash. */
  private async completeAccept(r: FriendRequestRow): Promise<void> {
    const { repo, clock, timezone, logger } = this.deps;
    const pb = this.deps.playbook();
    const friendBefore = repo.friend(r.contactId);
    const isNew = !r.returning && !friendBefore?.welcomedAt;
    const template = isNew ? pb.welcome.text : pb.welcome.returning;
    let welcomed = false;
    if (template) {
      const dir = repo.directory(pb.attribution.guides);
      const storeName = r.storeCode ? (dir.stores.get(r.storeCode)?.name ?? r.storeCode) : '';
      const guideName = (r.guideCode && dir.staff.get(r.guideCode)?.name) || pb.welcome.guideFallback;
      let text = fillText(template, { name: r.contactName || '您', store: storeName, guide: guideName });
      const group = isNew && pb.welcome.groupHint && r.storeCode ? repo.groupFor(r.storeCode, r.guideCode) : null;
      if (group) text += `\n${fillText(pb.welcome.groupHint, { group, store: storeName })}`;
      await this.deps.outbox.enqueue({
        key: isNew ? welcomeKey(r.account, r.contactId) : `friends-welcome-back:${r.id}`,
        target: { kind: 'contact', id: r.contactId },
        content: { kind: 'text', text },
        purpose: 'reply',
      });
      welcomed = isNew;
    }
    const now = clock.now();
    repo.markAccepted(r, now.getTime(), localDate(now, timezone));
    if (welcomed) repo.markWelcomed(r.contactId, now.getTime());
    const row = repo.request(r.id)!;
    logger.info(
      { friendshipId: r.id, contactId: r.contactId, store: r.storeCode, guide: r.guideCode, channel: r.channel, returning: r.returning, welcomed },
      'friend request accepted',
    );
    this.emit('accepted', row);
  }

  /** Schedules capped requests (oldest first) within today's cap of each account. */
  async retryCapped(): Promise<number> {
    const { repo, clock, timezone } = this.deps;
    const pb = this.deps.playbook();
    const now = clock.now();
    const day = localDate(now, timezone);
    const random = this.deps.random ?? Math.random;
    const picked = repo.tx(() => {
      const out: FriendRequestRow[] = [];
      for (const account of repo.accountsWith('capped')) {
        let used = repo.usedOnDay(account, day);
        for (const r of repo.capped(account)) {
          if (used >= pb.accept.dailyCap) break;
          repo.schedule(r.id, day, now.getTime() + acceptDelay(pb.accept.delay, random()), now.getTime());
          out.push(repo.request(r.id)!);
          used++;
        }
      }
      return out;
    });
    await this.addJobs(picked);
    if (picked.length) this.deps.logger.info({ count: picked.length }, "capped friend requests scheduled within today's cap");
    return picked.length;
  }

  /** Every scheduled request gets its delayed job (ids are deterministic: safe any time). */
  async reconcile(): Promise<number> {
    const rows = this.deps.repo.accountsWith('scheduled').flatMap((a) => this.deps.repo.scheduled(a));
    await this.addJobs(rows);
    return rows.length;
  }

  private async addJobs(rows: readonly FriendRequestRow[]): Promise<void> {
    if (!rows.length) return;
    const now = this.deps.clock.now().getTime();
    await this.deps.queues.queue(FRIENDS_QUEUE).addBulk(
      rows.map((r) => ({
        name: 'accept',
        data: { id: r.id },
        opts: {
          jobId: acceptJobId(r.id),
          delay: Math.max(0, (r.dueAt ?? now) - now),
          attempts: ATTEMPTS,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }
}
