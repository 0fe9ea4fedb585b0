import { fill } from '../core/template.js';
import { dateText } from './card.rules.js';
import type { GuidePlaybook } from './playbook.js';
import { addDays, weekdayOf } from './selection.rules.js';

/**
 * Progress over days: streaks, the week, rankings and the managers' summary. Pure: rows in, figures
 * and texts out.
 */

/** One guide's record of one day (a `guide_days` row, reduced). */
export interface DayRecord {
  date: string;
  guideCode: string;
  done: number;
  total: number;
}

export const isComplete = (r: Pick<DayRecord, 'done' | 'total'>) => r.done >= r.total;

/** `0.856` → `86%`. */
export const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Consecutive completed card days up to `today`, newest first. Days without a card (days off) do not
 * break a streak; today counts once complete and, while still open, does not break it either.
 */
export function streak(records: readonly DayRecord[], today: string): number {
  const sorted = records.filter((r) => r.date <= today).sort((a, b) => (a.date < b.date ? 1 : -1));
  let n = 0;
  for (const [i, r] of sorted.entries()) {
    if (isComplete(r)) n++;
    else if (i === 0 && r.date === today) continue;
    else break;
  }
  return n;
}

/** The first day of the week that ends on the ranking weekday and contains `date`. */
export function weekStart(date: string, rankingWeekday: number): string {
  const back = (weekdayOf(date) - ((rankingWeekday + 1) % 7) + 7) % 7;
  return addDays(date, -back);
}

/** A guide's figures over a period. */
export interface GuideStats {
  guideCode: string;
  /** Days with a card. */
  workdays: number;
  /** Days completed. */
  days: number;
  done: number;
  total: number;
  rate: number;
  streak: number;
}

/** Figures per guide from their records in [from, to]; the streak looks back over every record given. */
export function statsByGuide(records: readonly DayRecord[], from: string, to: string): Map<string, GuideStats> {
  const byGuide = new Map<string, DayRecord[]>();
  for (const r of records) {
    const list = byGuide.get(r.guideCode) ?? [];
    list.push(r);
    byGuide.set(r.guideCode, list);
  }
  const out = new Map<string, GuideStats>();
  for (const [guideCode, list] of byGuide) {
    const inRange = list.filter((r) => r.date >= from && r.date <= to);
    const done = inRange.reduce((s, r) => s + Math.min(r.done, r.total), 0);
    const total = inRange.reduce((s, r) => s + r.total, 0);
    out.set(guideCode, {
      guideCode,
      workdays: inRange.length,
      days: inRange.filter(isComplete).length,
      done,
      total,
      rate: total ? done / total : 0,
      streak: streak(list, to),
    });
  }
  return out;
}

/** Ranking order: completion rate, then streak, then items done, then the code (stable). */
export function rank<T extends GuideStats>(stats: readonly T[]): T[] {
  return [...stats].sort((a, b) => b.rate - a.rate || b.streak - a.streak || b.done - a.done || (a.guideCode < b.guideCode ? -1 : 1));
}

/** The store's rate: items done over items due, across its guides. */
export function storeRate(stats: readonly Pick<GuideStats, 'done' | 'total'>[]): { done: number; total: number; rate: number } {
  const done = stats.reduce((s, x) => s + x.done, 0);
  const total = stats.reduce((s, x) => s + x.total, 0);
  return { done, total, rate: total ? done / total : 0 };
}

/** The store manager's evening summary. `off`: guides of the store with no card today. */
export function summaryText(
  input: {
    storeName: string;
    date: string;
    guides: { name: string; done: number; total: number }[];
    off: string[];
  },
  texts: GuidePlaybook['texts'],
): string {
  const finished = input.guides.filter(isComplete);
  const unfinished = input.guides.filter((g) => !isComplete(g)).sort((a, b) => a.done / a.total - b.done / b.total);
  const line = (g: { name: string; done: number; total: number }) => fill(texts.summaryGuide, { name: g.name, done: Math.min(g.done, g.total), total: g.total });
  const s = storeRate(input.guides.map((g) => ({ done: Math.min(g.done, g.total), total: g.total })));
  return fill(texts.summary, {
    store: input.storeName,
    date: dateText(input.date),
    rate: percent(s.rate),
    done: s.done,
    total: s.total,
    finished: finished.length ? finished.map(line).join('、') : texts.summaryNone,
    unfinished: unfinished.length ? unfinished.map(line).join('、') : texts.summaryNone,
    off: input.off.length ? fill(texts.summaryOff, { names: input.off.join('、') }) : '',
  });
}

/** The weekly ranking of one store. */
export function rankingText(
  input: {
    storeName: string;
    from: string;
    to: string;
    guides: (GuideStats & { name: string })[];
  },
  texts: GuidePlaybook['texts'],
): string {
  const ranked = rank(input.guides);
  const lines = ranked.map((g, i) => fill(texts.rankingLine, { rank: i + 1, name: g.name, rate: percent(g.rate), streak: g.streak, days: g.days, workdays: g.workdays }));
  return fill(texts.ranking, {
    store: input.storeName,
    from: dateText(input.from),
    to: dateText(input.to),
    lines: lines.join('\n'),
    rate: percent(storeRate(ranked).rate),
  });
}

/** `我的进度`: today's line (or "no card") and the week with the guide's place in the store. */
export function myProgressText(
  input: {
    today: string | null;
    me: GuideStats | undefined;
    storeStats: readonly GuideStats[];
  },
  texts: GuidePlaybook['texts'],
): string {
  const ranked = rank(input.storeStats);
  const place = input.me ? ranked.findIndex((s) => s.guideCode === input.me!.guideCode) + 1 : 0;
  const me = input.me;
  return fill(texts.progress, {
    today: input.today ?? texts.progressNoCard,
    days: me?.days ?? 0,
    workdays: me?.workdays ?? 0,
    rate: percent(me?.rate ?? 0),
    streak: me?.streak ?? 0,
    rank: place || '-',
    of: ranked.length,
  });
}
