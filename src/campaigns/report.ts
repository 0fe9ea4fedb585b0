import { campaignKeyPrefix } from './content.rules.js';
import type { CampaignsRepo } from './campaigns.repo.js';
import { joinsAndLeaves } from '../groups/index.js';
import { formatLocal } from '../core/time.js';

const HOUR = 3_600_000;

/** The figures of one occurrence. Message counts are outbox rows (a campaign with 2 messages counts 2 per target). */
export interface OccurrenceReport {
  occurrence: string;
  at: number;
  /** Targets the audience selected. */
  targeted: number;
  /** Targets skipped at planning (group caps, members without a WeChat contact), by reason. */
  skippedAtPlanning: Record<string, number>;
  messages: number;
  sent: number;
  failed: number;
  expired: number;
  unknown: number;
  /** Messages no enabled account could send (no account is the member's friend or in the group): recorded, never sent. */
  unreachable: number;
  /** Still queued or sending. */
  pending: number;
  /** Messages the sender or an operator skipped, by reason (opted-out, member-cap, paused, cancelled). */
  skipped: Record<string, number>;
  /** Messages from members in the targeted groups within 1 h / 24 h after each post there. */
  replies1h: number;
  replies24h: number;
  /** Members joining and leaving the targeted groups within 24 h after each post there (src/groups). */
  joins24h: number;
  leaves24h: number;
}

/** Builds the report of each occurrence of a campaign (newest first) from the delivery records. */
export function campaignReport(repo: CampaignsRepo, campaignId: string, opts: { selfIds?: string[]; occurrence?: string } = {}): OccurrenceReport[] {
  return repo
    .occurrences(campaignId)
    .filter((o) => !opts.occurrence || o.occurrence === opts.occurrence)
    .map((o) => {
      const prefix = campaignKeyPrefix(campaignId, o.occurrence);
      const r: OccurrenceReport = {
        occurrence: o.occurrence,
        at: o.at,
        targeted: o.targeted,
        skippedAtPlanning: repo.planSkips(campaignId, o.occurrence),
        messages: 0,
        sent: 0,
        failed: 0,
        expired: 0,
        unknown: 0,
        unreachable: 0,
        pending: 0,
        skipped: {},
        replies1h: 0,
        replies24h: 0,
        joins24h: 0,
        leaves24h: 0,
      };
      // Counted in SQL: an occurrence of 100,000 targets is read as a few grouped rows, not 100,000.
      for (const { status, reason, n } of repo.deliveryCounts(prefix)) {
        r.messages += n;
        switch (status) {
          case 'sent':
            r.sent += n;
            break;
          case 'failed':
            r.failed += n;
            break;
          case 'expired':
            r.expired += n;
            break;
          case 'unknown':
            r.unknown += n;
            break;
          case 'unreachable':
            r.unreachable += n;
            break;
          case 'skipped': {
            const k = reason ?? 'unspecified';
            r.skipped[k] = (r.skipped[k] ?? 0) + n;
            break;
          }
          default:
            r.pending += n;
        }
      }
      for (const { id: room, at: sentAt } of repo.firstSends(prefix).filter((t) => t.kind === 'room')) {
        r.replies1h += repo.repliesInRoom([room], sentAt, sentAt + HOUR, opts.selfIds ?? []);
        r.replies24h += repo.repliesInRoom([room], sentAt, sentAt + 24 * HOUR, opts.selfIds ?? []);
        const jl = joinsAndLeaves(repo.db, [room], sentAt, sentAt + 24 * HOUR);
        r.joins24h += jl.joins;
        r.leaves24h += jl.leaves;
      }
      return r;
    });
}

const fmt = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '0';

/** The report as text lines for the CLI. */
export function renderReport(reports: OccurrenceReport[], timezone: string): string {
  if (reports.length === 0) return '  no occurrence yet';
  const when = (t: number) => formatLocal(t, timezone);
  return reports
    .map((r) =>
      [
        `  occurrence ${r.occurrence} (${when(r.at)} ${timezone})`,
        `    targeted ${r.targeted}; skipped at planning: ${fmt(r.skippedAtPlanning)}`,
        `    messages ${r.messages}: sent ${r.sent}, failed ${r.failed}, expired ${r.expired}, unknown ${r.unknown}, unreachable ${r.unreachable}, pending ${r.pending}; skipped: ${fmt(r.skipped)}`,
        `    replies in targeted groups: ${r.replies1h} within 1 h, ${r.replies24h} within 24 h; joins ${r.joins24h}, leaves ${r.leaves24h} within 24 h`,
      ].join('\n'),
    )
    .join('\n');
}
