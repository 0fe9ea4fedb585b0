import type { CapabilityContext } from '../core/capability.js';
import type { Logger } from '../core/logger.js';
import { localDate, localParts, zonedTime } from '../core/time.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { CareRepo, type CareTarget, type PendingEvent } from './care.repo.js';
import { birthdaysOn, festivalOn } from './care.rules.js';
import type { MembersRepo } from './members.repo.js';
import { displayName, expiresText, tierName } from './members.replies.js';
import { tierByCode } from './members.rules.js';
import { fill, type MembershipPlaybook } from './playbook.js';
import { runTierReview } from './tier-review.js';

/**
 * Lifecycle care as scheduled routines. Each run only enqueues, with deterministic keys
 * (`care:birthday:<year>:<memberId>`), so a slot run twice, or by two processes, sends once; the
 * sender applies quiet hours, the daily cap and opt-out (purpose `care`).
 */

export interface CareDeps {
  repo: MembersRepo;
  care: CareRepo;
  outbox: { enqueueMany(reqs: EnqueueRequest[]): Promise<unknown> };
  timezone: string;
  playbook: () => MembershipPlaybook;
  logger: Logger;
}

const CHUNK = 500;
const EVENT_BATCH = 1000;

function careMessage(key: string, target: CareTarget | { contactId: string }, text: string, expiresAt?: number): EnqueueRequest {
  return { key, target: { kind: 'contact', id: target.contactId }, content: { kind: 'text', text }, purpose: 'care', expiresAt };
}

/** The end of the local day of `at`: greetings for a day are pointless after it. */
function endOfLocalDay(at: Date, tz: string): number {
  const p = localParts(at, tz);
  return zonedTime(p.year, p.month, p.day + 1, 0, 0, tz).getTime();
}

async function enqueueChunked(deps: CareDeps, reqs: EnqueueRequest[]): Promise<void> {
  for (let i = 0; i < reqs.length; i += CHUNK) await deps.outbox.enqueueMany(reqs.slice(i, i + CHUNK));
}

/** The care text of one membership event, or null when that scene is off. */
export function eventText(e: PendingEvent, pb: MembershipPlaybook): string | null {
  const t = pb.texts.care;
  const name = displayName(e.name);
  switch (e.kind) {
    case 'first-purchase':
      return pb.care.firstPurchase.enabled ? fill(t.firstPurchase, { name, points: e.data.points, balance: e.data.balance }) : null;
    case 'repurchase':
      return fill(t.repurchase, { name, count: e.data.orderCount, points: e.data.points, balance: e.data.balance });
    case 'tier-upgrade': {
      if (!pb.care.tierUpgrade.enabled || !e.data.tierAfter) return null;
      const tier = tierByCode(e.data.tierAfter, pb);
      return fill(t.tierUpgrade, { name, tier: tierName(e.data.tierAfter, pb), multiplier: tier?.multiplier ?? 1 });
    }
    case 'tier-downgrade': {
      if (!t.tierDowngrade || !e.data.tierAfter || !e.data.tierBefore) return null;
      const before = tierByCode(e.data.tierBefore, pb);
      const growth = e.data.growth ?? 0;
      return fill(t.tierDowngrade, {
        name,
        tier: tierName(e.data.tierAfter, pb),
        tierBefore: tierName(e.data.tierBefore, pb),
        growth,
        needed: Math.max(0, (before?.minGrowth ?? 0) - growth),
      });
    }
  }
}

/**
 * First purchase, Nth repurchase and tier upgrade: sends care for the membership events recorded by
 * `creditOrder` and marks them handled. Key: `care:<kind>:<orderId>`.
 * @returns how many events were handled.
 */
export async function runEventCare(deps: CareDeps, now: number): Promise<number> {
  const pb = deps.playbook();
  let handled = 0;
  for (;;) {
    const events = deps.care.pendingEvents(EVENT_BATCH);
    if (events.length === 0) return handled;
    const reqs: EnqueueRequest[] = [];
    for (const e of events) {
      const text = eventText(e, pb);
      if (text && e.contactId) reqs.push(careMessage(`care:${e.ref}`, { contactId: e.contactId }, text));
    }
    await enqueueChunked(deps, reqs);
    deps.care.markHandled(
      events.map((e) => e.id),
      now,
    );
    handled += events.length;
  }
}

/**
 * Birthday care on the local day of `slot`: solar and lunar birthdays, once a year per member
 * (key and gift coupon ref `care:birthday:<year>:<memberId>`).
 */
export async function runBirthdayCare(deps: CareDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const date = localDate(slot, deps.timezone);
  const year = date.slice(0, 4);
  const expiresAt = endOfLocalDay(slot, deps.timezone);
  const reqs: EnqueueRequest[] = [];
  for (const m of deps.care.birthdays(birthdaysOn(date))) {
    const ref = `care:birthday:${year}:${m.id}`;
    const gift = pb.care.birthday.giftReward ? deps.repo.issueGift(m.id, pb.care.birthday.giftReward, ref, slot.getTime()) : null;
    const name = displayName(m.name);
    const text = gift
      ? fill(pb.texts.care.birthday, {
          name,
          reward: pb.rewards.find((r) => r.code === gift.rewardCode)?.name ?? gift.rewardCode,
          coupon: gift.code,
          expires: expiresText(gift.expiresAt, deps.timezone),
        })
      : fill(pb.texts.care.birthdayNoGift, { name });
    reqs.push(careMessage(ref, m, text, expiresAt));
  }
  await enqueueChunked(deps, reqs);
  if (reqs.length) deps.logger.info({ date, members: reqs.length }, 'birthday care queued');
  return reqs.length;
}

async function greetAll(deps: CareDeps, keyPrefix: string, text: (m: CareTarget) => string, expiresAt: number): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = deps.care.reachable(after, CHUNK);
    if (page.length === 0) return count;
    await deps.outbox.enqueueMany(page.map((m) => careMessage(`${keyPrefix}:${m.id}`, m, text(m), expiresAt)));
    count += page.length;
    after = page[page.length - 1]!.id;
  }
}

/** Festival greeting on the local day of `slot`, when a configured festival falls on it. Key `care:festival:<date>:<memberId>`. */
export async function runFestivalCare(deps: CareDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const date = localDate(slot, deps.timezone);
  const festival = festivalOn(date, pb.care.festivals.names);
  if (!festival) return 0;
  const n = await greetAll(deps, `care:festival:${date}`, (m) => fill(pb.texts.care.festival, { name: displayName(m.name), festival }), endOfLocalDay(slot, deps.timezone));
  deps.logger.info({ date, festival, members: n }, 'festival care queued');
  return n;
}

/** Weekly member-day greeting. Key `care:member-day:<date>:<memberId>`. */
export async function runMemberDayCare(deps: CareDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const date = localDate(slot, deps.timezone);
  if (localParts(slot, deps.timezone).weekday !== pb.care.memberDay.weekday) return 0;
  const n = await greetAll(deps, `care:member-day:${date}`, (m) => fill(pb.texts.care.memberDay, { name: displayName(m.name) }), endOfLocalDay(slot, deps.timezone));
  deps.logger.info({ date, members: n }, 'member-day care queued');
  return n;
}

/**
 * Declares the care routines on the scheduler (cron in the configured TIMEZONE). Hours and the
 * member-day weekday are read from the playbook at install; changing them takes a restart.
 */
export function declareCare(ctx: CapabilityContext, repo: MembersRepo, playbook: () => MembershipPlaybook): void {
  const deps: CareDeps = { repo, care: new CareRepo(ctx.db), outbox: ctx.outbox, timezone: ctx.config.TIMEZONE, playbook, logger: ctx.logger };
  const pb = playbook();
  const hour = 3_600_000;
  ctx.scheduler.declare({ name: 'members-care-events', cron: '* * * * *', catchUpMs: hour, run: () => runEventCare(deps, ctx.clock.now().getTime()).then(() => undefined) });
  ctx.scheduler.declare({
    name: 'members-care-birthday',
    cron: `0 ${pb.care.birthday.hour} * * *`,
    catchUpMs: 12 * hour,
    run: (slot) => runBirthdayCare(deps, slot).then(() => undefined),
  });
  ctx.scheduler.declare({
    name: 'members-care-festival',
    cron: `0 ${pb.care.festivals.hour} * * *`,
    catchUpMs: 8 * hour,
    run: (slot) => runFestivalCare(deps, slot).then(() => undefined),
  });
  // The yearly tier review runs every night; it does nothing unless the playbook says `tierDowngrade: yearly`.
  ctx.scheduler.declare({
    name: 'members-tier-review',
    cron: '30 3 * * *',
    catchUpMs: 20 * hour,
    run: async (slot) => {
      const r = runTierReview(ctx.db, playbook(), slot, ctx.config.TIMEZONE);
      if (r.reviewed) ctx.logger.info({ ...r }, 'yearly tier review');
    },
  });
  ctx.scheduler.declare({
    name: 'members-member-day',
    cron: `0 ${pb.care.memberDay.hour} * * ${pb.care.memberDay.weekday}`,
    catchUpMs: 8 * hour,
    run: (slot) => runMemberDayCare(deps, slot).then(() => undefined),
  });
}
