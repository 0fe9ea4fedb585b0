import { fill } from '../core/template.js';
import { z } from 'zod';
import { duration as durationField } from '../core/playbook-duration.js';
import { ConfigError } from '../core/errors.js';
import { describeIssue, listVars, unknownVariable } from '../core/playbook-errors.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';

/**
 * The group-health playbook (`sop/groups.yaml`): when membership is checked, the batched welcome for
 * new members, the spam alert to the group's owner guide, and the retention target. Validated at load;
 * errors name the file, the path inside it, what was found and what is allowed.
 */

/** The variables each text may use. */
export const GROUPS_TEXT_VARIABLES = {
  welcome: ['names', 'count', 'group', 'store', 'guide'],
  spamAlert: ['group', 'name', 'what', 'detail', 'time', 'ref'],
  spamDigest: ['count', 'lines'],
} as const satisfies Record<string, readonly string[]>;

/** The digest of spam alerts kept outside service hours, unless the playbook has its own. */
export const DEFAULT_SPAM_DIGEST = '🌙 非服务时间收到疑似广告 {count} 条：\n{lines}\n请确认后处理（移出群或提醒）。原消息已留存，可用 report groups --spam 查看。';

/** `30s`, `10m`, `1h`, `30d` or a number of minutes, as ms. */
const duration = durationField({ bareNumber: 'minutes', examples: '10m, 30s, 1h or 30d' });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/u, 'a local time like 04:30');
const rate = z.number().min(0, 'a rate between 0 and 1').max(1, 'a rate between 0 and 1');

export const groupsPlaybookSchema = z.strictObject({
  membership: z
    .strictObject({
      /** Each day at this local time every group's member list is checked (null: only at each login). */
      checkAt: hhmm.nullable().default('04:30'),
    })
    .default({ checkAt: '04:30' }),
  welcome: z.strictObject({
    enabled: z.boolean().default(true),
    /** One welcome per this many joins … */
    batchSize: z.number().int().min(1, 'a whole number ≥ 1'),
    /** … or this long after the first join of the batch, whichever comes first. */
    within: duration,
    /** A contact welcomed to a group is not welcomed there again for this long (they left and came back). */
    notAgainWithin: duration.default(30 * 86_400_000),
    text: z.string().min(1, 'a welcome text'),
  }),
  spam: z.strictObject({
    enabled: z.boolean().default(true),
    /** Words in an image's file name or text that mark it as a QR code (case-insensitive). */
    qrHints: z.array(z.string().min(1)).min(1).default(['二维码', 'qrcode', 'qr', '扫码', '扫一扫']),
    /** After an alert about one person in one group, their next posts there within this time are kept but not alerted. */
    quietFor: duration.default(10 * 60_000),
    alert: z.string().min(1, 'an alert text'),
    /**
     * Outside the store's service hours (`sop/sla.yaml`): `digest` keeps the alerts for one message at the
     * next opening; `alert` sends them at once.
     */
    afterHours: z.enum(['digest', 'alert']).default('digest'),
    /** The digest's text: {count} posts, {lines} one line each. */
    digest: z.string().min(1, 'a digest text').default(DEFAULT_SPAM_DIGEST),
  }),
  targets: z
    .strictObject({
      retention: z.strictObject({ min: rate, max: rate }).default({ min: 0.85, max: 0.9 }),
    })
    .default({ retention: { min: 0.85, max: 0.9 } }),
});

type Parsed = z.infer<typeof groupsPlaybookSchema>;

/** A validated group-health playbook. */
export type GroupsPlaybook = Readonly<Parsed> & { readonly file: string };

/**
 * Reads and validates a group-health playbook.
 * @throws ConfigError `sop/groups.yaml: welcome.batchSize: expected a whole number ≥ 1, found 0`
 * @example const playbook = loadGroupsPlaybook('sop/groups.yaml')
 */
export function loadGroupsPlaybook(file: string): GroupsPlaybook {
  return parseGroupsPlaybook(readPlaybookText(file, 'groups playbook'), file);
}

/** Validates group-health playbook YAML given as text; `file` is only used in messages. */
export function parseGroupsPlaybook(source: string, file: string): GroupsPlaybook {
  const raw = parseYamlText(source, file);
  const result = groupsPlaybookSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file}: ${describeIssue(groupsPlaybookSchema, result.error.issues[0]!, raw)}`);
  const p = result.data;
  const texts = { welcome: p.welcome.text, spamAlert: p.spam.alert, spamDigest: p.spam.digest };
  for (const key of Object.keys(GROUPS_TEXT_VARIABLES) as (keyof typeof GROUPS_TEXT_VARIABLES)[]) {
    const bad = unknownVariable(texts[key], GROUPS_TEXT_VARIABLES[key]);
    const where = key === 'welcome' ? 'welcome.text' : key === 'spamAlert' ? 'spam.alert' : 'spam.digest';
    if (bad) throw new ConfigError(`${file}: ${where}: unknown variable {${bad}}; allowed: ${listVars(GROUPS_TEXT_VARIABLES[key])}`);
  }
  if (p.targets.retention.min > p.targets.retention.max) {
    throw new ConfigError(`${file}: targets.retention: min (${p.targets.retention.min}) is above max (${p.targets.retention.max}); expected min ≤ max`);
  }
  return Object.freeze({ ...p, file });
}

/**
 * Fills `{name}` variables (unknown ones were refused at load).
 * @example fillText('欢迎{names}', { names: '张三、李四' }) // '欢迎张三、李四'
 */
export const fillText: (template: string, vars: Record<string, string>) => string = fill;
