import { inWindow, windowEnd, type DailyWindow } from '../core/time.js';
import type { GroupFacts } from './audience.rules.js';
import type { CampaignDef, CampaignProblem } from './campaign.file.js';
import { nextSlot, parseLocal } from './schedule.rules.js';

/**
 * The checks of a campaign against the world it will run in (the known groups, the clock, quiet
 * hours), after the shape checks of `checkCampaign`. Pure: the directory, `now` and the policy are given.
 * Problems refuse the campaign; warnings are shown and the campaign is stored.
 */

/** What the world checks need. */
export interface WorldFacts {
  /** The groups the store knows (imported or seen by the bot). */
  groups: readonly GroupFacts[];
  now: Date;
  timezone: string;
  /** Marketing quiet hours (config QUIET_HOURS); absent: no quiet-hours warning. */
  quietHours?: DailyWindow;
}

export interface WorldCheck {
  problems: CampaignProblem[];
  warnings: CampaignProblem[];
}

/** Slots of a recurring campaign looked at for the quiet-hours warning. */
const SLOTS_LOOKED_AT = 6;
/** Known values listed in a message at most. */
const LIST_AT_MOST = 8;

/** Edit distance (Levenshtein), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known value nearest to `given` (case-insensitive), when it is reasonably near. */
export function nearest(given: string, known: readonly string[]): string | undefined {
  const g = given.toLowerCase();
  let best: { v: string; d: number } | undefined;
  for (const v of known) {
    const k = v.toLowerCase();
    const d = k.includes(g) || g.includes(k) ? Math.abs(k.length - g.length) / 4 : editDistance(g, k);
    if (!best || d < best.d) best = { v, d };
  }
  return best && best.d <= Math.max(2, Math.ceil(given.length / 3)) ? best.v : undefined;
}

const fmtLocal = (at: Date, tz: string) => at.toLocaleString('sv-SE', { timeZone: tz }).slice(0, 16);
const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const some = (xs: readonly string[]) => (xs.length > LIST_AT_MOST ? [...xs.slice(0, LIST_AT_MOST), `… (${xs.length} in all)`] : [...xs]);

/** Unknown group ids, and stores or tags no known group has. */
function checkGroups(a: NonNullable<CampaignDef['audience']['groups']>, groups: readonly GroupFacts[]): CampaignProblem[] {
  const out: CampaignProblem[] = [];
  const none = groups.length === 0 ? ' (no group is known yet: import groups, or let the bot see them)' : '';
  const ids = groups.map((g) => g.roomId);
  const byName = new Map(groups.map((g) => [g.name, g.roomId]));
  const label = (id: string) => {
    const g = groups.find((x) => x.roomId === id);
    return g ? `"${id}" (${g.name})` : `"${id}"`;
  };
  (['list', 'exclude'] as const).forEach((key) => {
    (a[key] ?? []).forEach((id, i) => {
      if (ids.includes(id)) return;
      const nameNear = nearest(id, [...byName.keys()]);
      const near = byName.get(id) ?? nearest(id, ids) ?? (nameNear === undefined ? undefined : byName.get(nameNear));
      out.push({
        path: `audience.groups.${key}[${i}]`,
        message: `unknown group "${id}"${near ? `; did you mean ${label(near)}?` : ''}${none}`,
        allowed: some(groups.map((g) => `${g.roomId} (${g.name})`)),
      });
    });
  });
  const stores = [...new Set(groups.map((g) => g.storeCode).filter((s): s is string => s !== null))].sort();
  (a.stores ?? []).forEach((s, i) => {
    if (stores.includes(s)) return;
    const near = nearest(s, stores);
    out.push({ path: `audience.groups.stores[${i}]`, message: `no known group belongs to store "${s}"${near ? `; did you mean "${near}"?` : ''}${none}`, allowed: some(stores) });
  });
  const tags = [...new Set(groups.flatMap((g) => g.tags))].sort();
  (a.tags ?? []).forEach((t, i) => {
    if (tags.includes(t)) return;
    const near = nearest(t, tags);
    out.push({ path: `audience.groups.tags[${i}]`, message: `no known group carries the tag "${t}"${near ? `; did you mean "${near}"?` : ''}${none}`, allowed: some(tags) });
  });
  return out;
}

/** A one-off time or an end already past. */
function checkTimes(def: CampaignDef, now: Date, tz: string): CampaignProblem[] {
  const out: CampaignProblem[] = [];
  const nowText = `${fmtLocal(now, tz)} ${tz}`;
  if (def.schedule.at !== undefined && parseLocal(def.schedule.at, tz).getTime() <= now.getTime()) {
    out.push({ path: 'schedule.at', message: `"${def.schedule.at}" is in the past (now ${nowText}); give a later time, or run it now instead` });
  }
  if (def.endsAt !== undefined && parseLocal(def.endsAt, tz).getTime() <= now.getTime()) {
    out.push({ path: 'endsAt', message: `"${def.endsAt}" is in the past (now ${nowText}); the campaign would never send` });
  }
  return out;
}

/**
 * Slots whose sends fall in quiet hours, each with when its messages actually go: quiet hours defer
 * marketing messages to their end, never drop them.
 */
function checkQuietHours(def: CampaignDef, now: Date, tz: string, quiet: DailyWindow): CampaignProblem[] {
  const window = `${clock(quiet.startMinute)}–${clock(quiet.endMinute)}`;
  const path = def.schedule.at !== undefined ? 'schedule.at' : 'schedule.cron';
  const slots: Date[] = [];
  let from = now;
  for (let i = 0; i < SLOTS_LOOKED_AT; i++) {
    const s = nextSlot(def, from, tz);
    if (!s) break;
    slots.push(s);
    from = s;
  }
  const spreadMs = def.spreadMinutes * 60_000;
  const hits: string[] = [];
  let partly = false;
  for (const s of slots) {
    const last = new Date(s.getTime() + Math.max(0, spreadMs - 60_000));
    if (inWindow(s, quiet, tz)) hits.push(`${fmtLocal(s, tz)} → ${fmtLocal(windowEnd(s, quiet, tz), tz)}`);
    else if (spreadMs > 0 && inWindow(last, quiet, tz)) {
      partly = true;
      hits.push(`${fmtLocal(s, tz)} (the part of its ${def.spreadMinutes}-minute spread after ${clock(quiet.startMinute)}) → ${fmtLocal(windowEnd(last, quiet, tz), tz)}`);
    }
  }
  if (hits.length === 0) return [];
  const every = def.schedule.cron !== undefined && hits.length === slots.length;
  return [
    {
      path,
      message:
        `${every ? 'every slot falls in' : def.schedule.cron !== undefined ? 'some slots fall in' : partly ? 'the spread reaches' : 'the slot falls in'} quiet hours (${window} ${tz}); ` +
        `those messages are held and go when quiet hours end: ${hits.join('; ')}`,
    },
  ];
}

/**
 * Checks a valid campaign against the world: named groups must exist (with the nearest known one
 * suggested), stores and tags must select some known group, a one-off time and an end must be in the
 * future (named groups are only warned about while no group is known at all); warns when a slot (or its spread) falls in quiet hours, with when the messages will go.
 * @example checkWorld(def, { groups, now, timezone: 'Asia/Shanghai', quietHours }) // { problems: [], warnings: [...] }
 */
export function checkWorld(def: CampaignDef, w: WorldFacts): WorldCheck {
  const groupProblems = def.audience.groups ? checkGroups(def.audience.groups, w.groups) : [];
  // No group known at all (before the first import, or before the bot saw its groups): nothing to
  // compare with, so the groups are warned about rather than refused.
  const directoryEmpty = w.groups.length === 0;
  const problems = [...(directoryEmpty ? [] : groupProblems), ...checkTimes(def, w.now, w.timezone)];
  const warnings = [...(directoryEmpty ? groupProblems : [])];
  if (w.quietHours && problems.length === 0) warnings.push(...checkQuietHours(def, w.now, w.timezone, w.quietHours));
  return { problems, warnings };
}
