import { fill } from '../core/template.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { duration as durationField } from '../core/playbook-duration.js';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { INBOUND_TYPES } from '../core/messages.js';
import { describeIssue } from '../core/playbook-errors.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { parseWindow } from '../core/time.js';
import { DEFAULT_SERVICE_HOURS, type DayWindow, type ServiceHours } from './business-time.rules.js';

/**
 * The SLA playbook (`sop/sla.yaml`): service hours, response target, escalation tiers, backlog,
 * the "no reply needed" list, staff command words, the satisfaction question and every text. Validated
 * at load; errors name the file, the path inside it, what was found and what is allowed.
 */

/** Who a tier or the daily backlog message goes to. */
export const RECIPIENTS = ['owner-guide', 'store-manager', 'admins', 'hq'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/** The variables each text may use. */
export const SLA_TEXT_VARIABLES = {
  alert: ['count', 'lines', 'more', 'level'],
  alertLine: ['id', 'member', 'group', 'waited', 'preview'],
  alertMore: ['count'],
  backlog: ['count', 'lines', 'more', 'hours'],
  backlogLine: ['id', 'member', 'group', 'age', 'preview'],
  closed: ['lines'],
  closedLine: ['id', 'member', 'group'],
  closeNotFound: ['given'],
  closeAmbiguous: ['given', 'lines'],
  closeUsage: [],
  list: ['count', 'lines', 'more'],
  listLine: ['id', 'member', 'group', 'waited', 'preview'],
  listEmpty: [],
  satisfactionAsk: [],
  satisfactionThanks: ['rating'],
} as const satisfies Record<string, readonly string[]>;
export type SlaTextKey = keyof typeof SLA_TEXT_VARIABLES;

/** `5m`, `90s`, `1h` or a number of minutes, as ms. */
const duration = durationField({ bareNumber: 'minutes', examples: '5m, 90s or 1h', allowZero: false });

const windowText = z.string({ error: 'a window like 09:00-21:00' }).transform((s, ctx): DayWindow => {
  const w = parseWindow(s);
  if (!w || w.startMinute >= w.endMinute) {
    ctx.addIssue({ code: 'custom', message: 'a window like 09:00-21:00 (opening before closing, 24:00 at most)' });
    return z.NEVER;
  }
  return { open: w.startMinute, close: w.endMinute };
});

const weekday = z
  .number({ error: 'a weekday 0 (Sunday) to 6' })
  .int({ error: 'a weekday 0 (Sunday) to 6' })
  .min(0, { error: 'a weekday 0 (Sunday) to 6' })
  .max(6, { error: 'a weekday 0 (Sunday) to 6' });
const days = z.union([z.enum(['every-day', 'workdays']), z.array(weekday).min(1, { error: 'at least one weekday' })], {
  error: 'every-day, workdays or a list of weekdays 0 (Sunday) to 6',
});
const holidays = z.union([z.enum(['open', 'closed']), windowText], { error: 'open, closed or a window like 10:00-18:00' });

const hoursSchema = z.strictObject({ hours: windowText.optional(), days: days.optional(), holidays: holidays.optional() });

const posInt = z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).min(1, { error: 'a positive integer' });
const text = z.string({ error: 'a text' }).min(1, { error: 'a non-empty text' });
const words = z.array(text, { error: 'a list of words' });
const clock = z.string({ error: 'a time like 09:30' }).regex(/^([01]?\d|2[0-3]):[0-5]\d$/u, { error: 'a time like 09:30' });
const recipient = z.enum(RECIPIENTS, { error: `one of ${RECIPIENTS.join(', ')}` });

const textsShape = Object.fromEntries(Object.keys(SLA_TEXT_VARIABLES).map((k) => [k, text])) as Record<SlaTextKey, typeof text>;

export const slaPlaybookSchema = z.strictObject({
  serviceHours: z.strictObject({
    default: hoursSchema,
    stores: z.record(z.string(), hoursSchema).default({}),
  }),
  target: duration,
  tiers: z.array(z.strictObject({ after: duration, to: recipient, name: text.optional() }), { error: 'a list of tiers' }).min(1, { error: 'at least one tier' }),
  alerts: z
    .strictObject({
      bundleSeconds: z.number({ error: 'seconds between 0 and 60' }).min(0, { error: 'seconds between 0 and 60' }).max(60, { error: 'seconds between 0 and 60' }).default(1),
      maxLines: posInt.default(10),
    })
    .default({ bundleSeconds: 1, maxLines: 10 }),
  backlog: z.strictObject({
    afterHours: z.number({ error: 'a number of business hours' }).positive({ error: 'a number of business hours' }),
    dailyAt: clock,
    to: z.array(recipient, { error: 'a list of recipients' }).min(1, { error: 'at least one recipient' }),
    maxLines: posInt.default(10),
  }),
  noReplyNeeded: z.strictObject({
    phrases: words,
    types: z.array(z.enum(INBOUND_TYPES, { error: `one of ${INBOUND_TYPES.join(', ')}` }), { error: 'a list of message types' }),
    emojiOnly: z.boolean({ error: 'true or false' }).default(true),
    /**
     * Deprecated and ignored: which texts are commands comes from the command registry
     * (inbound/commands.ts). Still accepted so an older file loads; installSla logs one line about it.
     */
    botCommands: words.optional(),
  }),
  commands: z.strictObject({ close: words.min(1, { error: 'at least one word' }), list: words.min(1, { error: 'at least one word' }) }),
  satisfaction: z.strictObject({
    enabled: z.boolean({ error: 'true or false' }),
    sampleRate: z.number({ error: 'a share between 0 and 1' }).min(0, { error: 'a share between 0 and 1' }).max(1, { error: 'a share between 0 and 1' }),
    delay: duration,
    onceInDays: posInt,
    answerWithinHours: posInt,
  }),
  texts: z.strictObject(textsShape),
});

type Parsed = z.infer<typeof slaPlaybookSchema>;
export type Tier = Parsed['tiers'][number];

/** A validated SLA playbook, with service hours resolved per store. */
export interface SlaPlaybook extends Readonly<Omit<Parsed, 'serviceHours'>> {
  readonly file: string;
  /** The service hours of a store (its own entry over the default); the default for null or unknown stores. */
  hoursFor(storeCode: string | null): ServiceHours;
  readonly defaultHours: ServiceHours;
}

/**
 * Reads and validates an SLA playbook.
 * @throws ConfigError `sop/sla.yaml: tiers[1].after: expected a duration like 5m, 90s or 1h …, found "soon"`
 * @example const playbook = loadSlaPlaybook('sop/sla.yaml')
 */
export function loadSlaPlaybook(file: string): SlaPlaybook {
  const source = readPlaybookText(file, 'SLA playbook');
  return parseSlaPlaybook(source, file);
}

/** Validates SLA playbook YAML given as text; `file` is only used in messages. */
export function parseSlaPlaybook(source: string, file: string): SlaPlaybook {
  const raw = parseYamlText(source, file);
  const result = slaPlaybookSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(slaPlaybookSchema, result.error.issues[0]!, raw)}`);
  const p = result.data;
  const problem = crossCheck(p);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  const resolve = (h: z.infer<typeof hoursSchema>, base: ServiceHours): ServiceHours =>
    Object.freeze({
      open: h.hours?.open ?? base.open,
      close: h.hours?.close ?? base.close,
      days: h.days ?? base.days,
      holidays: h.holidays ?? base.holidays,
    });
  const defaultHours = resolve(p.serviceHours.default, DEFAULT_SERVICE_HOURS);
  const perStore = new Map(Object.entries(p.serviceHours.stores).map(([code, h]) => [code, resolve(h, defaultHours)]));
  const { serviceHours: _hours, ...rest } = p;
  return Object.freeze({
    ...rest,
    file,
    defaultHours,
    hoursFor: (storeCode: string | null) => (storeCode !== null && perStore.get(storeCode)) || defaultHours,
  });
}

function crossCheck(p: Parsed): string | null {
  for (let i = 1; i < p.tiers.length; i++) {
    if (p.tiers[i]!.after <= p.tiers[i - 1]!.after) {
      return `tiers[${i}].after: expected later than tiers[${i - 1}].after; list tiers from the first to the last escalation`;
    }
  }
  for (const key of Object.keys(SLA_TEXT_VARIABLES) as SlaTextKey[]) {
    for (const m of p.texts[key].matchAll(/\{([A-Za-z_]\w*)\}/gu)) {
      const allowed: readonly string[] = SLA_TEXT_VARIABLES[key];
      if (!allowed.includes(m[1]!)) {
        return `texts.${key}: unknown variable {${m[1]}}; allowed: ${allowed.length ? allowed.map((v) => `{${v}}`).join(', ') : 'none'}`;
      }
    }
  }
  return null;
}

/**
 * Fills `{name}` variables; unknown ones were refused at load.
 * @example fillText('已等{waited}', { waited: '6分钟' }) // '已等6分钟'
 */
export const fillText: (template: string, vars: Record<string, string | number | undefined>) => string = fill;

/**
 * Holds the playbook in use: reloads when the file changes, keeps the last good version after a bad
 * edit (and logs the one-line error once).
 */
export class SlaPlaybookHolder extends PlaybookHolder<SlaPlaybook> {
  /** @param source a file path (loaded on first use) or a loaded playbook (tests). */
  constructor(source: string | SlaPlaybook, logger?: Logger) {
    super(source, { load: loadSlaPlaybook, name: 'SLA playbook' }, logger);
  }
}
