import { formatLocal, localDate, zonedTime } from '../core/time.js';
import type { Db } from '../platform/db/client.js';
import { SlaRepo, type QuestionRow } from './sla.repo.js';
import { nextDate } from '../core/calendar.js';

/**
 * SLA figures over the questions opened in a period, as the CLI prints them and the console charts them.
 *
 * - `firstResponseRate` = answered by a staff reply / questions.
 * - `withinTargetRate` = answered at or before the target deadline (business time) / questions.
 * - `timeouts`: questions whose target deadline passed before an answer or a close (or before now).
 * - `escalated`: questions whose escalation reached someone (a tier's recipients or a fallback).
 * - `unrouted`: questions that fell due with nobody to alert at all (not even the fallbacks); not escalated.
 * - `backlog`: questions that were, or still are, open past the backlog threshold; `backlogRate` of questions.
 *   `openBacklog`: of those, still open now.
 * - Response times p50/p90 over answered questions, in business and raw (wall-clock) minutes.
 * - Satisfaction: ratings given for these questions; `satisfactionRate` = ratings of 4–5 / ratings.
 */
export interface SlaFigures {
  key: string;
  label: string;
  questions: number;
  answered: number;
  handled: number;
  open: number;
  firstResponseRate: number | null;
  withinTarget: number;
  withinTargetRate: number | null;
  timeouts: number;
  escalated: number;
  unrouted: number;
  backlog: number;
  openBacklog: number;
  backlogRate: number | null;
  p50BusinessMinutes: number | null;
  p90BusinessMinutes: number | null;
  p50RawMinutes: number | null;
  p90RawMinutes: number | null;
  ratings: number;
  satisfied: number;
  satisfactionRate: number | null;
  averageRating: number | null;
}

export const SLA_DIMENSIONS = ['group', 'store', 'guide', 'day'] as const;
export type SlaDimension = (typeof SLA_DIMENSIONS)[number];

/** Figures for the whole period and per group, store, guide and local day. */
export interface SlaReport {
  from: string;
  to: string;
  timezone: string;
  /** When open questions were judged, epoch ms (shown in local time by `renderSlaReport`). */
  asOf: number;
  total: SlaFigures;
  by: Record<SlaDimension, SlaFigures[]>;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const rate = (n: number, d: number) => (d ? Math.round((n / d) * 10_000) / 10_000 : null);
const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);

/**
 * The figures of one set of questions, judged at `now`. Pure.
 * @param ratings question id → rating 1–5.
 */
export function figuresOf(key: string, label: string, rows: readonly QuestionRow[], ratings: ReadonlyMap<number, number>, now: number): SlaFigures {
  const answered = rows.filter((q) => q.status === 'answered');
  const business = answered.map((q) => q.responseBusinessMs ?? 0).sort((a, b) => a - b);
  const raw = answered.map((q) => q.responseMs ?? 0).sort((a, b) => a - b);
  const given = rows.map((q) => ratings.get(q.id)).filter((r): r is number => r !== undefined);
  const satisfied = given.filter((r) => r >= 4).length;
  const backlog = rows.filter((q) => (q.closedAt ?? now) > q.backlogAt);
  return {
    key,
    label,
    questions: rows.length,
    answered: answered.length,
    handled: rows.filter((q) => q.status === 'handled').length,
    open: rows.filter((q) => q.status === 'open').length,
    firstResponseRate: rate(answered.length, rows.length),
    withinTarget: answered.filter((q) => q.closedAt! <= q.targetDueAt).length,
    withinTargetRate: rate(answered.filter((q) => q.closedAt! <= q.targetDueAt).length, rows.length),
    timeouts: rows.filter((q) => (q.closedAt ?? now) > q.targetDueAt).length,
    escalated: rows.filter((q) => q.escalatedTier >= 0 && q.unroutedAt === null).length,
    unrouted: rows.filter((q) => q.unroutedAt !== null).length,
    backlog: backlog.length,
    openBacklog: backlog.filter((q) => q.status === 'open').length,
    backlogRate: rate(backlog.length, rows.length),
    p50BusinessMinutes: minutes(percentile(business, 0.5)),
    p90BusinessMinutes: minutes(percentile(business, 0.9)),
    p50RawMinutes: minutes(percentile(raw, 0.5)),
    p90RawMinutes: minutes(percentile(raw, 0.9)),
    ratings: given.length,
    satisfied,
    satisfactionRate: rate(satisfied, given.length),
    averageRating: given.length ? Math.round((given.reduce((a, b) => a + b, 0) / given.length) * 100) / 100 : null,
  };
}

/** Groups questions by a dimension and computes each group's figures, largest first (days in order). */
export function figuresBy(
  dim: SlaDimension,
  rows: readonly QuestionRow[],
  ratings: ReadonlyMap<number, number>,
  now: number,
  timezone: string,
  names: { staff: ReadonlyMap<string, string>; groups: ReadonlyMap<string, string> },
): SlaFigures[] {
  const keyOf = (q: QuestionRow): [string, string] => {
    switch (dim) {
      case 'group':
        return q.roomId ? [q.roomId, names.groups.get(q.roomId) ?? (q.conversationName || q.roomId)] : ['private', '私聊'];
      case 'store':
        return [q.storeCode ?? '-', q.storeCode ?? '(no store)'];
      case 'guide':
        return [q.guideCode ?? '-', q.guideCode ? (names.staff.get(q.guideCode) ?? q.guideCode) : '(no guide)'];
      case 'day': {
        const d = localDate(new Date(q.openedAt), timezone);
        return [d, d];
      }
    }
  };
  const buckets = new Map<string, { label: string; rows: QuestionRow[] }>();
  for (const q of rows) {
    const [k, label] = keyOf(q);
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = { label, rows: [] }));
    b.rows.push(q);
  }
  const out = [...buckets].map(([k, b]) => figuresOf(k, b.label, b.rows, ratings, now));
  return dim === 'day' ? out.sort((a, b) => a.key.localeCompare(b.key)) : out.sort((a, b) => b.questions - a.questions || a.key.localeCompare(b.key));
}

/**
 * The SLA report of the questions opened on local days `from` to `to` (both included, `YYYY-MM-DD` in
 * `timezone`), judged at `now`: what the CLI prints and the console charts.
 * @example slaReport(db, { from: '2026-11-01', to: '2026-11-30', timezone: 'Asia/Shanghai', now: Date.now() })
 */
export function slaReport(db: Db, opts: { from: string; to: string; timezone: string; now: number; store?: string | null }): SlaReport {
  const repo = new SlaRepo(db);
  const start = dayStart(opts.from, opts.timezone);
  const end = dayStart(nextDay(opts.to), opts.timezone);
  let rows = repo.openedBetween(start, end);
  if (opts.store) rows = rows.filter((q) => q.storeCode === opts.store);
  const ratings = new Map(repo.ratingsBetween(start, end).map((r) => [r.questionId, r.rating]));
  const names = repo.names();
  const by = Object.fromEntries(SLA_DIMENSIONS.map((d) => [d, figuresBy(d, rows, ratings, opts.now, opts.timezone, names)])) as Record<SlaDimension, SlaFigures[]>;
  return {
    from: opts.from,
    to: opts.to,
    timezone: opts.timezone,
    asOf: opts.now,
    total: figuresOf('total', 'total', rows, ratings, opts.now),
    by,
  };
}

function dayStart(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedTime(y, m, d, 0, 0, tz).getTime();
}

const nextDay = nextDate;

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const num = (n: number | null) => (n === null ? '-' : String(n));

/** The report as text tables (one per dimension). */
export function renderSlaReport(r: SlaReport): string {
  const head = ['', 'questions', 'answered', '1st-resp', 'in-target', 'timeouts', 'escalated', 'unrouted', 'backlog', 'p50 min', 'p90 min', 'p50 raw', 'p90 raw', 'satisfied'];
  const line = (f: SlaFigures) => [
    f.label,
    String(f.questions),
    String(f.answered),
    pct(f.firstResponseRate),
    pct(f.withinTargetRate),
    String(f.timeouts),
    String(f.escalated),
    String(f.unrouted),
    `${f.backlog} (${pct(f.backlogRate)})`,
    num(f.p50BusinessMinutes),
    num(f.p90BusinessMinutes),
    num(f.p50RawMinutes),
    num(f.p90RawMinutes),
    f.ratings ? `${pct(f.satisfactionRate)} of ${f.ratings}` : '-',
  ];
  const table = (title: string, rows: SlaFigures[]) => {
    const cells = [head, ...rows.map(line)];
    const widths = head.map((_, i) => Math.max(...cells.map((c) => width(c[i]!))));
    return [title, ...cells.map((c) => c.map((v, i) => (i === 0 ? pad(v, widths[i]!) : v.padStart(widths[i]!))).join('  '))].join('\n');
  };
  return [
    `SLA ${r.from} to ${r.to} (${r.timezone}), open questions judged at ${formatLocal(r.asOf, r.timezone, 'second')}; minutes are business time unless "raw"`,
    table('total', [r.total]),
    ...SLA_DIMENSIONS.map((d) => table(`by ${d}`, r.by[d])),
  ].join('\n\n');
}

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const c of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(c) ? 2 : 1;
  return w;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}
