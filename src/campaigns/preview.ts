import type { OutboundContent } from '../core/messages.js';
import { localParts, zonedTime, type DailyWindow } from '../core/time.js';
import { MARKETING_PURPOSES } from '../outbox/index.js';
import type { Db } from '../platform/db/client.js';
import { selectAudience, type AudienceTarget } from './audience.rules.js';
import { checkCampaign, type CampaignDef, type CampaignProblem } from './campaign.file.js';
import { CampaignsRepo } from './campaigns.repo.js';
import { capDecision, groupCaps } from './caps.rules.js';
import { renderContent } from './content.rules.js';
import { nextSlot, parseLocal } from './schedule.rules.js';
import { checkWorld } from './world-check.rules.js';

/** Why a recipient of the preview would not get the message (null: it would). */
export type RecipientState = 'ok' | 'opted-out' | 'capped' | 'unreachable';

/** What the campaign builder shows before anything is saved. */
export interface CampaignPreview {
  ok: boolean;
  /** Problems refuse saving (same validator as files, CLI and API); warnings do not. */
  problems: CampaignProblem[];
  warnings: CampaignProblem[];
  audience: {
    kind: 'groups' | 'members';
    /** Every target the audience selects now. */
    count: number;
    /** Of those, how many would get it (not opted out, not capped, reachable). */
    reachable: number;
    optedOut: number;
    capped: number;
    unreachable: number;
    /** The first few targets (by name), with whether each would get it. */
    sample: { id: string; name: string; state: RecipientState }[];
  } | null;
  /** The messages as the first reachable sample target would get them (variables filled). */
  messages: OutboundContent[];
  /** Whom `messages` were filled for. */
  sampleName: string | null;
  /** The next slots, local `YYYY-MM-DD HH:mm`. */
  nextSlots: string[];
}

export interface PreviewOptions {
  now: Date;
  timezone: string;
  quietHours?: DailyWindow;
  /** Marketing messages a member may get per local day (config MARKETING_CAP_PER_DAY). */
  marketingCapPerDay: number;
  /** Folder relative image paths resolve against. */
  baseDir?: string;
  sampleSize?: number;
  /**
   * With several accounts: the targets no enabled account reaches (Outbox.unreachableAmong); null or
   * absent: a group is unreachable when the bot has not seen it, a member when they have no contact.
   */
  unreachable?: (targets: { purpose: 'campaign'; kind: 'contact' | 'room'; id: string }[]) => Set<string> | null;
}

const fmt = (at: Date, tz: string) => at.toLocaleString('sv-SE', { timeZone: tz }).slice(0, 16);

/** The contact ids (among `ids`) that opted out of marketing. */
function optedOut(db: Db, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  const rows = db.$client.prepare('select o.contact_id from json_each(?) j join opt_outs o on o.contact_id = j.value').pluck().all(JSON.stringify(ids)) as string[];
  return new Set(rows);
}

/** Targets (among `ids`) already sent `cap` marketing messages since `since`. */
function atMemberCap(db: Db, ids: readonly string[], since: number, cap: number): Set<string> {
  if (ids.length === 0) return new Set();
  const rows = db.$client
    .prepare(
      `select o.target_id from json_each(?) j join outbox o on o.target_id = j.value
      where o.status = 'sent' and o.sent_at >= ? and o.purpose in (select value from json_each(?))
      group by o.target_id having count(*) >= ?`,
    )
    .pluck()
    .all(JSON.stringify(ids), since, JSON.stringify(MARKETING_PURPOSES), cap) as string[];
  return new Set(rows);
}

/** Room ids (among `ids`) the bot has seen (it is in them). */
function seenRooms(db: Db, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  return new Set(db.$client.prepare('select r.id from json_each(?) j join rooms r on r.id = j.value').pluck().all(JSON.stringify(ids)) as string[]);
}

/**
 * Validates a campaign as the builder edits it (the one validator, plus the world checks) and shows
 * what it would do: how many it reaches, a sample of recipients, how many are opted out, capped or
 * unreachable, the messages filled for a sample recipient, and the next slots. Stores nothing.
 * @example previewCampaign(db, body, { now, timezone: 'Asia/Shanghai', marketingCapPerDay: 1 })
 */
export function previewCampaign(db: Db, raw: unknown, o: PreviewOptions): CampaignPreview {
  const empty: CampaignPreview = { ok: false, problems: [], warnings: [], audience: null, messages: [], sampleName: null, nextSlots: [] };
  // The builder may preview before an id is chosen.
  const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) && (raw as { id?: unknown }).id === undefined ? { ...raw, id: 'preview' } : raw;
  const checked = checkCampaign(body, { baseDir: o.baseDir });
  if (!checked.ok) return { ...empty, problems: checked.problems };
  const def = checked.def;
  const repo = new CampaignsRepo(db);
  const groups = def.audience.groups ? repo.groupFacts() : [];
  const world = checkWorld(def, { groups, now: o.now, timezone: o.timezone, quietHours: o.quietHours });
  const tz = o.timezone;
  const slots: Date[] = [];
  for (let from = o.now, i = 0; i < 3; i++) {
    const s = nextSlot(def, from, tz);
    if (!s) break;
    slots.push(s);
    from = s;
  }
  const targets = selectAudience(def, { groups, members: def.audience.members ? repo.memberFacts() : [] }, o.now.getTime());
  const states = targetStates(db, repo, def, targets, slots[0] ?? (def.schedule.at ? parseLocal(def.schedule.at, tz) : o.now), o);
  const count = (s: RecipientState) => targets.reduce((n, t) => n + (states.get(t.id || t.ref || '') === s ? 1 : 0), 0);
  const sample = targets.slice(0, o.sampleSize ?? 8).map((t) => ({ id: t.id || t.ref || '', name: t.vars.name, state: states.get(t.id || t.ref || '') ?? 'ok' }));
  const first = targets.find((t) => states.get(t.id || t.ref || '') === 'ok') ?? targets[0];
  return {
    ok: world.problems.length === 0,
    problems: world.problems,
    warnings: world.warnings,
    audience: {
      kind: def.audience.groups ? 'groups' : 'members',
      count: targets.length,
      reachable: count('ok'),
      optedOut: count('opted-out'),
      capped: count('capped'),
      unreachable: count('unreachable'),
      sample,
    },
    messages: renderContent(def.content, first?.vars ?? { name: def.audience.groups ? '（群名）' : '（会员名）' }),
    sampleName: first?.vars.name ?? null,
    nextSlots: slots.map((s) => fmt(s, tz)),
  };
}

/** Each target's state at the slot: unreachable, opted out, capped, or ok. Keyed by target id (or member ref). */
function targetStates(db: Db, repo: CampaignsRepo, def: CampaignDef, targets: readonly AudienceTarget[], slot: Date, o: PreviewOptions): Map<string, RecipientState> {
  const out = new Map<string, RecipientState>();
  const ids = targets.map((t) => t.id).filter((id) => id !== '');
  const p = localParts(slot, o.timezone);
  const dayFrom = zonedTime(p.year, p.month, p.day, 0, 0, o.timezone).getTime();
  const routed = o.unreachable?.(ids.map((id) => ({ purpose: 'campaign' as const, kind: def.audience.groups ? ('room' as const) : ('contact' as const), id }))) ?? null;
  if (def.audience.groups) {
    const seen = routed ? new Set(ids.filter((id) => !routed.has(id))) : seenRooms(db, ids);
    const caps = groupCaps(def, slot, o.timezone);
    const counts = repo.groupPostCounts(
      ids,
      dayFrom,
      zonedTime(p.year, p.month, p.day + 1, 0, 0, o.timezone).getTime(),
      zonedTime(p.year, p.month, 1, 0, 0, o.timezone).getTime(),
      zonedTime(p.year, p.month + 1, 1, 0, 0, o.timezone).getTime(),
    );
    for (const t of targets) {
      out.set(t.id, !seen.has(t.id) ? 'unreachable' : capDecision(counts.get(t.id) ?? { day: 0, month: 0 }, caps).ok ? 'ok' : 'capped');
    }
    return out;
  }
  const opted = optedOut(db, ids);
  const capped = atMemberCap(db, ids, dayFrom, o.marketingCapPerDay);
  for (const t of targets) {
    out.set(t.id || t.ref || '', t.id === '' || routed?.has(t.id) ? 'unreachable' : opted.has(t.id) ? 'opted-out' : capped.has(t.id) ? 'capped' : 'ok');
  }
  return out;
}
