/**
 * The two lanes of an account's queue. `now`: answers a person is waiting for (replies, alerts), given a
 * job at once and sent at the next free slot. `paced`: everything else, fed to Redis only as far as
 * the account can send soon, and sent at the budget's even pace.
 */
export type Lane = 'now' | 'paced';
export const LANES: readonly Lane[] = ['now', 'paced'];

/**
 * Why a message is sent decides its lane, its priority inside the lane and whether marketing rules
 * (quiet hours, caps, opt-out) apply. Lower priority numbers go first.
 */
export const PURPOSES = {
  reply: { priority: 1, marketing: false, lane: 'now' },
  alert: { priority: 1, marketing: false, lane: 'now' },
  'staff-prompt': { priority: 2, marketing: false, lane: 'paced' },
  service: { priority: 2, marketing: false, lane: 'paced' },
  care: { priority: 4, marketing: true, lane: 'paced' },
  campaign: { priority: 6, marketing: true, lane: 'paced' },
  'wake-up': { priority: 6, marketing: true, lane: 'paced' },
} as const satisfies Record<string, { priority: number; marketing: boolean; lane: Lane }>;

export type Purpose = keyof typeof PURPOSES;

/** The priorities of a lane, in the order they go (the feed reads each along the index). */
export function lanePriorities(lane: Lane): number[] {
  return [
    ...new Set(
      Object.values(PURPOSES)
        .filter((p) => p.lane === lane)
        .map((p) => p.priority),
    ),
  ].sort((a, b) => a - b);
}

/** Priorities that mean marketing; no non-marketing purpose shares one (checked at load). */
export const MARKETING_PRIORITIES: readonly number[] = [
  ...new Set(
    Object.values(PURPOSES)
      .filter((p) => p.marketing)
      .map((p) => p.priority),
  ),
];
for (const p of Object.values(PURPOSES)) {
  if (!p.marketing && MARKETING_PRIORITIES.includes(p.priority)) throw new Error(`purpose priority ${p.priority} is both marketing and service`);
}

/** The lane of a row's priority. */
export function laneOfPriority(priority: number): Lane {
  return lanePriorities('now').includes(priority) ? 'now' : 'paced';
}

export const MARKETING_PURPOSES = (Object.keys(PURPOSES) as Purpose[]).filter((p) => PURPOSES[p].marketing);

export function isPurpose(p: string): p is Purpose {
  return Object.prototype.hasOwnProperty.call(PURPOSES, p);
}
