import { CronExpressionParser } from 'cron-parser';
import { seededRandom as seededFromNumber } from '../core/random.js';
import { localParts, zonedTime } from '../core/time.js';
import type { CampaignDef } from './campaign.file.js';

const MINUTE = 60_000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The occurrence id of a slot: local `YYYYMMDDHHmm` in `tz` (part of the outbox keys). */
export function occurrenceId(at: Date, tz: string): string {
  const p = localParts(at, tz);
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}`;
}

/** `YYYY-MM-DD HH:mm` local to an instant. */
export function parseLocal(text: string, tz: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(text)!;
  return zonedTime(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), tz);
}

/**
 * The slot of a campaign due at `now`: the latest slot at or before `now` and not older than
 * `lookbackMs` (so a tick that ran late, or a catch-up after a restart, still plans it), and before
 * the end. Null when none is due. Whether it was already planned is the caller's question.
 * @example dueSlot(def, new Date('2026-11-27T02:00:30Z'), 'Asia/Shanghai', 600_000) // Friday 10:00 Shanghai
 */
export function dueSlot(def: Pick<CampaignDef, 'schedule' | 'endsAt'>, now: Date, tz: string, lookbackMs: number): Date | null {
  let slot: Date | null = null;
  if (def.schedule.at !== undefined) slot = parseLocal(def.schedule.at, tz);
  else if (def.schedule.cron !== undefined) {
    try {
      slot = CronExpressionParser.parse(def.schedule.cron, { tz, currentDate: new Date(now.getTime() + 1) })
        .prev()
        .toDate();
    } catch {
      return null;
    }
  }
  if (!slot || slot.getTime() > now.getTime() || now.getTime() - slot.getTime() > lookbackMs) return null;
  if (def.endsAt !== undefined && slot.getTime() >= parseLocal(def.endsAt, tz).getTime()) return null;
  return slot;
}

/** The next slot strictly after `now` (before the end), or null: a campaign with none left is done. */
export function nextSlot(def: Pick<CampaignDef, 'schedule' | 'endsAt'>, now: Date, tz: string): Date | null {
  let slot: Date | null = null;
  if (def.schedule.at !== undefined) {
    const at = parseLocal(def.schedule.at, tz);
    slot = at.getTime() > now.getTime() ? at : null;
  } else if (def.schedule.cron !== undefined) {
    try {
      slot = CronExpressionParser.parse(def.schedule.cron, { tz, currentDate: now }).next().toDate();
    } catch {
      return null;
    }
  }
  if (slot && def.endsAt !== undefined && slot.getTime() >= parseLocal(def.endsAt, tz).getTime()) return null;
  return slot;
}

/** The window of an occurrence: sends spread until `windowEnd`; not sent by `expiresAt` → expired. */
export function occurrenceWindow(def: Pick<CampaignDef, 'spreadMinutes' | 'expireAfterMinutes' | 'endsAt'>, at: Date, tz: string): { windowEnd: number; expiresAt: number } {
  const windowEnd = at.getTime() + def.spreadMinutes * MINUTE;
  let expiresAt = windowEnd + def.expireAfterMinutes * MINUTE;
  if (def.endsAt !== undefined) expiresAt = Math.max(windowEnd + MINUTE, Math.min(expiresAt, parseLocal(def.endsAt, tz).getTime()));
  return { windowEnd, expiresAt };
}

/** A small deterministic PRNG (mulberry32) seeded from a string, so a re-plan gives the same order. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return seededFromNumber(h);
}

/**
 * Spreads `n` sends over [from, to): a random order (Fisher–Yates with `random`), then evenly spaced
 * instants, so the first goes at `from` and none at or after `to`. Returns, per input index, its instant.
 * @example spread(3, 0, 30_000, () => 0.5) // three instants 10 s apart, in shuffled order
 */
export function spread(n: number, from: number, to: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const step = n > 0 ? Math.max(0, to - from) / n : 0;
  const out = new Array<number>(n);
  order.forEach((idx, pos) => {
    out[idx] = Math.floor(from + pos * step);
  });
  return out;
}
