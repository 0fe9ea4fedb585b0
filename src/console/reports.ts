/**
 * The reports the console serves under `/api/reports/<name>` (and the CLI prints), built from each
 * capability's own report function over the store. Each takes a range of local days; reports that
 * are not about a range (wake-up, campaigns) ignore it.
 */
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Db } from '../platform/db/client.js';
import { guideReport } from '../guide-sop/index.js';
import { slaReport } from '../sla/index.js';
import { wakeupReport } from '../wakeup/index.js';
import { loadWakeupPlaybook, type WakeupPlaybook } from '../wakeup/index.js';
import { groupHealthReport } from '../groups/index.js';
import { CampaignsRepo } from '../campaigns/index.js';
import { campaignFunnels } from './campaign-view.js';
import { SOP_ROOT } from './playbooks.js';

export type Range = { from: string; to: string };
export type ReportFn = (range: Range) => unknown;

/** Default reactivation window when the wake-up playbook cannot be read. */
const DEFAULT_WINDOW_DAYS = 14;

/**
 * @param opts.wakeupPlaybook the wake-up playbook as the capability reads it (for the reactivation window);
 *   without it, `wakeup.yaml` in opts.sopDir (default `sop/`) is read.
 * @param opts.selfIds the bot's own contact ids (not counted as replies).
 */
export function consoleReports(
  db: Db,
  opts: { timezone: string; clock: Clock; sopDir?: string; wakeupPlaybook?: () => WakeupPlaybook; selfIds?: () => string[] },
): Record<string, ReportFn> {
  const sop = opts.sopDir ?? SOP_ROOT;
  const windowDays = () => {
    try {
      return (opts.wakeupPlaybook?.() ?? loadWakeupPlaybook(path.join(sop, 'wakeup.yaml'))).measurement.reactivationWindowDays;
    } catch {
      return DEFAULT_WINDOW_DAYS;
    }
  };
  return {
    guides: (r) => guideReport(db, r),
    sla: (r) => slaReport(db, { ...r, timezone: opts.timezone, now: opts.clock.now().getTime() }),
    wakeup: () => wakeupReport(db, { now: opts.clock.now().getTime(), windowDays: windowDays() }),
    groups: (r) => groupHealthReport(db, { ...r, timezone: opts.timezone, now: opts.clock.now().getTime() }),
    campaigns: () => ({ campaigns: campaignFunnels(new CampaignsRepo(db), opts.selfIds?.() ?? []) }),
  };
}
