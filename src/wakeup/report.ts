import type { Db } from '../platform/db/client.js';
import { DAY_MS } from './wakeup.rules.js';
import { newcombe, wilson, type Interval, type Lift } from './stats.rules.js';

/**
 * Measurement of the wake-up: reactivation (a message, purchase or redemption) within the window
 * after each stage, treatment vs holdout, per stage and tier, with the lift and its 95% interval
 * (Newcombe's hybrid score interval, see stats.rules.ts); coupons issued vs used; members lapsed.
 * Read-only; the data is what the console shows.
 */

export interface ArmFigures {
  /** Stages decided for this arm (the holdout's are the moments they would have gone). */
  n: number;
  reactivated: number;
  rate: number | null;
  /** Wilson 95% interval of the rate. */
  ci: Interval | null;
  /**
   * Reactivation windows not over yet (their count may still grow): per stage, the episodes whose latest
   * stage it is; for `all`, the episodes. The stage rows add up to the `all` row.
   */
  windowOpen: number;
}

export interface LiftRow {
  /** 1-based stage, or `all` (per episode: reactivated within the window after its last stage). */
  stage: number | 'all';
  tier: string;
  treatment: ArmFigures;
  holdout: ArmFigures;
  /** Treatment rate − holdout rate, with its 95% interval. */
  lift: Lift;
}

export interface WakeupReport {
  generatedAt: number;
  windowDays: number;
  method: 'newcombe-hybrid-score-95';
  rows: LiftRow[];
  episodes: { treatment: number; holdout: number; active: number; lapsed: number; stoppedBy: Record<string, number> };
  sends: Record<string, number>;
  suggestions: number;
  coupons: { issued: number; used: number };
  handovers: number;
}

interface Cell {
  stage: number;
  tier: string;
  arm: 'treatment' | 'holdout';
  n: number;
  reactivated: number;
  open: number;
}

const REACTIVATION = "('message', 'purchase', 'redemption')";

/**
 * A reactivation window still open: the episode's latest stage was decided at `at` less than the window
 * ago and the member has not come back within it. One definition for the stage rows (the step that is
 * its episode's latest, `s.stage = e.stage`) and the all-stages row (the episode's last step), so the
 * stage rows add up to the all-stages row, and the tier rows to their stage row. An active episode
 * whose last window closed is not open: its next stage, when decided, opens a new window. (An active
 * episode has no end reason: `null in (…)` is null, hence the coalesce; without it no stage row ever
 * counted an active episode's window.)
 */
const OPEN = (at: string) => `${at} + @win > @now and not coalesce(e.end_reason in ${REACTIVATION} and e.ended_at < ${at} + @win, 0)`;

function figures(c: Cell | undefined): ArmFigures {
  const n = c?.n ?? 0;
  const x = c?.reactivated ?? 0;
  return { n, reactivated: x, rate: n ? x / n : null, ci: n ? wilson(x, n) : null, windowOpen: c?.open ?? 0 };
}

function liftRows(cells: Cell[], stageOf: (c: Cell) => number | 'all', tierOf: (c: Cell) => string): LiftRow[] {
  const groups = new Map<string, { stage: number | 'all'; tier: string; t?: Cell; h?: Cell }>();
  for (const c of cells) {
    const stage = stageOf(c);
    const tier = tierOf(c);
    const key = `${stage}|${tier}`;
    const g = groups.get(key) ?? { stage, tier };
    const slot = c.arm === 'treatment' ? 't' : 'h';
    const prev = g[slot];
    g[slot] = prev ? { ...prev, n: prev.n + c.n, reactivated: prev.reactivated + c.reactivated, open: prev.open + c.open } : { ...c };
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const treatment = figures(g.t);
    const holdout = figures(g.h);
    return { stage: g.stage, tier: g.tier, treatment, holdout, lift: newcombe(treatment.reactivated, treatment.n, holdout.reactivated, holdout.n) };
  });
}

/**
 * Computes the report at `now` with the playbook's reactivation window.
 * @example wakeupReport(db, { now: Date.now(), windowDays: 14 }).rows[0].lift
 */
export function wakeupReport(db: Db, opts: { now: number; windowDays: number }): WakeupReport {
  const c = db.$client;
  const win = opts.windowDays * DAY_MS;
  const cells = c
    .prepare(
      `select s.stage, s.tier, s.arm, count(*) as n,
      sum(case when e.end_reason in ${REACTIVATION} and e.ended_at >= s.at and e.ended_at < s.at + @win then 1 else 0 end) as reactivated,
      sum(case when s.stage = e.stage and ${OPEN('s.at')} then 1 else 0 end) as open
    from wakeup_steps s join wakeup_episodes e on e.id = s.episode_id group by s.stage, s.tier, s.arm order by s.stage, s.tier, s.arm`,
    )
    .all({ win, now: opts.now }) as Cell[];
  const episodeCells = c
    .prepare(
      `select 0 as stage, e.tier, e.arm, count(*) as n,
      sum(case when e.end_reason in ${REACTIVATION} and e.ended_at < e.last_step_at + @win then 1 else 0 end) as reactivated,
      sum(case when ${OPEN('e.last_step_at')} then 1 else 0 end) as open
    from wakeup_episodes e where e.stage > 0 group by e.tier, e.arm`,
    )
    .all({ win, now: opts.now }) as Cell[];
  const rows = [
    ...liftRows(
      episodeCells,
      () => 'all',
      () => 'all',
    ),
    ...liftRows(
      cells,
      (x) => x.stage,
      () => 'all',
    ),
    ...liftRows(
      cells,
      (x) => x.stage,
      (x) => x.tier,
    ),
  ];
  const ep = c
    .prepare(
      `select sum(arm = 'treatment') as treatment, sum(arm = 'holdout') as holdout, sum(status = 'active') as active,
      sum(status = 'lapsed') as lapsed, sum(handed_over_at is not null) as handovers from wakeup_episodes`,
    )
    .get() as Record<string, number | null>;
  const stoppedBy = Object.fromEntries(
    (c.prepare("select end_reason as r, count(*) as n from wakeup_episodes where status = 'stopped' group by end_reason").all() as { r: string; n: number }[]).map((r) => [
      r.r,
      r.n,
    ]),
  );
  const sends = Object.fromEntries(
    (
      c
        .prepare(
          `select coalesce(o.status, 'not queued') as s, count(*) as n from wakeup_steps s left join outbox o on o.id = s.outbox_id
      where s.arm = 'treatment' and s.channel = 'outbox' group by 1`,
        )
        .all() as { s: string; n: number }[]
    ).map((r) => [r.s, r.n]),
  );
  const suggestions = c.prepare("select count(*) from wakeup_steps where arm = 'treatment' and channel = 'guide'").pluck().get() as number;
  const coupons = c.prepare(`select count(*) as issued, coalesce(sum(cp.status = 'used'), 0) as used from wakeup_steps s join coupons cp on cp.code = s.coupon_code`).get() as {
    issued: number;
    used: number;
  };
  return {
    generatedAt: opts.now,
    windowDays: opts.windowDays,
    method: 'newcombe-hybrid-score-95',
    rows,
    episodes: { treatment: ep['treatment'] ?? 0, holdout: ep['holdout'] ?? 0, active: ep['active'] ?? 0, lapsed: ep['lapsed'] ?? 0, stoppedBy },
    sends,
    suggestions,
    coupons,
    handovers: ep['handovers'] ?? 0,
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const pp = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`);

/** Pads to `w` terminal columns (CJK characters take two). */
function padColumns(s: string, w: number): string {
  const cols = [...s].reduce((n, c) => n + (c.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
  return s + ' '.repeat(Math.max(0, w - cols));
}

/** The report as text for the terminal. */
export function renderWakeupReport(r: WakeupReport, tierNames: ReadonlyMap<string, string> = new Map()): string {
  const lines = [
    `Wake-up: reactivation within ${r.windowDays} days (message, purchase or redemption), treatment vs holdout`,
    `Lift = treatment rate − holdout rate, in percentage points, 95% CI by Newcombe's hybrid score method.`,
    '',
    `${'stage'.padEnd(6)} ${'tier'.padEnd(8)} ${'treated'.padStart(8)} ${'react.'.padStart(7)} ${'rate'.padStart(7)} ${'holdout'.padStart(8)} ${'react.'.padStart(7)} ${'rate'.padStart(7)}  ${'lift (95% CI)'}`,
  ];
  for (const row of r.rows) {
    const ci = row.lift.ci ? ` (${pp(row.lift.ci.low)} to ${pp(row.lift.ci.high)})` : '';
    const open = row.treatment.windowOpen + row.holdout.windowOpen;
    lines.push(
      `${String(row.stage).padEnd(6)} ${padColumns(tierNames.get(row.tier) ?? row.tier, 8)} ${String(row.treatment.n).padStart(8)} ${String(row.treatment.reactivated).padStart(7)} ${pct(row.treatment.rate).padStart(7)} ${String(row.holdout.n).padStart(8)} ${String(row.holdout.reactivated).padStart(7)} ${pct(row.holdout.rate).padStart(7)}  ${pp(row.lift.diff)}${ci}${open ? `  [${open} window${open === 1 ? '' : 's'} still open]` : ''}`,
    );
  }
  if (r.rows.length === 0) lines.push('(no stage decided yet)');
  const stopped =
    Object.entries(r.episodes.stoppedBy)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const sends =
    Object.entries(r.sends)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  lines.push(
    '',
    `Episodes: treatment ${r.episodes.treatment}, holdout ${r.episodes.holdout}; active ${r.episodes.active}; stopped: ${stopped}; lapsed ${r.episodes.lapsed}`,
    `Messages (treatment, outbox): ${sends}; guide suggestions ${r.suggestions}; hand-overs to guides ${r.handovers}`,
    `Coupons: issued ${r.coupons.issued}, used ${r.coupons.used}${r.coupons.issued ? ` (${pct(r.coupons.used / r.coupons.issued)})` : ''}`,
  );
  return lines.join('\n');
}
