import type { Job, Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboundMessage, RoomMemberEvent } from '../core/messages.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { Queues } from '../platform/queue/queues.js';
import type { GroupsRepo } from './groups.repo.js';
import { batchReady, leaveHow, membershipDiff } from './membership.rules.js';
import { fillText, type GroupsPlaybook } from './playbook.js';
import { SPAM_KIND_NAMES, spamVerdict } from './spam.rules.js';
import { formatLocal } from '../core/time.js';
import { addBusinessMs, isServiceTime, type ServiceHours } from '../sla/index.js';

/** The BullMQ queue of batched welcomes (one delayed job per batch). */
export const WELCOME_QUEUE = 'groups-welcome';

/** Job id of welcome batch `id`: the same in every process, so adding it twice is harmless. */
export function welcomeJobId(batchId: number): string {
  return `group-welcome-${batchId}`;
}

/** Outbox key of the welcome of batch `id`: one message per batch, ever. */
export function welcomeKey(batchId: number): string {
  return `groups-welcome:${batchId}`;
}

/** Outbox key of the spam alert about message `messageId` to `to`. */
export function spamAlertKey(messageId: string, to: string): string {
  return `groups-spam:${messageId}:${to}`;
}

/** Outbox key of the digest of spam alerts for `to` due at `dueAt` (one message per recipient and opening). */
export function spamDigestKey(to: string, dueAt: number): string {
  return `groups-spam-digest:${to}:${dueAt}`;
}

/** Job id of a spam digest (BullMQ job ids may not contain colons). */
export function spamDigestJobId(key: string): string {
  return key.replace(/:/gu, '-');
}

/** Jobs on the groups queue: a welcome batch, or a digest of spam alerts. */
type GroupsJob = { batchId: number } | { digestKey: string };

/** Lines of a digest before it says how many more there are. */
const DIGEST_MAX_LINES = 20;

/** A welcome that could not go within a day is stale: it expires. */
const WELCOME_EXPIRES_MS = 24 * 3_600_000;
/** Member lists read at once during a check. */
const CHECK_CONCURRENCY = 4;

/** Who the room source is: the hub in the app, a double in tests. */
export interface RoomSource {
  isReady(): boolean;
  selfId(): string | undefined;
  memberIds(roomId: string): Promise<string[]>;
}

export interface GroupsServiceDeps {
  repo: GroupsRepo;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  queues: Queues;
  rooms: RoomSource;
  clock: Clock;
  timezone: string;
  account: string;
  playbook: () => GroupsPlaybook;
  logger: Logger;
  /**
   * A store's service hours (`sop/sla.yaml`): spam alerts outside them wait for a digest at the next
   * opening. Without it, alerts always go at once.
   */
  serviceHours?: (storeCode: string | null) => ServiceHours | null;
}

/** What the last member-list check did. */
export interface CheckResult {
  at: number;
  rooms: number;
  /** Rooms whose list could not be read (left alone). */
  failed: number;
  seen: number;
  gone: number;
}

/**
 * Group health at run time: records joins and leaves (events and member-list checks), batches
 * welcomes (one delayed job per batch, recorded in SQLite, re-added by `reconcileWelcomes`), and
 * reports suspected spam to the group's owner guide (or, for a group without one, its store's first
 * manager). Membership writes and welcome flushes run one at
 * a time (a promise chain), so a join never lands in a batch that is being sent.
 */
export class GroupsService {
  private worker: Worker<GroupsJob> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private checking: Promise<CheckResult> | null = null;
  private checkAgain = false;
  /** The last check's figures, for /healthz. */
  lastCheck: CheckResult | null = null;

  constructor(private readonly deps: GroupsServiceDeps) {}

  /** Starts the welcome worker. */
  start(): void {
    this.worker = this.deps.queues.worker<GroupsJob>(
      WELCOME_QUEUE,
      (job: Job<GroupsJob>) => ('digestKey' in job.data ? this.sendDigest(job.data.digestKey) : this.flush(job.data.batchId)),
      { concurrency: 1 },
    );
    this.worker.on('failed', (job, err) => this.deps.logger.warn({ err, jobId: job?.id }, 'group welcome failed (retried)'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.chain.catch(() => undefined);
    await this.checking?.catch(() => undefined);
  }

  /** Runs `fn` after everything queued before it (membership writes and flushes never interleave). */
  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  // ── events ────────────────────────────────────────────────────────────────

  /** One join or leave from the hub. */
  async onEvent(ev: RoomMemberEvent): Promise<void> {
    if (ev.account !== this.deps.account) return;
    const selfId = this.deps.rooms.selfId();
    const others = ev.contacts.filter((c) => c.id !== selfId);
    if (others.length < ev.contacts.length) {
      if (ev.kind === 'join') {
        this.deps.logger.info({ roomId: ev.roomId }, 'the account joined a group: reading its members');
        void this.check([ev.roomId]).catch((err: unknown) => this.deps.logger.warn({ err, roomId: ev.roomId }, 'members of a new group could not be read'));
      } else {
        this.deps.logger.warn({ roomId: ev.roomId, removerId: ev.byId }, 'the account was removed from a group: its membership is no longer seen');
      }
    }
    if (!others.length) return;
    const batchId = await this.serial(() => (ev.kind === 'join' ? this.recordJoins(ev, others) : this.recordLeaves(ev, others)));
    if (batchId !== null) await this.afterBatchChange(batchId);
  }

  /** Records joins; returns the welcome batch they went into (or null). */
  private recordJoins(ev: RoomMemberEvent, people: RoomMemberEvent['contacts']): number | null {
    const { repo, clock, logger } = this.deps;
    const pb = this.deps.playbook();
    const now = clock.now().getTime();
    const at = Math.min(ev.at, now);
    const staff = repo.staffIds();
    const group = repo.group(ev.roomId);
    return repo.tx(() => {
      let batchId: number | null = null;
      for (const c of people) {
        if (repo.openSpell(ev.roomId, c.id)) {
          logger.debug({ roomId: ev.roomId, contactId: c.id }, 'join of a known member ignored (a redelivery)');
          continue;
        }
        const spellId = repo.insertSpell({ roomId: ev.roomId, contactId: c.id, contactName: c.name, joinedAt: at, how: 'join', inviterId: ev.byId, now });
        const last = repo.lastWelcomedAt(ev.roomId, c.id);
        const welcome = pb.welcome.enabled && group !== null && !staff.has(c.id) && (last === null || now - last >= pb.welcome.notAgainWithin);
        if (!welcome) continue;
        const batch = repo.openBatch(ev.roomId) ?? repo.createBatch(ev.roomId, now, now + pb.welcome.within);
        repo.assignBatch(spellId, batch.id);
        batchId = batch.id;
      }
      return batchId;
    });
  }

  private recordLeaves(ev: RoomMemberEvent, people: RoomMemberEvent['contacts']): null {
    const { repo, clock, logger } = this.deps;
    const now = clock.now().getTime();
    const at = Math.min(ev.at, now);
    repo.tx(() => {
      for (const c of people) {
        const open = repo.openSpell(ev.roomId, c.id);
        if (!open) {
          logger.debug({ roomId: ev.roomId, contactId: c.id }, 'leave of someone not on record ignored');
          continue;
        }
        repo.endSpell(open.id, Math.max(at, open.joinedAt), leaveHow(c.id, ev.byId), ev.byId, now);
      }
    });
    return null;
  }

  // ── welcomes ──────────────────────────────────────────────────────────────

  /** A batch gained a join: send it now when full or due, otherwise make sure its delayed job exists. */
  private async afterBatchChange(batchId: number): Promise<void> {
    const b = this.deps.repo.batch(batchId);
    if (!b || b.status !== 'open') return;
    const size = this.deps.repo.batchSpells(batchId).length;
    if (batchReady({ size, dueAt: b.dueAt }, this.deps.clock.now().getTime(), { batchSize: this.deps.playbook().welcome.batchSize })) {
      await this.flush(batchId);
    } else {
      await this.addJobs([b]);
    }
  }

  /**
   * Sends batch `batchId`'s welcome (once: the outbox key is the batch's) naming its members still in
   * the group, then closes it; a batch everyone left is closed as skipped. Safe to repeat.
   */
  flush(batchId: number): Promise<void> {
    return this.serial(async () => {
      const { repo, clock, logger } = this.deps;
      const b = repo.batch(batchId);
      if (!b || b.status !== 'open') return;
      const spells = repo.batchSpells(batchId);
      const still = spells.filter((s) => s.leftAt === null);
      const now = clock.now().getTime();
      if (!still.length) {
        repo.closeBatch(batchId, 'skipped', 0, 'everyone in it left before the welcome', now);
        logger.info({ roomId: b.roomId, batchId }, 'group welcome skipped: everyone in it left');
        return;
      }
      const content = this.welcomeContent(b.roomId, still);
      await this.deps.outbox.enqueue({
        key: welcomeKey(batchId),
        target: { kind: 'room', id: b.roomId },
        content,
        purpose: 'service',
        expiresAt: now + WELCOME_EXPIRES_MS,
      });
      repo.tx(() => {
        for (const s of spells) if (s.leftAt !== null) repo.assignBatch(s.id, null);
        repo.closeBatch(batchId, 'queued', still.length, null, now);
      });
      logger.info({ roomId: b.roomId, batchId, size: still.length }, 'group welcome queued');
    });
  }

  private welcomeContent(roomId: string, spells: { contactId: string; contactName: string }[]) {
    const { repo } = this.deps;
    const pb = this.deps.playbook();
    const group = repo.group(roomId);
    const known = repo.contactNames(spells.filter((s) => !s.contactName).map((s) => s.contactId));
    const names = spells.map((s) => s.contactName || known.get(s.contactId) || '新朋友');
    const text = fillText(pb.welcome.text, {
      names: names.join('、'),
      count: String(spells.length),
      group: group?.name || repo.roomTopic(roomId),
      store: group?.storeName ?? '',
      guide: group?.guideName ?? '店铺导购',
    });
    return { kind: 'text' as const, text, mentionIds: spells.map((s) => s.contactId) };
  }

  /** Every open batch gets its delayed job (ids are deterministic: safe any time); overdue ones go now. */
  async reconcileWelcomes(): Promise<number> {
    const batches = this.deps.repo.openBatches();
    await this.addJobs(batches);
    // Spam digests of the last day too (sending one twice is harmless: its outbox key is fixed).
    const digests = this.deps.repo.digestsSince(this.deps.clock.now().getTime() - 24 * 3_600_000);
    for (const d of digests) await this.addDigestJob(d.alertKey, d.dueAt);
    return batches.length;
  }

  private async addDigestJob(key: string, dueAt: number): Promise<void> {
    const delay = Math.max(0, dueAt - this.deps.clock.now().getTime());
    const queue = this.deps.queues.queue(WELCOME_QUEUE);
    await queue.addBulk([
      {
        name: 'spam-digest',
        data: { digestKey: key },
        opts: { jobId: spamDigestJobId(key), delay, attempts: 8, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true, removeOnFail: true },
      },
    ]);
    // Due by the bot's clock but still delayed in Redis (added earlier, the clock moved on): run it now.
    if (delay === 0) {
      const job = await queue.getJob?.(spamDigestJobId(key));
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }
  }

  /** Sends digest `key`: every alert kept for it, one line each, in one private message. Safe to repeat. */
  async sendDigest(key: string): Promise<void> {
    const { repo, timezone, logger } = this.deps;
    const rows = repo.digestRows(key);
    if (!rows.length) return;
    const pb = this.deps.playbook();
    const lines = rows
      .slice(0, DIGEST_MAX_LINES)
      .map(
        (r) =>
          `${formatLocal(r.postedAt, timezone, 'time')} 「${r.groupName ?? repo.roomTopic(r.roomId)}」${r.talkerName || r.talkerId} 发了${SPAM_KIND_NAMES[r.kind]}：${r.detail.slice(0, 80)}`,
      );
    if (rows.length > DIGEST_MAX_LINES) lines.push(`…另有 ${rows.length - DIGEST_MAX_LINES} 条`);
    const text = fillText(pb.spam.digest, { count: String(rows.length), lines: lines.join('\n') });
    const r = await this.deps.outbox.enqueue({ key, target: { kind: 'contact', id: rows[0]!.alertedTo }, content: { kind: 'text', text }, purpose: 'alert' });
    if (r.created) logger.info({ to: rows[0]!.alertedTo, posts: rows.length }, 'spam alerts kept outside service hours sent as one digest');
  }

  private async addJobs(batches: readonly { id: number; dueAt: number }[]): Promise<void> {
    if (!batches.length) return;
    const now = this.deps.clock.now().getTime();
    await this.deps.queues.queue(WELCOME_QUEUE).addBulk(
      batches.map((b) => ({
        name: 'welcome',
        data: { batchId: b.id },
        opts: {
          jobId: welcomeJobId(b.id),
          delay: Math.max(0, b.dueAt - now),
          attempts: 8,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  // ── member-list checks ────────────────────────────────────────────────────

  /** The account logged in (again): remember its id, then check every tracked group's members. */
  async onReady(selfId: string): Promise<CheckResult> {
    this.deps.repo.setSelfId(this.deps.account, selfId, this.deps.clock.now().getTime());
    return this.checkAll();
  }

  /**
   * Checks every tracked group's member list against the record. A check already running is not
   * doubled: one more runs after it (logins after every reconnect coalesce).
   */
  checkAll(): Promise<CheckResult> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    const run = (async () => {
      let result: CheckResult;
      do {
        this.checkAgain = false;
        result = await this.check(this.deps.repo.trackedRoomIds());
      } while (this.checkAgain);
      return result;
    })();
    this.checking = run;
    void run
      .finally(() => {
        this.checking = null;
      })
      .catch(() => undefined);
    return run;
  }

  /** Reads each room's members and records who was seen and who is gone. A room that cannot be read is left alone. */
  async check(roomIds: readonly string[]): Promise<CheckResult> {
    const { rooms, logger } = this.deps;
    const result: CheckResult = { at: this.deps.clock.now().getTime(), rooms: 0, failed: 0, seen: 0, gone: 0 };
    if (!rooms.isReady()) {
      logger.info('membership check skipped: the account is offline');
      return result;
    }
    const queue = [...roomIds];
    const one = async () => {
      for (let roomId = queue.shift(); roomId !== undefined; roomId = queue.shift()) {
        const readAt = this.deps.clock.now().getTime();
        let present: string[];
        try {
          present = await rooms.memberIds(roomId);
        } catch (err) {
          result.failed++;
          logger.debug({ err, roomId }, 'members of a group could not be read; left as recorded');
          continue;
        }
        const selfId = rooms.selfId();
        const d = await this.serial(() =>
          this.applyCheck(
            roomId,
            present.filter((id) => id !== selfId),
            readAt,
          ),
        );
        result.rooms++;
        result.seen += d.seen;
        result.gone += d.gone;
      }
    };
    await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, one));
    this.lastCheck = result;
    logger.info(result, 'group membership checked');
    return result;
  }

  private applyCheck(roomId: string, present: string[], readAt: number): { seen: number; gone: number } {
    const { repo, clock } = this.deps;
    const now = clock.now().getTime();
    return repo.tx(() => {
      const diff = membershipDiff(present, repo.openSpells(roomId), repo.endsSince(roomId, readAt), readAt);
      for (const contactId of diff.seen) repo.insertSpell({ roomId, contactId, joinedAt: now, how: 'seen-at-start', now });
      for (const id of diff.gone) repo.endSpell(id, now, 'gone-at-check', null, now);
      return { seen: diff.seen.length, gone: diff.gone.length };
    });
  }

  // ── spam ──────────────────────────────────────────────────────────────────

  /**
   * A group message: when a non-staff member posts a QR code, a link or a mini-program card, keep it
   * for review and alert the group's owner guide (or the store's first manager) once per person and quiet period.
   */
  async onMessage(m: InboundMessage, receivedAt: number): Promise<void> {
    const pb = this.deps.playbook();
    if (!pb.spam.enabled || !m.roomId || m.self || m.account !== this.deps.account) return;
    const verdict = spamVerdict(m, pb.spam.qrHints);
    if (!verdict) return;
    const { repo, logger, timezone } = this.deps;
    if (repo.staffIds().has(m.talkerId)) return;
    const postedAt = Math.min(m.providerAt, receivedAt);
    const now = this.deps.clock.now().getTime();
    const group = repo.group(m.roomId);
    const recipients = group?.guideContactId ? [group.guideContactId] : group?.storeCode ? repo.storeManagerIds(group.storeCode) : [];
    const quiet = repo.alertedSince(m.roomId, m.talkerId, postedAt - pb.spam.quietFor);
    const noAlertReason = !group
      ? "not one of the brand's groups"
      : !recipients.length
        ? 'the group has no owner guide or store manager with a WeChat contact'
        : quiet
          ? 'an alert about this person in this group went out lately'
          : null;
    const to = noAlertReason ? null : recipients[0]!;
    // Outside the store's service hours nobody is woken: the alert waits for the digest at the next opening.
    const hours = to && pb.spam.afterHours === 'digest' ? (this.deps.serviceHours?.(group!.storeCode) ?? null) : null;
    const digestAt = hours && !isServiceTime(now, hours, timezone) ? addBusinessMs(now, 0, hours, timezone) : null;
    const alertKey = !to ? null : digestAt !== null ? spamDigestKey(to, digestAt) : spamAlertKey(m.id, to);
    const inserted = repo.insertSpam({
      messageId: m.id,
      roomId: m.roomId,
      talkerId: m.talkerId,
      talkerName: m.talkerName,
      kind: verdict.kind,
      detail: verdict.detail.slice(0, 500),
      raw: JSON.stringify(m),
      postedAt,
      alertedTo: to,
      alertKey,
      noAlertReason,
      digestAt,
      createdAt: now,
    });
    if (!inserted) return;
    logger.info(
      { messageId: m.id, roomId: m.roomId, talkerId: m.talkerId, kind: verdict.kind, alertedTo: to, noAlertReason, digestAt },
      'suspected spam in a group kept for review',
    );
    if (noAlertReason) return;
    if (digestAt !== null) {
      await this.addDigestJob(alertKey!, digestAt);
      return;
    }
    const time = formatLocal(postedAt, timezone, 'time');
    const text = fillText(pb.spam.alert, {
      group: group!.name,
      name: m.talkerName || m.talkerId,
      what: SPAM_KIND_NAMES[verdict.kind],
      detail: verdict.detail.slice(0, 200),
      time,
      ref: m.id,
    });
    await this.deps.outbox.enqueue({ key: spamAlertKey(m.id, to!), target: { kind: 'contact', id: to! }, content: { kind: 'text', text }, purpose: 'alert' });
  }
}
