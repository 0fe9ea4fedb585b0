/**
 * What the composition root hands the console beyond its basics: the campaign operations (the repo
 * and service the campaigns capability publishes, not a copy) and applying reloaded playbooks.
 */
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { liveValue, type Live } from '../core/live.js';
import type { DailyWindow } from '../core/time.js';
import type { Db } from '../platform/db/client.js';
import { queueNames, type Queues } from '../platform/queue/queues.js';
import type { CampaignsRepo } from '../campaigns/index.js';
import { type CampaignService, DEFAULT_CAMPAIGNS_DIR, saveCampaign } from '../campaigns/index.js';
import { builderOptions } from '../campaigns/index.js';
import { previewCampaign } from '../campaigns/index.js';
import type { Outbox } from '../outbox/index.js';
import type { CampaignBuilderDeps, CreateCampaign } from './http/routes/campaigns.js';

export interface WiringDeps {
  db: Db;
  clock: Clock;
  timezone: string;
  /** For the builder's count of targets no account reaches (routing). */
  outbox?: { unreachableAmong?: Outbox['unreachableAmong'] };
  /** Marketing quiet hours in force (sop/sending.yaml over QUIET_HOURS), for the campaign validator's warning; read on every check. */
  quietHours?: Live<DailyWindow>;
  /** Marketing messages per member per local day in force, for the builder's "capped" count; read on every preview. */
  marketingCapPerDay?: Live<number>;
  /** Where images uploaded in the campaign builder are kept. */
  mediaDir?: string;
}

/**
 * Campaign list/show/create/edit/pause/resume/cancel for the console, through the repo and service the
 * campaigns capability published (`CAMPAIGNS`); null when it is not installed (no campaign pages then).
 */
export function consoleCampaigns(
  d: WiringDeps,
  published: { repo: CampaignsRepo; service: CampaignService } | undefined,
): { repo: CampaignsRepo; service: CampaignService; create: CreateCampaign | null; builder: CampaignBuilderDeps | null } | undefined {
  if (!published) return undefined;
  const { repo, service } = published;
  const quiet = () => (d.quietHours === undefined ? undefined : liveValue(d.quietHours));
  const builder: CampaignBuilderDeps | null =
    d.mediaDir === undefined
      ? null
      : {
          options: () => builderOptions(d.db),
          preview: (raw) =>
            previewCampaign(d.db, raw, {
              now: d.clock.now(),
              timezone: d.timezone,
              quietHours: quiet(),
              marketingCapPerDay: liveValue(d.marketingCapPerDay ?? 1),
              baseDir: DEFAULT_CAMPAIGNS_DIR,
              unreachable: (targets) => d.outbox?.unreachableAmong?.(targets) ?? null,
            }),
          mediaDir: d.mediaDir,
        };
  return {
    repo,
    service,
    builder,
    create: (raw, by, id) => saveCampaign(d.db, raw, by, { id, now: d.clock.now().getTime(), world: { timezone: d.timezone, quietHours: quiet() } }),
  };
}

/**
 * Applies valid playbooks: the campaigns folder is synced into the store now (as the capability's
 * minute tick does); the other playbooks are re-read by their capability on next use, since each
 * holder reloads a file whose size or modification time changed.
 */
export function reloadPlaybooks(campaigns: { service: CampaignService } | undefined, sopDir: string): { kind: string; result: string }[] {
  const problems = campaigns?.service.syncDir(path.join(sopDir, 'campaigns')) ?? null;
  return [
    {
      kind: 'campaigns',
      result:
        problems === null
          ? 'not synced: the campaigns capability is not installed'
          : problems.length
            ? `synced with ${problems.length} refused edit(s): ${problems.join('; ')}`
            : 'synced into the store',
    },
    ...['membership', 'guide-daily', 'sla', 'friends', 'wakeup', 'sending'].map((kind) => ({ kind, result: 'valid; the capability re-reads a changed file on its next use' })),
  ];
}

/**
 * The queues the console shows (bull-board, /metrics, /healthz) opened up front: queues are opened
 * lazily on first use, and an idle account's outbox queue would otherwise be missing from the figures.
 */
export function consoleQueues(queues: Queues, account: string): Queues {
  queues.queue(queueNames.outbox(account));
  queues.queue(queueNames.outbox(account, 'paced'));
  queues.queue(queueNames.schedules);
  return queues;
}
