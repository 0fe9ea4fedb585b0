import { staffLabels } from '../core/people.js';
import type { Db } from '../platform/db/client.js';
import { popcount } from './checkin.rules.js';
import { GuideSopRepo } from './guide-sop.repo.js';
import { percent, statsByGuide, storeRate } from './progress.rules.js';
import { addDays } from './selection.rules.js';

/**
 * Completion of the 3+3+3 routine by guide, store and day over a date range, from the daily records
 * (`guide_days`). The CLI prints it as tables; the console will chart the same data.
 */

/** Figures shared by every row. `rate` = items done / items due. */
export interface Completion {
  /** Cards (guide-days). */
  cards: number;
  /** Cards fully done. */
  completed: number;
  done: number;
  total: number;
  rate: number;
  moments: { done: number; due: number };
  chats: { done: number; due: number };
  groups: { done: number; due: number };
}

export interface GuideRow extends Completion {
  guideCode: string;
  name: string;
  /** The name as operators read it: with the 工号 or store when another staff member has the same name. */
  label: string;
  storeCode: string | null;
  /** Consecutive completed cards up to `to`. */
  streak: number;
}
export interface StoreRow extends Completion {
  storeCode: string | null;
  storeName: string;
  guides: number;
}
export interface DayRowReport extends Completion {
  date: string;
  storeCode: string | null;
}

export interface GuideReport {
  from: string;
  to: string;
  store: string | null;
  byGuide: GuideRow[];
  byStore: StoreRow[];
  byDay: DayRowReport[];
  overall: Completion;
}

const STREAK_LOOKBACK_DAYS = 90;

type Rec = ReturnType<GuideSopRepo['recordsBetween']>[number];

function completion(recs: readonly Rec[]): Completion {
  const c: Completion = {
    cards: recs.length,
    completed: 0,
    done: 0,
    total: 0,
    rate: 0,
    moments: { done: 0, due: 0 },
    chats: { done: 0, due: 0 },
    groups: { done: 0, due: 0 },
  };
  for (const r of recs) {
    if (r.done >= r.total) c.completed++;
    c.done += Math.min(r.done, r.total);
    c.total += r.total;
    c.moments.due += r.momentsQuota;
    c.moments.done += Math.min(popcount(r.momentsDone), r.momentsQuota);
    c.chats.due += r.chatsQuota;
    c.chats.done += Math.min(popcount(r.chatsDone), r.chatsQuota);
    c.groups.due += r.groupsQuota;
    c.groups.done += Math.min(popcount(r.groupsDone), r.groupsQuota);
  }
  c.rate = storeRate([c]).rate;
  return c;
}

function groupBy<K>(recs: readonly Rec[], key: (r: Rec) => K): Map<K, Rec[]> {
  const out = new Map<K, Rec[]>();
  for (const r of recs) {
    const k = key(r);
    const list = out.get(k) ?? [];
    list.push(r);
    out.set(k, list);
  }
  return out;
}

/**
 * The report over [from, to] (local dates, inclusive), optionally for one store.
 * @example guideReport(db, { from: '2026-11-01', to: '2026-11-30' }).byStore
 */
export function guideReport(db: Db, opts: { from: string; to: string; store?: string | null }): GuideReport {
  const repo = new GuideSopRepo(db);
  const store = opts.store ?? null;
  const all = repo.recordsBetween(addDays(opts.from, -STREAK_LOOKBACK_DAYS), opts.to).filter((r) => store === null || r.storeCode === store);
  const recs = all.filter((r) => r.date >= opts.from);
  const names = new Map((db.$client.prepare('select code, name from staff').all() as { code: string; name: string }[]).map((s) => [s.code, s.name]));
  const labels = staffLabels(db);
  const streaks = statsByGuide(all, opts.from, opts.to);
  const byGuide = [...groupBy(recs, (r) => r.guideCode)]
    .map(([guideCode, list]): GuideRow => ({
      guideCode,
      name: names.get(guideCode) ?? guideCode,
      label: labels.get(guideCode) ?? guideCode,
      storeCode: list[0]!.storeCode,
      streak: streaks.get(guideCode)?.streak ?? 0,
      ...completion(list),
    }))
    .sort((a, b) => (a.storeCode ?? '').localeCompare(b.storeCode ?? '') || b.rate - a.rate || a.guideCode.localeCompare(b.guideCode));
  const byStore = [...groupBy(recs, (r) => r.storeCode)]
    .map(([storeCode, list]): StoreRow => ({
      storeCode,
      storeName: repo.storeName(storeCode),
      guides: new Set(list.map((r) => r.guideCode)).size,
      ...completion(list),
    }))
    .sort((a, b) => (a.storeCode ?? '').localeCompare(b.storeCode ?? ''));
  const byDay = [...groupBy(recs, (r) => `${r.date}|${r.storeCode ?? ''}`)]
    .map(([, list]): DayRowReport => ({
      date: list[0]!.date,
      storeCode: list[0]!.storeCode,
      ...completion(list),
    }))
    .sort((a, b) => a.date.localeCompare(b.date) || (a.storeCode ?? '').localeCompare(b.storeCode ?? ''));
  return { from: opts.from, to: opts.to, store, byGuide, byStore, byDay, overall: completion(recs) };
}

/** Display width of a string (CJK characters take two columns). */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

/** A plain-text table with aligned columns (numbers right-aligned). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.,%/ -]*$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - width(c));
        return numeric[i] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const frac = (x: { done: number; due: number }) => `${x.done}/${x.due}`;

/** The report as readable tables: by store, by guide, by day. */
export function renderGuideReport(r: GuideReport): string {
  const head =
    `3+3+3 completion ${r.from} – ${r.to}${r.store ? ` (store ${r.store})` : ''}: ${r.overall.cards} cards, ` +
    `${r.overall.completed} completed, items ${r.overall.done}/${r.overall.total} = ${percent(r.overall.rate)}`;
  if (r.overall.cards === 0) return `${head}\nNo cards in this range.`;
  return [
    head,
    '',
    'By store',
    table(
      ['store', 'name', 'guides', 'cards', 'completed', 'items', 'rate', 'moments', 'chats', 'groups'],
      r.byStore.map((s) => [
        s.storeCode ?? '-',
        s.storeName,
        String(s.guides),
        String(s.cards),
        String(s.completed),
        `${s.done}/${s.total}`,
        percent(s.rate),
        frac(s.moments),
        frac(s.chats),
        frac(s.groups),
      ]),
    ),
    '',
    'By guide',
    table(
      ['store', 'guide', 'name', 'cards', 'completed', 'items', 'rate', 'streak', 'moments', 'chats', 'groups'],
      r.byGuide.map((g) => [
        g.storeCode ?? '-',
        g.guideCode,
        g.name,
        String(g.cards),
        String(g.completed),
        `${g.done}/${g.total}`,
        percent(g.rate),
        String(g.streak),
        frac(g.moments),
        frac(g.chats),
        frac(g.groups),
      ]),
    ),
    '',
    'By day',
    table(
      ['date', 'store', 'cards', 'completed', 'items', 'rate'],
      r.byDay.map((d) => [d.date, d.storeCode ?? '-', String(d.cards), String(d.completed), `${d.done}/${d.total}`, percent(d.rate)]),
    ),
  ].join('\n');
}
