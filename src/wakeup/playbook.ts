import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeIssue, listVars, unknownVariable } from '../core/playbook-errors.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { parseWindow, type DailyWindow } from '../core/time.js';

/**
 * The wake-up playbook (`sop/wakeup.yaml`): activity, stages with per-tier texts, exclusions, budgets,
 * send windows, holdout and measurement. Validated at load; errors name the file, the path inside it,
 * what was found and what is allowed.
 */

/** Activities that keep a member awake (and that count as reactivation). */
export const ACTIVITIES = ['message', 'purchase', 'redemption'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** Variables of a stage text; `{reward} {coupon} {expires}` only in a stage with a coupon. */
export const STAGE_VARIABLES = ['name', 'days'] as const;
export const COUPON_VARIABLES = ['reward', 'coupon', 'expires'] as const;
/** `{where}` is `在群「<group>」` when the member wrote in a group, else empty. */
export const HANDOVER_VARIABLES = ['member', 'tier', 'days', 'stage', 'text', 'where'] as const;
/** Variables of `texts.ack`, the answer to a member who replied to a wake-up. */
export const ACK_VARIABLES = ['name'] as const;
/** `{coupon}` is `券码 <code>` at a stage that issued one, else empty. */
export const SUGGESTION_VARIABLES = ['days', 'stage', 'coupon'] as const;

const int = (what: string, min: number, max: number) => z.number({ error: what }).int({ error: what }).min(min, { error: what }).max(max, { error: what });
const text = z.string({ error: 'a text' }).min(1, { error: 'a non-empty text' });
const tierCode = /^[a-z0-9-]{1,24}$/;

const stageSchema = z.strictObject({
  days: int('a number of days 1–3650', 1, 3650),
  coupon: z
    .strictObject({
      reward: z
        .string({ error: 'a reward code from sop/membership.yaml rewards' })
        .regex(/^[A-Za-z0-9-]{2,16}$/, { error: 'a reward code from sop/membership.yaml rewards' })
        .transform((s) => s.toUpperCase()),
    })
    .optional(),
  texts: z.record(z.string(), text, { error: 'texts per tier code, with a "default"' }),
  noCouponText: text.optional(),
});

export const wakeupSchema = z.strictObject({
  activity: z.array(z.enum(ACTIVITIES, { error: `one of ${ACTIVITIES.join(', ')}` }), { error: `a list of ${ACTIVITIES.join(', ')}` }).min(1, { error: 'at least one activity' }),
  stages: z.array(stageSchema, { error: 'a list of stages' }).min(1, { error: 'at least one stage' }).max(9, { error: 'at most 9 stages' }),
  lapseAfterDays: int('a number of days 1–365', 1, 365),
  minDaysBetweenStages: int('a number of days 0–365', 0, 365).default(7),
  exclusions: z.strictObject({
    newMemberDays: int('a number of days 0–3650', 0, 3650),
    marketingWithinDays: int('a number of days 0–365', 0, 365),
    openQuestion: z.boolean({ error: 'true or false' }),
    maxSilentDays: int('a number of days 1–36500', 1, 36500),
  }),
  budget: z.strictObject({
    perAccountPerDay: int('a whole number 0–100000', 0, 100_000),
    perGuidePerDay: int('a whole number 0–100', 0, 100),
  }),
  windows: z
    .array(z.string({ error: 'a window "HH:MM-HH:MM"' }), { error: 'a list of windows "HH:MM-HH:MM"' })
    .min(1, { error: 'at least one window' })
    .max(6, { error: 'at most 6 windows' }),
  holdout: z.strictObject({
    share: z.number({ error: 'a share between 0 and 0.5' }).min(0, { error: 'a share between 0 and 0.5' }).max(0.5, { error: 'a share between 0 and 0.5' }),
    seed: z.string({ error: 'a text' }).min(1, { error: 'a non-empty text' }).optional(),
  }),
  measurement: z.strictObject({ reactivationWindowDays: int('a number of days 1–180', 1, 180) }),
  texts: z.strictObject({ handover: text, suggestion: text, ack: text.optional() }),
});

type Parsed = z.infer<typeof wakeupSchema>;
export type StageDef = Parsed['stages'][number];

/** A validated wake-up playbook; `windows` parsed, sorted and non-overlapping, within one local day. */
export interface WakeupPlaybook extends Readonly<Omit<Parsed, 'windows'>> {
  readonly windows: readonly DailyWindow[];
  /** The file it was read from (for messages). */
  readonly file: string;
}

/**
 * Reads and validates a wake-up playbook.
 * @throws ConfigError `sop/wakeup.yaml: stages[1].days: expected more than stages[0].days (30), found 20`
 * @example const pb = loadWakeupPlaybook('sop/wakeup.yaml')
 */
export function loadWakeupPlaybook(file: string): WakeupPlaybook {
  const source = readPlaybookText(file, 'wake-up playbook');
  return parseWakeupPlaybook(source, file);
}

/** Validates wake-up playbook YAML given as text; `file` is only used in messages. */
export function parseWakeupPlaybook(source: string, file: string): WakeupPlaybook {
  const raw = parseYamlText(source, file);
  const result = wakeupSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(wakeupSchema, result.error.issues[0]!, raw, { listValues: false })}`);
  const p = result.data;
  const windows: DailyWindow[] = [];
  for (const [i, w] of p.windows.entries()) {
    const parsed = parseWindow(w);
    if (!parsed || parsed.startMinute >= parsed.endMinute) {
      throw new ConfigError(`${file}: windows[${i}]: expected a window "HH:MM-HH:MM" within one day (start before end), found ${JSON.stringify(w)}`);
    }
    windows.push(parsed);
  }
  windows.sort((a, b) => a.startMinute - b.startMinute);
  for (let i = 1; i < windows.length; i++) {
    if (windows[i]!.startMinute < windows[i - 1]!.endMinute) throw new ConfigError(`${file}: windows: expected windows that do not overlap, found ${p.windows.join(', ')}`);
  }
  const problem = crossCheck(p);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  return Object.freeze({ ...p, windows, file });
}

function crossCheck(p: Parsed): string | null {
  for (const [i, s] of p.stages.entries()) {
    if (i > 0 && s.days <= p.stages[i - 1]!.days) return `stages[${i}].days: expected more than stages[${i - 1}].days (${p.stages[i - 1]!.days}), found ${s.days}`;
    if (!('default' in s.texts)) return `stages[${i}].texts: expected a "default" text (used for tiers without their own), found ${Object.keys(s.texts).join(', ') || 'none'}`;
    const allowed: readonly string[] = s.coupon ? [...STAGE_VARIABLES, ...COUPON_VARIABLES] : STAGE_VARIABLES;
    for (const [tier, t] of Object.entries(s.texts)) {
      if (tier !== 'default' && !tierCode.test(tier)) return `stages[${i}].texts: "${tier}" is not a tier code (lowercase letters, digits, dashes) or "default"`;
      const bad = unknownVariable(t, allowed);
      if (bad) return `stages[${i}].texts.${tier}: unknown variable {${bad}}; allowed: ${listVars(allowed)}`;
    }
    if (s.noCouponText !== undefined) {
      if (!s.coupon) return `stages[${i}].noCouponText: only allowed in a stage with a coupon`;
      const bad = unknownVariable(s.noCouponText, STAGE_VARIABLES);
      if (bad) return `stages[${i}].noCouponText: unknown variable {${bad}}; allowed: ${listVars(STAGE_VARIABLES)}`;
    }
    if (s.coupon && s.noCouponText === undefined) return `stages[${i}].noCouponText: expected a text for when the coupon cannot be issued (no stock), found nothing`;
  }
  if (p.exclusions.maxSilentDays < p.stages[0]!.days)
    return `exclusions.maxSilentDays: expected at least stages[0].days (${p.stages[0]!.days}), found ${p.exclusions.maxSilentDays}`;
  for (const [key, vars] of [
    ['handover', HANDOVER_VARIABLES],
    ['suggestion', SUGGESTION_VARIABLES],
  ] as const) {
    const bad = unknownVariable(p.texts[key], vars);
    if (bad) return `texts.${key}: unknown variable {${bad}}; allowed: ${listVars(vars)}`;
  }
  const badAck = p.texts.ack === undefined ? null : unknownVariable(p.texts.ack, ACK_VARIABLES);
  if (badAck) return `texts.ack: unknown variable {${badAck}}; allowed: ${listVars(ACK_VARIABLES)}`;
  return null;
}

/**
 * Holds the current wake-up playbook; `fresh()` reloads it when the file changed (checked at most
 * every 10 s), keeping the last good version when the edit is bad.
 * @example const holder = new WakeupPlaybookHolder('sop/wakeup.yaml', logger); holder.current.stages
 */
export class WakeupPlaybookHolder extends PlaybookHolder<WakeupPlaybook> {
  /** @param source a file path (loaded on first use) or an already loaded playbook (tests). */
  constructor(source: string | WakeupPlaybook, logger?: Logger) {
    super(source, { load: loadWakeupPlaybook, name: 'wake-up playbook' }, logger);
  }
}
