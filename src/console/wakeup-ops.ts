/**
 * The wake-up on demand, for the console and the CLI: a preview of what a selection run now would
 * do (nothing stays), and running it now. Both use the wake-up capability's own selection code.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { Db } from '../platform/db/client.js';
import { WakeupPlaybookHolder } from '../wakeup/index.js';
import { wakeupDeps } from '../wakeup/index.js';
import { previewSelection, runSelection, type StageSelection, type WakeupDeps } from '../wakeup/index.js';

/** One selection, as people read it. */
export interface WakeupSelectionView {
  /** True for a preview (nothing was recorded). */
  dryRun: boolean;
  /** When it ran (epoch ms). */
  at: number;
  /** The send window the messages go in (epoch ms), or null when today's windows are over (no stage decided). */
  window: { start: number; end: number } | null;
  /** Wake-up messages this window may still create today (the daily budget's share). */
  allowance: number;
  /** Newly dormant members found: treatment and holdout. */
  started: { treatment: number; holdout: number };
  /** Episodes stopped (member came back or opted out) and lapsed. */
  stopped: number;
  lapsed: number;
  /** Per stage: silent days, messages (reachable through the bot's account), card suggestions, holdout. */
  stages: (StageSelection & { days: number; coupon: string | null })[];
  totals: { sent: number; suggested: number; holdout: number };
  seed: string;
}

export interface WakeupOps {
  preview(): WakeupSelectionView;
  run(): Promise<WakeupSelectionView>;
}

export interface WakeupOpsDeps {
  db: Db;
  outbox: { enqueueMany(reqs: EnqueueRequest[]): Promise<EnqueueResult[]> };
  clock: Clock;
  logger: Logger;
  timezone: string;
  account: string;
  /** `sop/wakeup.yaml`. */
  playbookFile: string;
}

/**
 * Preview and run-now over the store, for the CLI (its own process: the playbook is read from the
 * file, and re-read when the file changed). The running app uses `wakeupOpsOn` with the capability's own.
 * @example await wakeupOps({ db, outbox, clock, logger, timezone: 'Asia/Shanghai', account: 'main', playbookFile: 'sop/wakeup.yaml' }).run()
 */
export function wakeupOps(d: WakeupOpsDeps): WakeupOps {
  const holder = new WakeupPlaybookHolder(d.playbookFile, d.logger);
  return wakeupOpsOn(wakeupDeps({ db: d.db, outbox: d.outbox, clock: d.clock, logger: d.logger, config: { TIMEZONE: d.timezone, ACCOUNT_ID: d.account } }, holder), d.clock);
}

/**
 * Preview and run-now on the selection dependencies the wake-up capability publishes (`WAKEUP`):
 * the same playbook reader, repo and budget as its scheduled runs.
 */
export function wakeupOpsOn(deps: WakeupDeps, clock: Clock): WakeupOps {
  const view = (r: ReturnType<typeof previewSelection>, dryRun: boolean, at: number): WakeupSelectionView => {
    const pb = deps.playbook();
    return {
      dryRun,
      at,
      window: r.window,
      allowance: r.allowance,
      started: r.started,
      stopped: r.stopped,
      lapsed: r.lapsed,
      seed: r.seed,
      stages: r.byStage.map((s) => ({ ...s, days: pb.stages[s.stage - 1]?.days ?? 0, coupon: pb.stages[s.stage - 1]?.coupon?.reward ?? null })),
      totals: r.steps,
    };
  };
  return {
    preview: () => {
      const at = clock.now().getTime();
      return view(previewSelection(deps, at), true, at);
    },
    run: async () => {
      const at = clock.now().getTime();
      return view(await runSelection(deps), false, at);
    },
  };
}
