import { localDate } from '../core/time.js';
import { fill } from '../core/template.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { atLocalTime, keys, type GuideJobDeps } from './cards.jobs.js';
import { missingText } from './checkin.rules.js';
import type { DayRow, StaffRow } from './guide-sop.repo.js';
import { isComplete, rankingText, statsByGuide, summaryText } from './progress.rules.js';
import { addDays } from './selection.rules.js';

/**
 * The evening side of the routine: the nudge (guides who are behind), the store managers' summary and
 * the weekly ranking. Each run only enqueues, with deterministic keys, so a slot run twice sends once.
 */

const CHUNK = 1000;
const HOUR = 3_600_000;
/** A ranking looks this far back for streaks. */
const STREAK_LOOKBACK_DAYS = 90;

async function enqueueChunked(deps: GuideJobDeps, reqs: EnqueueRequest[]): Promise<void> {
  for (let i = 0; i < reqs.length; i += CHUNK) await deps.outbox.enqueueMany(reqs.slice(i, i + CHUNK));
}

function groupByStore(days: readonly DayRow[]): Map<string, DayRow[]> {
  const out = new Map<string, DayRow[]>();
  for (const d of days) {
    const k = d.storeCode ?? '';
    const list = out.get(k) ?? [];
    list.push(d);
    out.set(k, list);
  }
  return out;
}

/**
 * At the nudge time: one short reminder to each guide whose card is not done (`guide-nudge:<date>:<code>`).
 * Nobody who is done hears anything. Expires at the summary time.
 */
export async function runNudges(deps: GuideJobDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const date = localDate(slot, deps.timezone);
  const guides = new Map(deps.repo.activeGuides().map((g) => [g.code, g]));
  const expiresAt = atLocalTime(slot, pb.times.summary, deps.timezone);
  const reqs: EnqueueRequest[] = [];
  for (const day of deps.repo.daysOn(date)) {
    const g = guides.get(day.guideCode);
    if (!g?.contactId || isComplete(day)) continue;
    reqs.push({
      key: keys.nudge(date, g.code),
      target: { kind: 'contact', id: g.contactId },
      purpose: 'staff-prompt',
      expiresAt,
      content: { kind: 'text', text: fill(pb.texts.nudge, { name: g.name, done: day.done, total: day.total, missing: missingText(day.ticks, day.quotas) }) },
    });
  }
  await enqueueChunked(deps, reqs);
  deps.logger.info({ date, nudged: reqs.length }, 'guide nudges queued');
  return reqs.length;
}

/**
 * At the summary time: each store manager gets one message with each guide's x/y, who is done, who
 * is not, who is off, and the store's rate (`guide-summary:<date>:<managerCode>`), from the records.
 */
export async function runSummaries(deps: GuideJobDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const date = localDate(slot, deps.timezone);
  const names = deps.repo.staffLabels();
  const reqs: EnqueueRequest[] = [];
  for (const [store, days] of groupByStore(deps.repo.daysOn(date))) {
    if (!store) continue;
    const managers = deps.repo.managers(store);
    if (managers.length === 0) {
      deps.logger.warn({ store, date }, 'no store manager with a contact: the guide summary has no one to go to');
      continue;
    }
    const withCard = new Set(days.map((d) => d.guideCode));
    const off = deps.repo
      .storeGuides(store)
      .filter((g) => !withCard.has(g.code))
      .map((g) => names.get(g.code) ?? g.name);
    const text = summaryText(
      {
        storeName: deps.repo.storeName(store),
        date,
        guides: days.map((d) => ({ name: names.get(d.guideCode) ?? d.guideCode, done: d.done, total: d.total })),
        off,
      },
      pb.texts,
    );
    for (const m of managers) {
      reqs.push({
        key: keys.summary(date, m.code),
        target: { kind: 'contact', id: m.contactId! },
        purpose: 'staff-prompt',
        expiresAt: slot.getTime() + 12 * HOUR,
        content: { kind: 'text', text },
      });
    }
  }
  await enqueueChunked(deps, reqs);
  deps.logger.info({ date, summaries: reqs.length }, 'guide summaries queued');
  return reqs.length;
}

/**
 * Weekly: a ranking per store (completion rate, streaks) over the 7 days ending on the slot's day, to
 * the store's staff group named in the playbook or else its managers
 * (`guide-ranking:<weekEnd>:<store>:<target>`).
 */
export async function runRankings(deps: GuideJobDeps, slot: Date): Promise<number> {
  const pb = deps.playbook();
  const to = localDate(slot, deps.timezone);
  const from = addDays(to, -6);
  const reqs: EnqueueRequest[] = [];
  const names = deps.repo.staffLabels();
  const stores = new Set(
    deps.repo
      .activeGuides()
      .map((g) => g.storeCode)
      .filter((s): s is string => Boolean(s)),
  );
  for (const store of stores) {
    const records = deps.repo.storeRecords(store, addDays(to, -STREAK_LOOKBACK_DAYS), to);
    const stats = statsByGuide(records, from, to);
    const guides: StaffRow[] = deps.repo.storeGuides(store);
    const rows = guides.flatMap((g) => {
      const s = stats.get(g.code);
      return s && s.workdays > 0 ? [{ ...s, name: names.get(g.code) ?? g.name }] : [];
    });
    if (rows.length === 0) continue;
    const text = rankingText({ storeName: deps.repo.storeName(store), from, to, guides: rows }, pb.texts);
    const room = pb.ranking.sendTo === 'rooms' ? pb.ranking.rooms[store] : undefined;
    const targets = room ? [{ kind: 'room' as const, id: room }] : deps.repo.managers(store).map((m) => ({ kind: 'contact' as const, id: m.contactId! }));
    for (const target of targets) {
      reqs.push({ key: keys.ranking(to, store, target.id), target, purpose: 'staff-prompt', expiresAt: slot.getTime() + 12 * HOUR, content: { kind: 'text', text } });
    }
  }
  await enqueueChunked(deps, reqs);
  deps.logger.info({ from, to, rankings: reqs.length }, 'guide weekly rankings queued');
  return reqs.length;
}
