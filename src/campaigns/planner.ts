import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { localParts, zonedTime } from '../core/time.js';
import type { EnqueueRequest, Outbox } from '../outbox/index.js';
import { selectAudience, type AudienceTarget, type GroupFacts, type MemberFacts } from './audience.rules.js';
import type { CampaignDef } from './campaign.file.js';
import { capDecision, groupCaps } from './caps.rules.js';
import { campaignKey, compileContent } from './content.rules.js';
import type { CampaignsRepo, NewTargetRow } from './campaigns.repo.js';
import { occurrenceId, occurrenceWindow, seededRandom, spread } from './schedule.rules.js';

/** Messages enqueued per outbox call (one SQLite transaction each). */
const ENQUEUE_CHUNK = 5000;
/** Gap between two messages of one target when a campaign has several. */
const SAME_TARGET_GAP_MS = 2000;

/** What planning one occurrence did. */
export interface PlanResult {
  campaignId: string;
  occurrence: string;
  /** False when the occurrence had been planned before (this run only filled in missing targets, if any). */
  firstPlan: boolean;
  /** Targets the audience selected. */
  targeted: number;
  /** Targets whose messages were queued now (new outbox rows). */
  enqueued: number;
  /** Targets already planned by an earlier run: left alone. */
  alreadyPlanned: number;
  /** Targets skipped at planning, by reason. */
  skipped: Record<string, number>;
}

export interface PlannerDeps {
  repo: CampaignsRepo;
  outbox: Outbox;
  clock: Clock;
  timezone: string;
  logger: Logger;
  /** The directory the audience reads; defaults to the repo's tables (tests and the bench may inject). */
  directory?: () => { groups: readonly GroupFacts[]; members: readonly MemberFacts[] };
}

/**
 * The targets of the audience. Its own function so that the directory read for it (100,000 member
 * rows) is garbage as soon as the targets are chosen, not kept alive across the planner's awaits.
 */
function audience(deps: PlannerDeps, def: CampaignDef, now: number): AudienceTarget[] {
  const dir = deps.directory ? deps.directory() : { groups: def.audience.groups ? deps.repo.groupFacts() : [], members: def.audience.members ? deps.repo.memberFacts() : [] };
  return selectAudience(def, dir, now);
}

/**
 * Plans one occurrence of a campaign: audience → per-group caps → rendering → spread → enqueue
 * through the outbox (key `campaign:<id>:<occurrence>:<target>`), recording each target (and why a
 * target was skipped) in campaign_targets. Safe to run twice for the same slot: targets already
 * planned are left alone and the outbox keys make every message one row, so nothing goes twice.
 * Member marketing caps, opt-out and quiet hours are applied later by the sender (and recorded there).
 */
export async function planOccurrence(deps: PlannerDeps, def: CampaignDef, slot: Date, by: string): Promise<PlanResult> {
  const { repo, timezone: tz } = deps;
  const now = deps.clock.now().getTime();
  const occurrence = occurrenceId(slot, tz);
  const { windowEnd, expiresAt } = occurrenceWindow(def, slot, tz);
  const firstPlan = repo.openOccurrence({ campaignId: def.id, occurrence, at: slot.getTime(), windowEnd, expiresAt, plannedAt: now, by });
  const all = audience(deps, def, now);
  const planned = firstPlan ? new Set<string>() : repo.plannedTargets(def.id, occurrence);
  const fresh = planned.size ? all.filter((t) => !planned.has(t.id)) : all;

  const skipped: Record<string, number> = {};
  const targetRows: NewTargetRow[] = [];
  const skip = (t: AudienceTarget, reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    targetRows.push({ campaignId: def.id, occurrence, targetKind: t.kind, targetId: t.id || t.ref || 'unknown', at: slot.getTime(), skipReason: reason });
  };

  const sendable: AudienceTarget[] = [];
  if (def.audience.groups) {
    const caps = groupCaps(def, slot, tz);
    const p = localParts(slot, tz);
    const dayFrom = zonedTime(p.year, p.month, p.day, 0, 0, tz).getTime();
    const dayTo = zonedTime(p.year, p.month, p.day + 1, 0, 0, tz).getTime();
    const monthFrom = zonedTime(p.year, p.month, 1, 0, 0, tz).getTime();
    const monthTo = zonedTime(p.year, p.month + 1, 1, 0, 0, tz).getTime();
    const counts = repo.groupPostCounts(
      fresh.map((t) => t.id),
      dayFrom,
      dayTo,
      monthFrom,
      monthTo,
    );
    for (const t of fresh) {
      const d = capDecision(counts.get(t.id) ?? { day: 0, month: 0 }, caps);
      if (d.ok) sendable.push(t);
      else skip(t, d.reason);
    }
  } else {
    for (const t of fresh) {
      if (t.id === '') skip(t, 'no-wechat-contact');
      else sendable.push(t);
    }
  }

  // In key order: the outbox's and the plan's indexes then grow at one edge instead of everywhere.
  if (!def.audience.groups) sendable.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

  // Spread from the later of the slot and now: the rest of the window, or a whole spread again when run after it.
  const from = Math.max(slot.getTime(), now);
  const to = windowEnd > from ? windowEnd : from + def.spreadMinutes * 60_000;
  const at = spread(sendable.length, from, to, seededRandom(`${def.id}:${occurrence}`));
  const render = compileContent(def.content);
  let enqueued = 0;
  // Chunks on target boundaries (a target's messages are enqueued, and its plan row recorded,
  // together). Chunk n's jobs go to Redis while chunk n+1 is written to SQLite; its target rows
  // are recorded when its enqueue resolves (a crash in between is mended by a second run).
  let previous: Promise<void> = Promise.resolve();
  let failed = false;
  for (let c = 0; c < sendable.length && !failed;) {
    const reqs: EnqueueRequest[] = [];
    const firsts: number[] = [];
    for (; c < sendable.length && reqs.length < ENQUEUE_CHUNK; c++) {
      const t = sendable[c]!;
      const target = { kind: t.kind, id: t.id };
      firsts.push(reqs.length);
      render(t.vars).forEach((content, k) => {
        reqs.push({ key: campaignKey(def.id, occurrence, t.id, k), target, content, purpose: 'campaign', notBefore: at[c]! + k * SAME_TARGET_GAP_MS, expiresAt });
      });
    }
    const done = deps.outbox.enqueueMany(reqs).then((results) => {
      const ids = firsts.map((f) => {
        const r = results[f]!;
        if (r.created) enqueued++;
        return r.id;
      });
      repo.insertPlannedTargets(def.id, occurrence, slot.getTime(), ids);
    });
    done.catch(() => {
      failed = true;
    }); // awaited below (and rethrown there); stop writing more chunks
    await new Promise<void>((r) => setImmediate(r)); // let this chunk's jobs leave for Redis
    await previous;
    previous = done;
  }
  await previous;
  repo.insertTargets(targetRows);
  const targeted = all.length;
  repo.setTargeted(def.id, occurrence, targeted);
  const result: PlanResult = { campaignId: def.id, occurrence, firstPlan, targeted, enqueued, alreadyPlanned: all.length - fresh.length, skipped };
  deps.logger.info(result, firstPlan ? 'campaign occurrence planned' : 'campaign occurrence planned again (nothing planned twice)');
  return result;
}
