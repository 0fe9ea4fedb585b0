import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.js';
import { pathText, valueAt } from '../core/playbook-errors.js';

/**
 * A campaign as data: the file format of `sop/campaigns/*.yaml` (and what the CLI stores). Validated
 * at load; every error names the file, the path inside it, what was found and what is allowed.
 */

/** Variables a campaign text may use: for a group `{name}` is the group's name; for a member, theirs. */
export const CAMPAIGN_TEXT_VARIABLES = ['name', 'points', 'tier', 'store'] as const;

const text = z.string({ error: 'a text' }).min(1, { error: 'a non-empty text' });
const id = z
  .string({ error: 'an id of lowercase letters, digits or dashes (2–40)' })
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, { error: 'an id of lowercase letters, digits or dashes (2–40)' });
const posInt = z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).min(1, { error: 'a positive integer' });
const list = z.array(text, { error: 'a list of texts' });
const url = z.string({ error: 'an http(s) URL' }).regex(/^https?:\/\/\S+$/, { error: 'an http(s) URL' });
const localDateTime = z.string({ error: 'a local time "YYYY-MM-DD HH:mm"' }).regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$/, { error: 'a local time "YYYY-MM-DD HH:mm"' });

const groupAudience = z.strictObject({
  /** Groups of these stores (store codes). */
  stores: list.optional(),
  /** Groups carrying any of these tags. */
  tags: list.optional(),
  /** These groups (room ids). */
  list: list.optional(),
  /** Never these groups (room ids). */
  exclude: list.optional(),
  /** Never groups with any of these tags. */
  excludeTags: list.optional(),
});

const memberAudience = z.strictObject({
  tiers: list.optional(),
  tags: list.optional(),
  stores: list.optional(),
  /** Members active (last inbound) within this many days. */
  activeWithinDays: posInt.optional(),
  /** Members not active for at least this many days. */
  inactiveForDays: posInt.optional(),
  /** Never these members (contact ids). */
  exclude: list.optional(),
  excludeTags: list.optional(),
});

const audienceSchema = z.strictObject({ groups: groupAudience.optional(), members: memberAudience.optional() });

const contentSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('text'), text }),
    z.strictObject({ kind: z.literal('image'), path: text.optional(), url: url.optional(), name: text.optional() }),
    z.strictObject({ kind: z.literal('link'), url, title: text, description: text.optional(), thumbnailUrl: url.optional() }),
    z.strictObject({
      kind: z.literal('mini-program'),
      appid: text,
      title: text,
      pagePath: text,
      username: text.optional(),
      thumbUrl: url.optional(),
      description: text.optional(),
    }),
  ],
  { error: 'a message with kind text, image, link or mini-program' },
);

const scheduleSchema = z.strictObject({
  /** Once, at this local time. */
  at: localDateTime.optional(),
  /** Recurring: 5-field cron in the configured timezone. */
  cron: text.optional(),
});

const capsSchema = z.strictObject({
  /** Campaign posts per group per local day (default 1). */
  perGroupPerDay: posInt.optional(),
  /** Campaign posts per group per local month (default: the days in that month). */
  perGroupPerMonth: posInt.optional(),
});

export const campaignSchema = z.strictObject({
  id: id.optional(),
  name: text,
  /** State when first loaded: draft (not sent until scheduled from the CLI) or scheduled. */
  status: z.enum(['draft', 'scheduled'], { error: 'draft or scheduled' }).default('scheduled'),
  audience: audienceSchema,
  content: z.array(contentSchema, { error: 'a list of messages' }).min(1, { error: 'at least one message' }).max(5, { error: 'at most 5 messages' }),
  schedule: scheduleSchema,
  /** Sends spread over this many minutes after the slot, in random order. */
  spreadMinutes: z
    .number({ error: 'minutes ≥ 0' })
    .min(0, { error: 'minutes ≥ 0' })
    .max(24 * 60, { error: 'minutes ≤ 1440' })
    .default(30),
  /** Messages not sent this long after the end of the spread end `expired`. */
  expireAfterMinutes: posInt.default(120),
  /** No occurrence at or after this local time. */
  endsAt: localDateTime.optional(),
  caps: capsSchema.default({}),
});

/** A validated campaign definition. */
export type CampaignDef = z.infer<typeof campaignSchema> & { id: string };

/** The keys allowed at each object path, for "unknown key" messages. */
const ALLOWED: Record<string, z.core.$ZodType> = {
  '': campaignSchema,
  audience: audienceSchema,
  'audience.groups': groupAudience,
  'audience.members': memberAudience,
  schedule: scheduleSchema,
  caps: capsSchema,
};

/**
 * One thing wrong with a campaign definition: where (`audience.groups`, `content[0].path`), what,
 * and, when the fix is picking from a list, what is allowed.
 */
export interface CampaignProblem {
  /** Path inside the definition as people write it; `(top level)` for the whole object. */
  path: string;
  message: string;
  allowed?: string[];
}

/** One line: `audience.groups: unknown key "city"; allowed: stores, tags, …`. */
export function problemText(p: CampaignProblem): string {
  const list = p.allowed?.join(', ');
  return `${p.path}: ${p.message}${list && !p.message.includes(list) ? `; allowed: ${list}` : ''}`;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): CampaignProblem {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.path.filter((k) => typeof k === 'string').join('.');
    let allowed: string[] | undefined;
    const s = ALLOWED[key];
    if (s) allowed = Object.keys((s._zod.def as unknown as { shape: Record<string, unknown> }).shape);
    else if (issue.path[0] === 'content') {
      const kind = (valueAt(raw, issue.path) as { kind?: string } | undefined)?.kind;
      const option = contentSchema.options.find((o) => o.shape.kind.value === kind);
      if (option) allowed = Object.keys(option.shape);
    }
    return { path: where, message: `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`, ...(allowed ? { allowed } : {}) };
  }
  const found = valueAt(raw, issue.path);
  const values = issue.code === 'invalid_value' && 'values' in issue ? issue.values.map(String) : null;
  const expected = values ? `one of ${values.join(', ')}` : issue.message;
  return { path: where, message: `expected ${expected}, found ${found === undefined ? 'nothing' : JSON.stringify(found)}`, ...(values ? { allowed: values } : {}) };
}

/** Rules one field cannot express. `baseDir` resolves relative image paths. */
function crossCheck(def: CampaignDef, baseDir: string): CampaignProblem[] {
  const out: CampaignProblem[] = [];
  const a = def.audience;
  if (!a.groups === !a.members) out.push({ path: 'audience', message: 'expected exactly one of groups, members', allowed: ['groups', 'members'] });
  else {
    const aud = (a.groups ?? a.members)!;
    const selectors = a.groups ? ['stores', 'tags', 'list'] : ['tiers', 'tags', 'stores', 'activeWithinDays', 'inactiveForDays'];
    if (!selectors.some((k) => (aud as Record<string, unknown>)[k] !== undefined)) {
      out.push({
        path: `audience.${a.groups ? 'groups' : 'members'}`,
        message: `expected at least one of ${selectors.join(', ')} (an empty audience would reach everyone)`,
        allowed: selectors,
      });
    }
  }
  const s = def.schedule;
  if (!s.at === !s.cron)
    out.push({ path: 'schedule', message: 'expected exactly one of at (once, "YYYY-MM-DD HH:mm") or cron (recurring, "min hour day month weekday")', allowed: ['at', 'cron'] });
  if (s.cron !== undefined) {
    const fields = s.cron.trim().split(/\s+/);
    const v = cron.validateDetailed(s.cron);
    if (fields.length !== 5 || !v.valid) {
      const e = v.valid ? undefined : v.errors[0];
      out.push({
        path: 'schedule.cron',
        message: `"${s.cron}" is not a valid cron${e ? ` (${e.field}: ${e.message})` : ''}; expected 5 fields "min hour day month weekday", e.g. "0 10 * * 5" (Fridays 10:00)`,
      });
    }
  }
  for (const [i, c] of def.content.entries()) {
    if (c.kind === 'text') {
      const vars = CAMPAIGN_TEXT_VARIABLES.map((v) => `{${v}}`);
      for (const m of c.text.matchAll(/\{([A-Za-z_]\w*)\}/g)) {
        if (!(CAMPAIGN_TEXT_VARIABLES as readonly string[]).includes(m[1]!)) {
          out.push({ path: `content[${i}].text`, message: `unknown variable {${m[1]}}`, allowed: vars });
        }
      }
      if (a.groups && /\{(points|tier)\}/.test(c.text))
        out.push({ path: `content[${i}].text`, message: '{points} and {tier} are member variables; a group campaign may use {name}, {store}', allowed: ['{name}', '{store}'] });
    }
    if (c.kind === 'image') {
      if (!c.path === !c.url) out.push({ path: `content[${i}]`, message: 'expected exactly one of path, url for an image', allowed: ['path', 'url'] });
      else if (c.path !== undefined && !existsSync(path.resolve(baseDir, c.path))) {
        out.push({
          path: `content[${i}].path`,
          message: `image "${c.path}" not found (looked at ${path.resolve(baseDir, c.path)}); give a path relative to the campaign file or an absolute one, or a url`,
        });
      }
    }
  }
  return out;
}

/**
 * Validates a campaign given as YAML text. `file` is used in messages and for its default id; relative
 * image paths resolve against the file's folder and become absolute.
 * @throws ConfigError `sop/campaigns/x.yaml: audience.groups: unknown key "city"; allowed: stores, tags, list, exclude, excludeTags`
 */
export function parseCampaign(source: string, file: string): CampaignDef {
  return validateCampaign(parseYamlText(source, file), file);
}

/** Validates a campaign given as a plain object (a parsed file, or the CLI's JSON). @throws ConfigError naming the file and the first problem. */
export function validateCampaign(raw: unknown, file: string): CampaignDef {
  const r = checkCampaign(raw, { file });
  if (!r.ok) throw new ConfigError(`${file}: ${problemText(r.problems[0]!)}`);
  return r.def;
}

/**
 * The one campaign validator (files, CLI, console): every problem, with its path, or the definition.
 * `file` gives the default id (its base name) and the folder relative image paths resolve against
 * (`baseDir` overrides the folder); relative image paths become absolute.
 */
export function checkCampaign(raw: unknown, opts: { file?: string; baseDir?: string } = {}): { ok: true; def: CampaignDef } | { ok: false; problems: CampaignProblem[] } {
  const r = campaignSchema.safeParse(raw);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => describeIssue(i, raw)) };
  const fallbackId = opts.file
    ? path
        .basename(opts.file)
        .replace(/\.(ya?ml|json)$/i, '')
        .toLowerCase()
    : undefined;
  const id = r.data.id ?? fallbackId;
  if (id === undefined) return { ok: false, problems: [{ path: 'id', message: 'expected an id of lowercase letters, digits or dashes (2–40), found nothing' }] };
  const def: CampaignDef = { ...r.data, id };
  if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(def.id)) {
    return { ok: false, problems: [{ path: 'id', message: `expected an id of lowercase letters, digits or dashes (2–40), found "${def.id}" (from the file name; set id:)` }] };
  }
  const baseDir = opts.baseDir ?? (opts.file ? path.dirname(path.resolve(opts.file)) : process.cwd());
  const problems = crossCheck(def, baseDir);
  if (problems.length) return { ok: false, problems };
  def.content = def.content.map((c) => (c.kind === 'image' && c.path ? { ...c, path: path.resolve(baseDir, c.path) } : c));
  return { ok: true, def };
}

/** Reads one campaign file. @throws ConfigError naming the file. */
export function loadCampaignFile(file: string): CampaignDef {
  const source = readPlaybookText(file, 'campaign');
  return parseCampaign(source, file);
}

/**
 * Reads every `*.yaml` of a folder. Good files load; bad ones are returned as one-line errors (a bad
 * file never stops the others). Two files with the same id: the second is an error.
 */
export function loadCampaignDir(dir: string): { campaigns: (CampaignDef & { file: string })[]; errors: string[] } {
  const out: (CampaignDef & { file: string })[] = [];
  const errors: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort();
  } catch (err) {
    return { campaigns: [], errors: [`${dir}: cannot read the campaigns folder (${errorMessage(err)})`] };
  }
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      const def = loadCampaignFile(file);
      const dup = out.find((c) => c.id === def.id);
      if (dup) errors.push(`${file}: id: "${def.id}" is already used by ${dup.file}; campaign ids must be unique`);
      else out.push({ ...def, file });
    } catch (err) {
      errors.push(errorMessage(err));
    }
  }
  return { campaigns: out, errors };
}
