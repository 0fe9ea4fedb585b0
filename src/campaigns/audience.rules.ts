import type { CampaignDef } from './campaign.file.js';

const DAY = 86_400_000;

/** A group as the audience rules see it. */
export interface GroupFacts {
  roomId: string;
  name: string;
  storeCode: string | null;
  tags: readonly string[];
}

/** A member as the audience rules see it. */
export interface MemberFacts {
  memberId: number;
  contactId: string | null;
  name: string;
  storeCode: string | null;
  tier: string;
  tags: readonly string[];
  points: number;
  /** Last activity (core/activity.ts: messages, purchases, redemptions, else joining). */
  lastActiveAt: number | null;
}

/** One recipient of an occurrence, with what its texts may use. */
export interface AudienceTarget {
  kind: 'room' | 'contact';
  /** Room id or contact id; empty when a member has no WeChat contact yet (skipped at planning). */
  id: string;
  vars: { name: string; points?: number; tier?: string; store?: string };
  /** For a member: `member:<id>`, which names a member without a contact in the plan record. */
  ref?: string;
}

const anyOf = (have: readonly string[], want: readonly string[] | undefined) => want === undefined || want.some((w) => have.includes(w));
const inList = (v: string | null, want: readonly string[] | undefined) => want === undefined || (v !== null && want.includes(v));

/**
 * The groups a group audience selects: a group matches when it passes every selector given
 * (stores AND tags AND list; within one selector, any value), minus the exclusions. Sorted by room id.
 * @example selectGroups({ stores: ['HZ01'], exclude: ['hz01-vip@chatroom'] }, groups)
 */
export function selectGroups(a: NonNullable<CampaignDef['audience']['groups']>, groups: readonly GroupFacts[]): AudienceTarget[] {
  const excluded = new Set(a.exclude ?? []);
  return groups
    .filter((g) => inList(g.storeCode, a.stores) && anyOf(g.tags, a.tags) && (a.list === undefined || a.list.includes(g.roomId)))
    .filter((g) => !excluded.has(g.roomId) && !(a.excludeTags ?? []).some((t) => g.tags.includes(t)))
    .sort((x, y) => (x.roomId < y.roomId ? -1 : x.roomId > y.roomId ? 1 : 0))
    .map((g) => ({ kind: 'room' as const, id: g.roomId, vars: { name: g.name, store: g.storeCode ?? '' } }));
}

/**
 * The members a member audience selects at `now` (every selector given must hold; last activity by
 * days before `now`), minus exclusions. Members without a WeChat contact are kept with an empty id
 * so planning records them as skipped rather than dropping them silently.
 */
export function selectMembers(a: NonNullable<CampaignDef['audience']['members']>, members: readonly MemberFacts[], now: number): AudienceTarget[] {
  const excluded = new Set(a.exclude ?? []);
  const activeSince = a.activeWithinDays === undefined ? null : now - a.activeWithinDays * DAY;
  const inactiveBefore = a.inactiveForDays === undefined ? null : now - a.inactiveForDays * DAY;
  const out: AudienceTarget[] = [];
  for (const m of members) {
    if (!inList(m.tier, a.tiers) || !inList(m.storeCode, a.stores) || !anyOf(m.tags, a.tags)) continue;
    if (activeSince !== null && (m.lastActiveAt === null || m.lastActiveAt < activeSince)) continue;
    if (inactiveBefore !== null && m.lastActiveAt !== null && m.lastActiveAt > inactiveBefore) continue;
    if (m.contactId !== null && excluded.has(m.contactId)) continue;
    if ((a.excludeTags ?? []).some((t) => m.tags.includes(t))) continue;
    out.push({ kind: 'contact', id: m.contactId ?? '', ref: `member:${m.memberId}`, vars: { name: m.name, points: m.points, tier: m.tier, store: m.storeCode ?? '' } });
  }
  return out;
}

/** The targets of a campaign's audience. */
export function selectAudience(def: CampaignDef, dir: { groups: readonly GroupFacts[]; members: readonly MemberFacts[] }, now: number): AudienceTarget[] {
  return def.audience.groups ? selectGroups(def.audience.groups, dir.groups) : selectMembers(def.audience.members!, dir.members, now);
}
