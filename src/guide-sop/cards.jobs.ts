import path from 'node:path';
import type { CardSuggestions } from '../core/card-suggestions.js';
import type { Logger } from '../core/logger.js';
import { localDate, localParts, zonedTime } from '../core/time.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { renderCard, type CardPlan } from './card.rules.js';
import type { GuideSopRepo, NewDay, StaffRow } from './guide-sop.repo.js';
import { imageSource, minutesOf, type GuidePlaybook } from './playbook.js';
import type { SelectionRepo } from './selection.repo.js';
import { isWorkingDay, mergePicks, momentsFor, pickGroups, suggestionsAt, withSuggestions, type ChatPick, type GroupFacts } from './selection.rules.js';

/** What the routines need. */
export interface GuideJobDeps {
  repo: GuideSopRepo;
  selection: SelectionRepo;
  outbox: { enqueueMany(reqs: EnqueueRequest[]): Promise<unknown> };
  timezone: string;
  playbook: () => GuidePlaybook;
  logger: Logger;
  /** Chat suggestions from other capabilities (the wake-up's), when the app has a board. */
  suggestions?: Pick<CardSuggestions, 'forDate'>;
}

const CHUNK = 1000;

/** Deterministic outbox keys: the same card, nudge or summary twice is one message. */
export const keys = {
  card: (date: string, guide: string) => `guide-card:${date}:${guide}`,
  nudge: (date: string, guide: string) => `guide-nudge:${date}:${guide}`,
  summary: (date: string, manager: string) => `guide-summary:${date}:${manager}`,
  ranking: (weekEnd: string, store: string, target: string) => `guide-ranking:${weekEnd}:${store}:${target}`,
  reply: (messageId: string) => `guide-reply:${messageId}`,
};

/**
 * The images of the card's Moments posts, one message each right after the card (same purpose, so
 * they follow it in the queue), keyed `guide-card:<date>:<guide>:img:<post>:<image>`, so the guide
 * can save them and post.
 */
export function momentImages(plan: CardPlan, date: string, guideCode: string, contactId: string, expiresAt: number, calendarFile: string): EnqueueRequest[] {
  return plan.moments.slice(0, plan.quotas.moments).flatMap((post, i) =>
    post.images.map((image, j): EnqueueRequest => ({
      key: `${keys.card(date, guideCode)}:img:${i + 1}:${j + 1}`,
      target: { kind: 'contact', id: contactId },
      purpose: 'staff-prompt',
      expiresAt,
      content: { kind: 'image', ...imageSource(image, calendarFile), name: path.basename(image.split('?')[0]!) },
    })),
  );
}

/** The instant the local clock shows `hhmm` on the local day of `at`. */
export function atLocalTime(at: Date, hhmm: string, tz: string): number {
  const p = localParts(at, tz);
  const m = minutesOf(hhmm);
  return zonedTime(p.year, p.month, p.day, Math.floor(m / 60), m % 60, tz).getTime();
}

/** Guides who get a card on `date`: active, with a contact, working that weekday, brand not closed. */
export function guidesOn(repo: GuideSopRepo, date: string, pb: GuidePlaybook): StaffRow[] {
  return repo.activeGuides().filter((g) => isWorkingDay(g.workingDays, date, pb.closedDates));
}

/**
 * Plans the cards of `guides` for `date` (members by the playbook's rules, groups by preference, the
 * day's Moments copy). Pure over what the store returned; one SQL pass per rule for all guides.
 * Suggestions from other capabilities (`deps.suggestions`, e.g. dormant members to wake up) rank
 * after the rules about something happening now (birthday, open question, recent purchase) and
 * before the general ones (silent, high value, keep in touch).
 */
export function planCards(deps: Pick<GuideJobDeps, 'selection' | 'timezone' | 'suggestions'>, guides: readonly StaffRow[], date: string, now: number, pb: GuidePlaybook): NewDay[] {
  if (guides.length === 0) return [];
  const q = pb.quotas;
  const ctx = { now, today: date, localDateOf: (at: number) => localDate(new Date(at), deps.timezone), notAgainWithinDays: pb.chats.notAgainWithinDays };
  const candidates = q.chats > 0 ? deps.selection.chatCandidates(pb.chats.rules, ctx, q.chats) : new Map<string, ChatPick[][]>();
  const suggested = q.chats > 0 && deps.suggestions ? deps.suggestions.forDate(date) : new Map<string, never[]>();
  const suggestAt = suggestionsAt(pb.chats.rules);
  const ownGroups = new Map<string, GroupFacts[]>();
  const storeGroups = new Map<string, GroupFacts[]>();
  if (q.groups > 0) {
    for (const g of deps.selection.groups(now)) {
      const map = g.guideCode ? ownGroups : storeGroups;
      const k = g.guideCode ?? g.storeCode;
      if (k === null) continue;
      const list = map.get(k) ?? [];
      list.push(g);
      map.set(k, list);
    }
  }
  const moments = momentsFor(date, q.moments, pb.calendar);
  const last = pb.chats.rules[pb.chats.rules.length - 1];
  const keep = last?.rule === 'keep-in-touch' ? last : null;
  return guides.map((g): NewDay => {
    const available = [...(ownGroups.get(g.code) ?? []), ...(g.storeCode ? (storeGroups.get(g.storeCode) ?? []) : [])];
    const groups = pickGroups(available, q.groups, pb, now);
    let picks = mergePicks(withSuggestions(candidates.get(g.code) ?? [], suggestAt, suggested.get(g.code) ?? []), q.chats);
    if (keep && picks.length < q.chats) {
      const more = deps.selection.keepInTouch(g.code, keep, ctx, q.chats + picks.length);
      picks = mergePicks([picks, more], q.chats);
    }
    const chats = picks.map(({ rank: _rank, ...c }) => c);
    const plan: CardPlan = {
      quotas: { moments: q.moments, chats: q.chats, groups: Math.min(q.groups, groups.length) },
      moments,
      chats,
      groups,
      ...(q.groups > 0 && groups.length === 0 ? { noGroups: true } : {}),
    };
    return { date, guideCode: g.code, storeCode: g.storeCode, plan };
  });
}

/**
 * The card routine for the local day of `slot`: plans the cards of guides who have none yet, records
 * them (a day already recorded is never re-planned), then enqueues one card per guide with key
 * `guide-card:<date>:<staffCode>`. Safe to run twice or in two processes: the record and the outbox
 * key make it one card.
 */
export async function runCards(deps: GuideJobDeps, slot: Date, now: number): Promise<{ date: string; planned: number; enqueued: number; images: number }> {
  const pb = deps.playbook();
  const date = localDate(slot, deps.timezone);
  const guides = guidesOn(deps.repo, date, pb);
  const already = deps.repo.plannedOn(date);
  const fresh = planCards(
    deps,
    guides.filter((g) => !already.has(g.code)),
    date,
    now,
    pb,
  );
  const inserted = fresh.length ? deps.repo.insertDays(fresh, now) : new Set<string>();
  const byGuide = new Map(guides.map((g) => [g.code, g]));
  const expiresAt = atLocalTime(slot, pb.times.summary, deps.timezone);
  let batch: EnqueueRequest[] = [];
  let enqueued = 0;
  let images = 0;
  const flush = async () => {
    if (batch.length) await deps.outbox.enqueueMany(batch);
    batch = [];
  };
  // Cards planned by this run are rendered from memory; the rest (a second run, another process) from the record.
  const days = fresh.filter((d) => inserted.has(d.guideCode));
  if (days.length < guides.length) days.push(...deps.repo.daysOn(date).filter((d) => !inserted.has(d.guideCode)));
  for (const day of days) {
    const g = byGuide.get(day.guideCode);
    if (!g?.contactId) continue;
    batch.push({
      key: keys.card(date, g.code),
      target: { kind: 'contact', id: g.contactId },
      purpose: 'staff-prompt',
      expiresAt,
      content: { kind: 'text', text: renderCard(day.plan, g.name, date, pb.texts) },
    });
    enqueued++;
    if (pb.moments.sendImages) {
      const imgs = momentImages(day.plan, date, g.code, g.contactId, expiresAt, pb.calendarFile);
      batch.push(...imgs);
      images += imgs.length;
    }
    if (batch.length >= CHUNK) await flush();
  }
  await flush();
  deps.logger.info({ date, guides: guides.length, planned: inserted.size, cards: enqueued, images }, 'guide cards planned and queued');
  return { date, planned: inserted.size, enqueued, images };
}
