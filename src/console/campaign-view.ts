/**
 * Campaigns as the console and the admin chat show them: one row per campaign with its delivery
 * funnel over every occurrence (targeted → sent → replied), from the campaigns report.
 */
import type { CampaignsRepo, CampaignRow } from '../campaigns/index.js';
import { campaignReport } from '../campaigns/index.js';
import { campaignKeyPrefix } from '../campaigns/index.js';
import { nextSlot } from '../campaigns/index.js';

/**
 * The delivery funnel in targets (a group or a member), not messages (a campaign of 2 messages sends
 * 2 per target): targeted → reached (at least one message sent) → replied (a member spoke in the
 * group, or the member wrote to the bot, within 24 h of the first message sent there).
 */
export interface CampaignFunnel {
  /** Targets the audiences selected (every occurrence). */
  targeted: number;
  /** Targets at least one message of the campaign was sent to. */
  sent: number;
  /** Reached targets that answered within 24 h. */
  replied: number;
  /** Messages that failed. */
  failed: number;
  /** Messages skipped by the sender or an operator (opt-out, caps, paused, cancelled), and targets skipped at planning (group caps). */
  skipped: number;
  /** Messages still queued or sending. */
  pending: number;
  /** Messages no enabled account could send (outbox routing): recorded, never sent. */
  unreachable: number;
  occurrences: number;
}

export interface CampaignView {
  id: string;
  name: string;
  status: string;
  /** `cron "0 10 * * 5"` or `at 2026-11-27 10:00`. */
  schedule: string;
  /** The next slot (epoch ms) of a scheduled or running campaign. */
  next: number | null;
  funnel: CampaignFunnel;
}

const DAY_MS = 24 * 3_600_000;

/** The funnel of one campaign over all its occurrences. */
export function campaignFunnel(repo: CampaignsRepo, id: string, selfIds: string[] = []): CampaignFunnel {
  const f: CampaignFunnel = { targeted: 0, sent: 0, replied: 0, failed: 0, skipped: 0, pending: 0, unreachable: 0, occurrences: 0 };
  const staff = repo.db.$client.prepare('select contact_id from staff where contact_id is not null').pluck().all() as string[];
  const excluded = [...staff, ...selfIds];
  for (const o of campaignReport(repo, id, { selfIds })) {
    f.occurrences++;
    f.targeted += o.targeted;
    f.failed += o.failed;
    f.pending += o.pending;
    f.unreachable += o.unreachable;
    f.skipped += Object.values(o.skipped).reduce((a, n) => a + n, 0) + Object.values(o.skippedAtPlanning).reduce((a, n) => a + n, 0);
    const { reached, answered } = repo.answeredTargets(campaignKeyPrefix(id, o.occurrence), DAY_MS, excluded);
    f.sent += reached;
    f.replied += answered;
  }
  return f;
}

/** One campaign row as shown. */
export function campaignView(repo: CampaignsRepo, row: CampaignRow, opts: { now: Date; timezone: string; selfIds?: string[] }): CampaignView {
  const def = repo.definition(row);
  const live = row.status === 'scheduled' || row.status === 'running';
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    schedule: def.schedule.cron ? `cron "${def.schedule.cron}"` : `at ${def.schedule.at}`,
    next: live ? (nextSlot(def, opts.now, opts.timezone)?.getTime() ?? null) : null,
    funnel: campaignFunnel(repo, row.id, opts.selfIds),
  };
}

/** Every campaign's funnel (for `/api/reports/campaigns`). */
export function campaignFunnels(repo: CampaignsRepo, selfIds: string[] = []): { id: string; name: string; status: string; funnel: CampaignFunnel }[] {
  return repo.list().map((r) => ({ id: r.id, name: r.name, status: r.status, funnel: campaignFunnel(repo, r.id, selfIds) }));
}
