import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { localParts, zonedTime } from '../core/time.js';
import type { EnqueueRequest, Outbox } from '../outbox/outbox.js';
import { selectAudience, type AudienceTarget, type GroupFacts, type MemberFacts } from './audience.rules.js';
import type { CampaignDef } from './campaign.file.js';
import { capDecision, groupCaps } from './caps.rules.js';
import { campaignKey, renderContent } from './content.rules.js';
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
  const dir = deps.directory ? deps.directory() : { groups: def.audience.groups ? repo.groupFacts() : [], members: def.audience.members ? repo.memberFacts() : [] };
  const all = selectAudience(def, dir, now);
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
    const counts = repo.groupPostCounts(dayFrom, dayTo, monthFrom, monthTo);
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

  // Spread from the later of the slot and now: the rest of the window, or a whole spread again when run after it.
  const from = Math.max(slot.getTime(), now);
  const to = windowEnd > from ? windowEnd : from + def.spreadMinutes * 60_000;
  const at = spread(sendable.length, from, to, seededRandom(`${def.id}:${occurrence}`));
  const reqs: EnqueueRequest[] = [];
  const firstOfTarget: number[] = [];
  sendable.forEach((t, i) => {
    firstOfTarget.push(reqs.length);
    renderContent(def.content, t.vars).forEach((content, k) => {
      reqs.push({
        key: campaignKey(def.id, occurrence, t.id, k), target: { kind: t.kind, id: t.id }, content, purpose: 'campaign',
        notBefore: at[i]! + k * SAME_TARGET_GAP_MS, expiresAt,
      });
    });
  });
  let enqueued = 0;
  for (let c = 0; c < sendable.length;) {
    // Chunk on target boundaries so a target's row and its messages are recorded together.
    let end = c;
    while (end < sendable.length && (firstOfTarget[end]! - firstOfTarget[c]!) < ENQUEUE_CHUNK) end++;
    const from = firstOfTarget[c]!;
    const upto = end < sendable.length ? firstOfTarget[end]! : reqs.length;
    const results = await deps.outbox.enqueueMany(reqs.slice(from, upto));
    const rows: NewTargetRow[] = [];
    for (let i = c; i < end; i++) {
      const r = results[firstOfTarget[i]! - from]!;
      if (r.created) enqueued++;
      rows.push({ campaignId: def.id, occurrence, targetKind: sendable[i]!.kind, targetId: sendable[i]!.id, at: slot.getTime(), outboxId: r.id });
    }
    repo.insertTargets(rows);
    c = end;
  }
  repo.insertTargets(targetRows);
  const targeted = all.length;
  repo.setTargeted(def.id, occurrence, targeted);
  const result: PlanResult = { campaignId: def.id, occurrence, firstPlan, targeted, enqueued, alreadyPlanned: all.length - fresh.length, skipped };
  deps.logger.info(result, firstPlan ? 'campaign occurrence planned' : 'campaign occurrence planned again (nothing planned twice)');
  return result;
}
