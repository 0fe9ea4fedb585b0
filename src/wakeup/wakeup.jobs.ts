import { fill } from '../core/template.js';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import { localDate } from '../core/time.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { WakeupPlaybook } from './playbook.js';
import { wakeupKey, type DueStep, type WakeupRepo } from './wakeup.repo.js';
import { allowance, silentDays, stageText, stopReason, windowFor, type StopReason } from './wakeup.rules.js';

/**
 * The wake-up routines. `runSelection` runs at the start of each send window; `runSweep` every minute.
 * Both are safe to run twice: episodes are unique per silence, steps per episode and stage, outbox
 * keys per step (`wakeup:<memberId>:<stage>:<episodeId>`), coupons per step (ref `wakeup:<episodeId>:<stage>`).
 */

export interface WakeupDeps {
  repo: WakeupRepo;
  outbox: { enqueueMany(reqs: EnqueueRequest[]): Promise<EnqueueResult[]> };
  /** Ends a queued outbox row without sending (the outbox's operations: cancel by id). */
  cancelSend(outboxId: number, now: number, reason: string): boolean;
  /** Issues a gift coupon once per ref (MembersRepo.issueGift); null when out of stock or issued before. */
  issueGift(memberId: number, rewardCode: string, ref: string, now: number): { code: string; rewardCode: string; expiresAt: number } | null;
  rewardName(code: string): string;
  /** Member names as shown to people (phones masked). */
  displayName(name: string): string;
  timezone: string;
  /** The sending account whose daily budget this process spends. */
  account: string;
  playbook: () => WakeupPlaybook;
  now: () => number;
  logger: Logger;
  /** A fresh seed for the holdout draw when the playbook sets none. */
  newSeed?: () => string;
}

/** What one selection run did. */
export interface SelectionResult {
  seed: string;
  stopped: number;
  lapsed: number;
  started: { treatment: number; holdout: number };
  steps: { sent: number; suggested: number; holdout: number };
  /** Null when today's windows are over (no stage decided). */
  window: { start: number; end: number } | null;
  allowance: number;
}

/**
 * Ends an active episode at once and settles its queued stage messages as skipped.
 * @returns false when it was no longer active.
 */
export function stopEpisode(deps: Pick<WakeupDeps, 'repo' | 'cancelSend'>, episodeId: number, reason: StopReason, at: number, now: number, text: string | null = null): boolean {
  if (!deps.repo.stop(episodeId, reason, at, text)) return false;
  for (const id of deps.repo.outboxIds(episodeId)) deps.cancelSend(id, now, `wake-up stopped: ${reason}`);
  return true;
}

/** Stops episodes whose member came back (purchase, redemption, message) or opted out, and marks lapsed ones. */
export function runSweep(deps: WakeupDeps, now = deps.now()): { stopped: number; lapsed: number } {
  const pb = deps.playbook();
  let stopped = 0;
  for (const c of deps.repo.stopCandidates()) {
    const s = stopReason(c, c.anchorAt, pb, now);
    if (s && stopEpisode(deps, c.episodeId, s.reason, s.at, now)) stopped++;
  }
  const lapsed = deps.repo.lapse(pb, now);
  if (stopped || lapsed) deps.logger.info({ stopped, lapsed }, 'wake-up sweep');
  return { stopped, lapsed };
}

/** What a selection decided for one stage: messages through the outbox (reachable), suggestions on guides' cards, holdout. */
export interface StageSelection {
  stage: number;
  sent: number;
  suggested: number;
  holdout: number;
}

/**
 * The daily selection, run at the start of each send window: sweep, start new dormant episodes
 * (arm drawn once with a recorded seed), decide the stages due within today's budget share for this
 * window, record them (both arms), issue coupons, and queue the treatment's messages inside the window.
 */
export async function runSelection(deps: WakeupDeps): Promise<SelectionResult & { byStage: StageSelection[] }> {
  const now = deps.now();
  const result = decideSelection(deps, now);
  await queuePending(deps, now);
  deps.logger.info(
    { seed: result.seed, stopped: result.stopped, lapsed: result.lapsed, started: result.started, steps: result.steps, allowance: result.allowance },
    'wake-up selection done',
  );
  return result;
}

/** The part of a selection that only writes SQLite (everything but queueing the messages). */
function decideSelection(deps: WakeupDeps, now: number): SelectionResult & { byStage: StageSelection[] } {
  const pb = deps.playbook();
  const { stopped, lapsed } = runSweep(deps, now);
  const seed = pb.holdout.seed ?? (deps.newSeed ?? (() => randomBytes(8).toString('hex')))();
  const started = deps.repo.tx(() => deps.repo.startEpisodes(pb, now, seed));
  const byStage: StageSelection[] = pb.stages.map((_, i) => ({ stage: i + 1, sent: 0, suggested: 0, holdout: 0 }));
  const result = { seed, stopped, lapsed, started, steps: { sent: 0, suggested: 0, holdout: 0 }, window: null as SelectionResult['window'], allowance: 0, byStage };
  const window = windowFor(now, pb.windows, deps.timezone);
  if (window) {
    const date = localDate(new Date(now), deps.timezone);
    const allow = allowance(pb.budget.perAccountPerDay, window.index, pb.windows.length, deps.repo.usedToday(date, deps.account));
    result.window = { start: window.start, end: window.end };
    result.allowance = allow;
    const due = deps.repo.dueSteps(pb, now, { date, allowance: allow, perGuide: pb.budget.perGuidePerDay });
    deps.repo.tx(() => {
      for (const d of due) {
        const kind = recordDue(deps, pb, d, { date, now, notBefore: Math.max(now, window.start), expiresAt: window.end });
        if (kind) {
          result.steps[kind]++;
          const st = byStage[d.stage - 1];
          if (st) st[kind]++;
        }
      }
    });
  }
  return result;
}

class DryRun extends Error {}

/**
 * What a selection run now would do, without doing it: the same code inside one transaction that
 * is rolled back (no episode, step, coupon or message stays). Per stage: messages (reachable through
 * the outbox), suggestions on the guides' cards, and holdout. Without a fixed `holdout.seed` in the
 * playbook the arms are drawn again at the real run, so the treatment/holdout split may differ slightly.
 */
export function previewSelection(deps: WakeupDeps, now = deps.now()): SelectionResult & { byStage: StageSelection[] } {
  let out: (SelectionResult & { byStage: StageSelection[] }) | null = null;
  try {
    deps.repo.tx(() => {
      out = decideSelection(deps, now);
      throw new DryRun();
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  return out!;
}

function recordDue(
  deps: WakeupDeps,
  pb: WakeupPlaybook,
  d: DueStep,
  w: { date: string; now: number; notBefore: number; expiresAt: number },
): 'sent' | 'suggested' | 'holdout' | null {
  const treated = d.arm === 'treatment';
  const viaOutbox = d.channel === 'outbox';
  const stage = pb.stages[d.stage - 1]!;
  const vars = { name: deps.displayName(d.name), days: silentDays(d.anchorAt, w.now) };
  // Without a coupon the text is known before the step is recorded: one statement fewer per step.
  const plainText = treated && !stage.coupon ? fill(stageText(stage, d.tier), vars) : null;
  const created = deps.repo.recordStep({
    episodeId: d.episodeId,
    stage: d.stage,
    memberId: d.memberId,
    arm: d.arm,
    tier: d.tier,
    date: w.date,
    at: w.now,
    channel: d.channel,
    account: viaOutbox ? deps.account : null,
    guideCode: d.guideCode,
    outboxKey: treated && viaOutbox ? wakeupKey(d.memberId, d.stage, d.episodeId) : null,
    notBefore: viaOutbox ? w.notBefore : null,
    expiresAt: viaOutbox ? w.expiresAt : null,
    couponCode: null,
    text: plainText,
  });
  if (!created) return null;
  if (!treated) return 'holdout';
  if (stage.coupon) {
    // Issued only once the step is recorded (a second run of the slot records nothing and issues nothing).
    const coupon = deps.issueGift(d.memberId, stage.coupon.reward, `wakeup:${d.episodeId}:${d.stage}`, w.now);
    const text = coupon
      ? fill(stageText(stage, d.tier), { ...vars, reward: deps.rewardName(coupon.rewardCode), coupon: coupon.code, expires: localDate(new Date(coupon.expiresAt), deps.timezone) })
      : fill(stage.noCouponText ?? stageText(stage, d.tier), vars);
    deps.repo.setStepContent(d.episodeId, d.stage, coupon?.code ?? null, text);
  }
  return viaOutbox ? 'sent' : 'suggested';
}

/** Queues the recorded treatment messages not queued yet (just recorded, or left by a crash). */
async function queuePending(deps: WakeupDeps, now: number): Promise<void> {
  const pending = deps.repo.pendingSends(now);
  const CHUNK = 500;
  for (let i = 0; i < pending.length; i += CHUNK) {
    const batch = pending.slice(i, i + CHUNK);
    const results = await deps.outbox.enqueueMany(
      batch.map((p) => ({
        key: p.outboxKey,
        target: { kind: 'contact', id: p.contactId },
        content: { kind: 'text', text: p.text },
        purpose: 'wake-up',
        notBefore: p.notBefore,
        expiresAt: p.expiresAt,
      })),
    );
    deps.repo.tx(() =>
      batch.forEach((p, j) => {
        deps.repo.setOutboxId(p.episodeId, p.stage, results[j]!.id);
        // No account is the member's friend (outbox routing): the wake-up becomes a suggestion on their guide's card.
        if (results[j]!.status === 'unreachable') deps.repo.toGuideChannel(p.episodeId, p.stage);
      }),
    );
    // A reply that stopped the episode between recording and queueing: settle the row at once.
    batch.forEach((p, j) => {
      if (!deps.repo.isActive(p.episodeId)) deps.cancelSend(results[j]!.id, now, 'wake-up stopped before it was queued');
    });
  }
}

/** Fills `{name}` variables (unknown ones were refused at load). */
export { fill };
