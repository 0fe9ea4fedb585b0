/**
 * Why a message is sent decides its priority and whether marketing rules (quiet hours, caps,
 * opt-out) apply. Lower priority numbers go first.
 */
export const PURPOSES = {
  reply: { priority: 1, marketing: false },
  alert: { priority: 1, marketing: false },
  'staff-prompt': { priority: 2, marketing: false },
  service: { priority: 2, marketing: false },
  care: { priority: 4, marketing: true },
  campaign: { priority: 6, marketing: true },
  'wake-up': { priority: 6, marketing: true },
} as const satisfies Record<string, { priority: number; marketing: boolean }>;

export type Purpose = keyof typeof PURPOSES;

export const MARKETING_PURPOSES = (Object.keys(PURPOSES) as Purpose[]).filter((p) => PURPOSES[p].marketing);

export function isPurpose(p: string): p is Purpose {
  return Object.prototype.hasOwnProperty.call(PURPOSES, p);
}
