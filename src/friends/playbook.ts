import { fill } from '../core/template.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { duration as durationField } from '../core/playbook-duration.js';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { pathText, valueAt } from '../core/playbook-errors.js';

/**
 * The new-friends playbook (`sop/friends.yaml`): who is accepted, how many a day, after what delay,
 * how a greeting attributes a contact to a store and guide, the welcome, and the monthly targets.
 * Validated at load; errors name the file, the path inside it, what was found and what is allowed.
 */

/** The variables each text may use. */
export const FRIENDS_TEXT_VARIABLES = {
  text: ['name', 'store', 'guide'],
  groupHint: ['group', 'store'],
  returning: ['name', 'store', 'guide'],
} as const satisfies Record<string, readonly string[]>;

/** `500ms`, `30s`, `5m`, `1h` → ms (a bare number is seconds). */
const duration = durationField({ bareNumber: 'seconds', examples: '30s, 5m, 1h or 500ms' });
const storeCode = z.string().regex(/^[A-Za-z0-9]+$/u, 'a store code like HZ01 (letters and digits)');
const staffCode = z.string().min(1, 'a staff code like guide-hz01-03');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/u, 'a local time like 09:30');

const schema = z.strictObject({
  accept: z
    .strictObject({
      /** Null: accept every request. Otherwise the greeting must contain it (case-insensitive). */
      keyword: z.string().min(1).nullable().default(null),
      /** Accepts per account per local day; the rest stay pending (capped) and are listed. */
      dailyCap: z.number().int().min(0).default(20),
      delay: z.strictObject({ min: duration, max: duration }).default({ min: 30_000, max: 180_000 }),
      /** Each day at this local time, capped requests of earlier days are scheduled within the day's cap. Null: never. */
      retryCappedAt: hhmm.nullable().default('09:30'),
    })
    .default({ keyword: null, dailyCap: 20, delay: { min: 30_000, max: 180_000 }, retryCappedAt: '09:30' }),
  attribution: z.strictObject({
    /** Contacts whose greeting names no known store or guide go here. */
    defaultStore: storeCode,
    /** A guide's personal invite code → their staff code. */
    inviteCodes: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/u, 'an invite code of letters, digits, _ and -'), staffCode).default({}),
    /** Explicit numbering of a store's guides for channel codes like `HZ01-g03` (3 = the third). Default: active guides by staff code. */
    guides: z.record(storeCode, z.array(staffCode).min(1)).default({}),
  }),
  welcome: z.strictObject({
    text: z.string().min(1),
    /** Used for {guide} when the contact has no guide. */
    guideFallback: z.string().min(1).default('店铺导购'),
    /** Appended on its own line when the store has a group; empty: none. */
    groupHint: z.string().default(''),
    /** Sent to a contact who comes back after deleting the account; empty: nothing. */
    returning: z.string().default(''),
  }),
  targets: z
    .strictObject({
      monthlyPerStore: z.number().int().min(1).default(800),
      /** Per-store overrides. */
      stores: z.record(storeCode, z.number().int().min(1)).default({}),
    })
    .default({ monthlyPerStore: 800, stores: {} }),
});

type Parsed = z.infer<typeof schema>;

/** A validated friends playbook. */
export type FriendsPlaybook = Readonly<Parsed> & {
  file: string;
  /** The monthly new-friend target of a store. */
  targetFor(storeCode: string): number;
};

/**
 * Reads and validates a friends playbook.
 * @throws ConfigError `sop/friends.yaml: accept.dailyCap: expected a number ≥ 0, found "lots"`
 * @example const playbook = loadFriendsPlaybook('sop/friends.yaml')
 */
export function loadFriendsPlaybook(file: string): FriendsPlaybook {
  const source = readPlaybookText(file, 'friends playbook');
  return parseFriendsPlaybook(source, file);
}

/** Validates friends playbook YAML given as text; `file` is only used in messages. */
export function parseFriendsPlaybook(source: string, file: string): FriendsPlaybook {
  const raw = parseYamlText(source, file);
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(result.error.issues[0]!, raw)}`);
  const p = result.data;
  if (p.accept.delay.min > p.accept.delay.max) {
    throw new ConfigError(`${file}: accept.delay: min (${p.accept.delay.min} ms) is longer than max (${p.accept.delay.max} ms); expected min ≤ max`);
  }
  for (const key of Object.keys(FRIENDS_TEXT_VARIABLES) as (keyof typeof FRIENDS_TEXT_VARIABLES)[]) {
    const allowed: readonly string[] = FRIENDS_TEXT_VARIABLES[key];
    for (const m of p.welcome[key].matchAll(/\{([A-Za-z_]\w*)\}/gu)) {
      if (!allowed.includes(m[1]!)) throw new ConfigError(`${file}: welcome.${key}: unknown variable {${m[1]}}; allowed: ${allowed.map((v) => `{${v}}`).join(', ')}`);
    }
  }
  return Object.freeze({ ...p, file, targetFor: (code: string) => p.targets.stores[code] ?? p.targets.monthlyPerStore });
}

/**
 * Fills `{name}` variables (unknown ones were refused at load).
 * @example fillText('欢迎来到{store}', { store: '杭州湖滨店' }) // '欢迎来到杭州湖滨店'
 */
export const fillText: (template: string, vars: Record<string, string>) => string = fill;

const ALLOWED_KEYS: Record<string, string> = {
  '': 'accept, attribution, welcome, targets',
  accept: 'keyword, dailyCap, delay, retryCappedAt',
  'accept.delay': 'min, max',
  attribution: 'defaultStore, inviteCodes, guides',
  welcome: 'text, guideFallback, groupHint, returning',
  targets: 'monthlyPerStore, stores',
};

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = ALLOWED_KEYS[issue.path.map(String).join('.')];
    return `${where}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}${allowed ? `; allowed: ${allowed}` : ''}`;
  }
  const found = valueAt(raw, issue.path);
  return `${where}: expected ${issue.message.replace(/^Invalid input: expected /u, '').replace(/, received \w+$/u, '')}, found ${found === undefined ? 'nothing' : JSON.stringify(found)}`;
}
