import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeIssue, listVars, unknownVariable } from '../core/playbook-errors.js';
import { PlaybookHolder } from '../core/playbook-holder.js';

/**
 * The guide "3+3+3" playbook (`sop/guide-daily.yaml`) and its Moments content calendar
 * (`sop/moments/calendar.yaml`). Validated at load; errors name the file, the path inside it, what
 * was found and what is allowed. Nothing of a bad file is applied.
 */

/** The variables each text may use. A text using another `{name}` is refused at load. */
export const GUIDE_TEXT_VARIABLES = {
  card: ['name', 'date', 'weekday', 'moments', 'chats', 'groups', 'total', 'howto'],
  howto: ['example'],
  sectionHeader: ['category', 'count'],
  sectionOff: ['category'],
  momentsLine: ['n', 'text'],
  momentsImages: ['images', 'count'],
  chatLine: ['n', 'name', 'phone', 'reason'],
  chatFreeLine: ['n'],
  groupLine: ['n', 'group', 'reason'],
  noGroups: [],
  checkinReply: ['progress', 'done', 'total'],
  checkinAllDone: ['done', 'total', 'streak'],
  noCardYet: ['time'],
  noCardToday: [],
  hint: [],
  outOfRange: ['category', 'max'],
  categoryOff: ['category'],
  progress: ['today', 'days', 'workdays', 'rate', 'streak', 'rank', 'of'],
  progressNoCard: [],
  nudge: ['name', 'done', 'total', 'missing'],
  summary: ['store', 'date', 'rate', 'done', 'total', 'finished', 'unfinished', 'off'],
  summaryGuide: ['name', 'done', 'total'],
  summaryNone: [],
  summaryOff: ['names'],
  ranking: ['store', 'from', 'to', 'lines', 'rate'],
  rankingLine: ['rank', 'name', 'rate', 'streak', 'days', 'workdays'],
} as const satisfies Record<string, readonly string[]>;

/** The variables of each chat rule's `label`. */
export const RULE_LABEL_VARIABLES = {
  birthday: ['date', 'days'],
  'open-question': ['hours', 'text'],
  silent: ['days', 'weeks'],
  'high-value': ['days', 'growth'],
  'recent-purchase': ['when', 'days'],
  'keep-in-touch': ['days'],
} as const satisfies Record<string, readonly string[]>;

/** The variables of the group reason labels. */
export const GROUP_LABEL_VARIABLES = {
  quiet: ['count'],
  sinceStaffPost: ['days', 'hours'],
  neverStaffPost: [],
} as const satisfies Record<string, readonly string[]>;

export type GuideTextKey = keyof typeof GUIDE_TEXT_VARIABLES;
export type ChatRuleKind = keyof typeof RULE_LABEL_VARIABLES;
export const CHAT_RULE_KINDS = Object.keys(RULE_LABEL_VARIABLES) as ChatRuleKind[];

/** Rules whose talk is marketing by default: opted-out members are not suggested for them. */
export const MARKETING_BY_DEFAULT: Record<ChatRuleKind, boolean> = {
  birthday: true,
  'open-question': false,
  silent: true,
  'high-value': true,
  'recent-purchase': false,
  'keep-in-touch': true,
};

const QUOTA_MAX = 20;
const quota = z
  .number({ error: `a whole number from 0 (switched off) to ${QUOTA_MAX}` })
  .int({ error: `a whole number from 0 (switched off) to ${QUOTA_MAX}` })
  .min(0, { error: `a whole number from 0 (switched off) to ${QUOTA_MAX}` })
  .max(QUOTA_MAX, { error: `a whole number from 0 (switched off) to ${QUOTA_MAX}` });
const posInt = (max: number, what = 'a whole number') =>
  z
    .number({ error: `${what} from 1 to ${max}` })
    .int({ error: `${what} from 1 to ${max}` })
    .min(1, { error: `${what} from 1 to ${max}` })
    .max(max, { error: `${what} from 1 to ${max}` });
const nonNegInt = z.number({ error: 'a whole number ≥ 0' }).int({ error: 'a whole number ≥ 0' }).min(0, { error: 'a whole number ≥ 0' });
const TIME_ERROR = 'a local time "HH:MM" from 00:00 to 23:59, e.g. "09:30"';
const time = z.string({ error: TIME_ERROR }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: TIME_ERROR });
const text = z.string({ error: 'a text' }).min(1, { error: 'a non-empty text' });
const bool = z.boolean({ error: 'true or false' });
const DATE_ERROR = 'a date "YYYY-MM-DD"';
const date = z.string({ error: DATE_ERROR }).regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: DATE_ERROR });
const roomId = z.string({ error: 'a group id like staff-hz01@chatroom' }).regex(/^\S+@chatroom$/, { error: 'a group id like staff-hz01@chatroom' });

const rule = <K extends ChatRuleKind, S extends z.core.$ZodLooseShape>(kind: K, shape: S) =>
  z.strictObject({
    rule: z.literal(kind),
    label: text,
    /** Marketing talk is not suggested with members who opted out (退订); service talk is. */
    marketing: bool.optional(),
    ...shape,
  });

const ruleSchemas = [
  rule('birthday', {
    withinDays: z
      .number({ error: 'a whole number of days from 0 (today only) to 30' })
      .int({ error: 'a whole number of days from 0 (today only) to 30' })
      .min(0, { error: 'a whole number of days from 0 (today only) to 30' })
      .max(30, { error: 'a whole number of days from 0 (today only) to 30' }),
  }),
  rule('open-question', { withinHours: posInt(24 * 14, 'a number of hours') }),
  rule('silent', { minDays: posInt(365, 'a number of days'), maxDays: posInt(365, 'a number of days') }),
  /** `maxSilentDays`: leave members silent longer to the wake-up sequence (its holdout must hear from nobody). */
  rule('high-value', { minGrowth: nonNegInt, notContactedDays: posInt(365, 'a number of days'), maxSilentDays: posInt(3650, 'a number of days').optional() }),
  rule('recent-purchase', { withinDays: posInt(60, 'a number of days') }),
  /** The last rule only: fills the card with the guide's members quiet the longest. */
  rule('keep-in-touch', { minDays: posInt(365, 'a number of days'), maxDays: posInt(3650, 'a number of days').optional() }),
] as const;

const RULE_ERROR = `a chat rule: "rule" is one of ${CHAT_RULE_KINDS.join(', ')}`;
const chatRule = z.discriminatedUnion('rule', ruleSchemas, { error: RULE_ERROR });

const textsShape = Object.fromEntries(Object.keys(GUIDE_TEXT_VARIABLES).map((k) => [k, text])) as Record<GuideTextKey, typeof text>;

export const guidePlaybookSchema = z.strictObject({
  quotas: z.strictObject({ moments: quota, chats: quota, groups: quota }),
  times: z.strictObject({
    card: time.default('09:30'),
    nudge: time.default('15:00'),
    summary: time.default('20:30'),
    /** Capacity check: every card of the day should have gone out by then. */
    cardsBy: time.default('11:30'),
  }),
  /** Store-wide days with no card (closed for a holiday), besides each guide's own working days. */
  closedDates: z.array(date, { error: 'a list of dates "YYYY-MM-DD"' }).default([]),
  moments: z.strictObject({
    /** The content calendar, relative to this file. */
    calendar: text,
    /** Send each suggested post's images to the guide right after the card (else only named on it). */
    sendImages: z.boolean({ error: 'true or false' }).default(true),
  }),
  chats: z.strictObject({
    /** Never suggest the same member to the same guide again within this many days. */
    notAgainWithinDays: z
      .number({ error: 'a whole number of days from 0 to 90' })
      .int({ error: 'a whole number of days from 0 to 90' })
      .min(0, { error: 'a whole number of days from 0 to 90' })
      .max(90, { error: 'a whole number of days from 0 to 90' }),
    /** In priority order: the first rule that matches a member gives the reason on the card. */
    rules: z.array(chatRule, { error: 'a list of chat rules' }),
  }),
  groups: z.strictObject({
    prefer: z.enum(['quietest', 'longest-since-staff-post'], { error: 'quietest or longest-since-staff-post' }),
    labels: z.strictObject({ quiet: text, sinceStaffPost: text, neverStaffPost: text }),
  }),
  ranking: z.strictObject({
    weekday: z
      .number({ error: 'a weekday 0 (Sunday) to 6' })
      .int({ error: 'a weekday 0 (Sunday) to 6' })
      .min(0, { error: 'a weekday 0 (Sunday) to 6' })
      .max(6, { error: 'a weekday 0 (Sunday) to 6' }),
    time,
    sendTo: z.enum(['managers', 'rooms'], { error: 'managers or rooms' }),
    /** With `sendTo: rooms`: store code → staff group; stores not listed go to their managers. */
    rooms: z.record(z.string({ error: 'a store code' }), roomId, { error: 'a map of store code to group id' }).default({}),
  }),
  texts: z.strictObject(textsShape),
});

const momentSchema = z.strictObject({
  text,
  /** Image URLs, or paths relative to the calendar file; sent to the guide after the card (`moments.sendImages`). */
  images: z.array(text, { error: 'a list of image URLs or paths' }).default([]),
});

export const momentsCalendarSchema = z.strictObject({
  /** Used, in turn, on days the calendar has nothing (or not enough) for. */
  rotation: z.array(momentSchema, { error: 'a list of posts' }).min(1, { error: 'at least one post' }),
  days: z.record(date, z.array(momentSchema, { error: 'a list of posts' }), { error: 'a map of date to posts' }).default({}),
});

type Parsed = z.infer<typeof guidePlaybookSchema>;
export type ChatRule = z.infer<typeof chatRule>;
export type MomentPost = z.infer<typeof momentSchema>;
export type MomentsCalendar = z.infer<typeof momentsCalendarSchema>;

/** A validated guide playbook with its content calendar. */
export interface GuidePlaybook extends Readonly<Omit<Parsed, 'chats'>> {
  readonly chats: { readonly notAgainWithinDays: number; readonly rules: readonly (ChatRule & { marketing: boolean })[] };
  readonly calendar: MomentsCalendar;
  /** The files it was read from (for messages and reload checks). */
  readonly file: string;
  readonly calendarFile: string;
}

/**
 * Reads and validates the guide playbook and the calendar it names.
 * @throws ConfigError `sop/guide-daily.yaml: quotas.chats: expected a whole number from 0 (switched off) to 20, found -1`
 * @example const playbook = loadGuidePlaybook('sop/guide-daily.yaml')
 */
export function loadGuidePlaybook(file: string): GuidePlaybook {
  const raw = readYaml(file, 'guide playbook');
  const result = guidePlaybookSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(guidePlaybookSchema, result.error.issues[0]!, raw, { listValues: false })}`);
  const p = result.data;
  const problem = crossCheck(p);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  const calendarFile = path.resolve(path.dirname(file), p.moments.calendar);
  if (!existsSync(calendarFile))
    throw new ConfigError(`${file}: moments.calendar: expected a calendar file relative to this one, found "${p.moments.calendar}" (no ${calendarFile})`);
  const calendar = loadMomentsCalendar(calendarFile);
  const missing = missingImage(calendar, calendarFile);
  if (missing) throw new ConfigError(`${calendarFile}: ${missing}`);
  const rules = p.chats.rules.map((r) => ({ ...r, marketing: r.marketing ?? MARKETING_BY_DEFAULT[r.rule] }));
  return Object.freeze({ ...p, chats: { ...p.chats, rules }, calendar, file, calendarFile });
}

/** Reads and validates a Moments content calendar. */
export function loadMomentsCalendar(file: string): MomentsCalendar {
  const raw = readYaml(file, 'Moments calendar');
  const result = momentsCalendarSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(momentsCalendarSchema, result.error.issues[0]!, raw, { listValues: false })}`);
  return result.data;
}

function readYaml(file: string, what: string): unknown {
  return parseYamlText(readPlaybookText(file, what), file);
}

/** Whether an image is given by URL (else it is a path relative to the calendar file). */
export const isImageUrl = (image: string) => /^https?:\/\//iu.test(image);

/** Where a calendar image is: its URL, or its path resolved against the calendar file. */
export function imageSource(image: string, calendarFile: string): { url: string } | { path: string } {
  return isImageUrl(image) ? { url: image } : { path: path.resolve(path.dirname(calendarFile), image) };
}

/** The first image path in the calendar that names no file, as `days.2026-11-25[0].images[1]: …`. */
function missingImage(calendar: MomentsCalendar, calendarFile: string): string | null {
  const lists: [string, MomentPost[]][] = [['rotation', calendar.rotation], ...Object.entries(calendar.days).map(([d, posts]): [string, MomentPost[]] => [`days.${d}`, posts])];
  for (const [where, posts] of lists) {
    for (const [i, post] of posts.entries()) {
      for (const [j, image] of post.images.entries()) {
        const src = imageSource(image, calendarFile);
        if ('path' in src && !existsSync(src.path))
          return `${where}[${i}].images[${j}]: expected an http(s) URL or an image file relative to this calendar, found "${image}" (no such file)`;
      }
    }
  }
  return null;
}

/** `09:30` → 570. Times were validated at load. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function crossCheck(p: Parsed): string | null {
  const t = p.times;
  if (minutesOf(t.nudge) <= minutesOf(t.card)) return `times.nudge: expected a time after times.card (${t.card}), found "${t.nudge}"`;
  if (minutesOf(t.summary) <= minutesOf(t.nudge)) return `times.summary: expected a time after times.nudge (${t.nudge}), found "${t.summary}"`;
  if (minutesOf(t.cardsBy) < minutesOf(t.card)) return `times.cardsBy: expected a time at or after times.card (${t.card}), found "${t.cardsBy}"`;
  if (p.quotas.moments + p.quotas.chats + p.quotas.groups === 0) return 'quotas: every category is switched off (0); keep at least one above 0';
  const seen = new Set<string>();
  for (const [i, r] of p.chats.rules.entries()) {
    if (seen.has(r.rule)) return `chats.rules[${i}].rule: "${r.rule}" is listed twice; each rule once`;
    seen.add(r.rule);
    if (r.rule === 'keep-in-touch' && i !== p.chats.rules.length - 1) return `chats.rules[${i}].rule: keep-in-touch fills what the other rules left, so it must be the last rule`;
    if (r.rule === 'keep-in-touch' && r.maxDays !== undefined && r.maxDays < r.minDays)
      return `chats.rules[${i}].maxDays: expected at least minDays (${r.minDays}), found ${r.maxDays}`;
    if (r.rule === 'silent' && r.maxDays < r.minDays) return `chats.rules[${i}].maxDays: expected at least minDays (${r.minDays}), found ${r.maxDays}`;
    const bad = unknownVariable(r.label, RULE_LABEL_VARIABLES[r.rule]);
    if (bad) return `chats.rules[${i}].label: unknown variable {${bad}}; allowed: ${listVars(RULE_LABEL_VARIABLES[r.rule])}`;
  }
  for (const key of Object.keys(GROUP_LABEL_VARIABLES) as (keyof typeof GROUP_LABEL_VARIABLES)[]) {
    const bad = unknownVariable(p.groups.labels[key], GROUP_LABEL_VARIABLES[key]);
    if (bad) return `groups.labels.${key}: unknown variable {${bad}}; allowed: ${listVars(GROUP_LABEL_VARIABLES[key])}`;
  }
  for (const key of Object.keys(GUIDE_TEXT_VARIABLES) as GuideTextKey[]) {
    const bad = unknownVariable(p.texts[key], GUIDE_TEXT_VARIABLES[key]);
    if (bad) return `texts.${key}: unknown variable {${bad}}; allowed: ${listVars(GUIDE_TEXT_VARIABLES[key])}`;
  }
  if (p.ranking.sendTo === 'rooms' && Object.keys(p.ranking.rooms).length === 0) {
    return 'ranking.rooms: expected at least one "STORE: group-id@chatroom" with sendTo: rooms (or use sendTo: managers)';
  }
  return null;
}

/**
 * Holds the current guide playbook. `reloadIfChanged()` reads the files again when either changed;
 * a bad edit keeps the last good version and logs the one-line error once.
 * @example const holder = new GuidePlaybookHolder('sop/guide-daily.yaml', logger); holder.current.quotas
 */
export class GuidePlaybookHolder extends PlaybookHolder<GuidePlaybook> {
  /** @param source a file path (loaded on first use) or an already loaded playbook (tests). */
  constructor(source: string | GuidePlaybook, logger?: Logger) {
    super(source, { load: loadGuidePlaybook, name: 'guide playbook', alsoWatch: (p) => [p.calendarFile] }, logger);
  }
}
