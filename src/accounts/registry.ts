import { existsSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeIssue, firstDuplicate } from '../core/playbook-errors.js';
import { parseYamlText, readPlaybookText } from '../core/playbook-file.js';
import { PlaybookHolder } from '../core/playbook-holder.js';
import { PURPOSES, type Purpose } from '../outbox/index.js';
import { ACCOUNT_ROLES, DOWN_POLICIES, type AccountBudget, type AccountSpec, type DownPolicy } from './types.js';

/**
 * The accounts registry (`sop/accounts.yaml`): the brand's bot accounts, their endpoints, where their
 * tokens are read from (never the token itself), stores, role, budget, enabled, and what their waiting
 * messages do while they are down. Validated at load; errors name the file, the line, the field, what
 * was found and what is allowed. Without the file the bot runs one account from the environment.
 */

/** The registry in use. `fromEnv`: no file, one account from ACCOUNT_ID / WECHATY_PUPPET_SERVICE_* / SEND_*. */
export interface AccountsRegistry {
  readonly file: string;
  readonly fromEnv: boolean;
  readonly accounts: readonly AccountSpec[];
}

/** What an account gets when the file does not say (the environment's SEND_* budget, reroute for every purpose). */
export interface RegistryDefaults {
  budget: AccountBudget;
  /** True when the bot connects to real puppet-service servers: enabled accounts need endpoint and token. */
  production: boolean;
}

const ID = /^[A-Za-z0-9_-]{1,40}$/;
const int = (what: string, min: number, max: number) => z.number({ error: what }).int({ error: what }).min(min, { error: what }).max(max, { error: what });
const PURPOSE_NAMES = Object.keys(PURPOSES) as Purpose[];

const budgetSchema = z.strictObject({
  ratePerMinute: int('a whole number 0–100000 (0: no budget)', 0, 100_000).optional(),
  capPerHour: int('a whole number 0–1000000 (0: no cap)', 0, 1_000_000).optional(),
  capPerDay: int('a whole number 0–10000000 (0: no cap)', 0, 10_000_000).optional(),
  gapMinMs: int('milliseconds 0–600000', 0, 600_000).optional(),
  gapMaxMs: int('milliseconds 0–600000', 0, 600_000).optional(),
});

const onDownSchema = z.strictObject(
  Object.fromEntries(PURPOSE_NAMES.map((p) => [p, z.enum(DOWN_POLICIES, { error: `one of ${DOWN_POLICIES.join(', ')}` }).optional()])) as Record<
    Purpose,
    z.ZodOptional<z.ZodEnum<{ reroute: 'reroute'; wait: 'wait' }>>
  >,
);

const tokenSchema = z.union(
  [
    z.strictObject({ env: z.string({ error: 'an environment variable name' }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'an environment variable name (letters, digits, _)' }) }),
    z.strictObject({ file: z.string({ error: 'a secret file path' }).min(1, { error: 'a secret file path' }) }),
  ],
  { error: '{ env: VARIABLE_NAME } or { file: /path/to/secret } (the token itself is never written here)' },
);

const accountSchema = z.strictObject({
  id: z.string({ error: 'an id (letters, digits, _ and -, at most 40)' }).regex(ID, { error: 'an id (letters, digits, _ and -, at most 40)' }),
  name: z.string({ error: 'a name operators read' }).min(1, { error: 'a name operators read' }),
  role: z.enum(ACCOUNT_ROLES, { error: `one of ${ACCOUNT_ROLES.join(', ')}` }),
  stores: z
    .array(z.string({ error: 'a store code' }).regex(/^[A-Za-z0-9_-]{1,24}$/, { error: 'a store code (letters, digits, _ and -)' }), { error: 'a list of store codes' })
    .default([]),
  guide: z.string({ error: 'the staff code of the guide' }).min(1, { error: 'the staff code of the guide' }).optional(),
  endpoint: z
    .string({ error: 'host:port' })
    .regex(/^\S+:\d{1,5}$/, { error: 'host:port of the puppet-service server' })
    .optional(),
  token: tokenSchema.optional(),
  budget: budgetSchema.default({}),
  enabled: z.boolean({ error: 'true or false' }).default(true),
  onDown: onDownSchema.default({}),
});

const fileSchema = z.strictObject({
  defaults: z.strictObject({ budget: budgetSchema.optional(), onDown: onDownSchema.optional() }).optional(),
  accounts: z.array(accountSchema, { error: 'a list of accounts' }).min(1, { error: 'at least one account' }),
});

/**
 * Reads the registry, or builds the one-account registry from the environment when `file` is absent.
 * @throws ConfigError `sop/accounts.yaml: line 7: accounts[1].role: expected one of store, hq, guide, found "boss"`
 */
export function loadAccountsRegistry(file: string, defaults: RegistryDefaults, env: EnvAccount): AccountsRegistry {
  if (!existsSync(file)) return envRegistry(file, defaults, env);
  return parseAccountsRegistry(readPlaybookText(file, 'accounts registry'), file, defaults);
}

/** Validates registry YAML given as text; `file` is only used in messages. */
export function parseAccountsRegistry(source: string, file: string, defaults: RegistryDefaults): AccountsRegistry {
  const raw = parseYamlText(source, file);
  const fail = (path: readonly PropertyKey[], message: string): never => {
    throw new ConfigError(`${file}: ${lineOf(source, path)}${message}`);
  };
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    // A token pasted into the file is never echoed back.
    const text = describeIssue(fileSchema, issue, raw);
    const linePath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    fail(linePath, issue.path.includes('token') ? text.replace(/, found .*$/su, ', found a value that is not shown') : text);
  }
  const p = result.data!;
  const dup = firstDuplicate(p.accounts.map((a) => a.id));
  if (dup !== null) fail(['accounts', dup, 'id'], `accounts[${dup}].id: expected an id not used before, found "${p.accounts[dup]!.id}" again`);
  const baseBudget = { ...defaults.budget, ...stripUndefined(p.defaults?.budget ?? {}) };
  const baseOnDown = { ...allPurposes('reroute'), ...stripUndefined(p.defaults?.onDown ?? {}) };
  const accounts = p.accounts.map((a, i): AccountSpec => {
    const at = (...rest: PropertyKey[]) => ['accounts', i, ...rest];
    const budget: AccountBudget = { ...baseBudget, ...stripUndefined(a.budget) };
    if (budget.gapMinMs > budget.gapMaxMs)
      fail(at('budget', 'gapMinMs'), `accounts[${i}].budget.gapMinMs: expected at most gapMaxMs (${budget.gapMaxMs}), found ${budget.gapMinMs}`);
    if (a.role === 'guide' && !a.guide) fail(at('role'), `accounts[${i}].guide: expected the staff code of the guide whose own account it is (role guide), found nothing`);
    if (a.role !== 'guide' && a.guide) fail(at('guide'), `accounts[${i}].guide: only for role guide, found role ${a.role}`);
    if (defaults.production && a.enabled && !a.endpoint) fail(at('id'), `accounts[${i}].endpoint: expected host:port of the account's puppet-service server, found nothing`);
    if (defaults.production && a.enabled && !a.token)
      fail(at('id'), `accounts[${i}].token: expected { env: VARIABLE } or { file: path } (where the account's token is read from), found nothing`);
    return {
      id: a.id,
      name: a.name,
      role: a.role,
      stores: a.stores,
      ...(a.guide ? { guide: a.guide } : {}),
      ...(a.endpoint ? { endpoint: a.endpoint } : {}),
      ...(a.token ? { token: a.token } : {}),
      budget,
      enabled: a.enabled,
      onDown: { ...baseOnDown, ...stripUndefined(a.onDown) } as Record<Purpose, DownPolicy>,
    };
  });
  return Object.freeze({ file, fromEnv: false, accounts: Object.freeze(accounts) });
}

/** The account the environment describes (today's one-account setup). */
export interface EnvAccount {
  id: string;
  endpoint?: string;
  /** True when WECHATY_PUPPET_SERVICE_TOKEN is set (read from there, never copied). */
  hasToken: boolean;
}

/** The environment's account and budget, from the config. */
export function envAccountOf(config: Config): { env: EnvAccount; defaults: RegistryDefaults } {
  return {
    env: {
      id: config.ACCOUNT_ID,
      ...(config.WECHATY_PUPPET_SERVICE_ENDPOINT ? { endpoint: config.WECHATY_PUPPET_SERVICE_ENDPOINT } : {}),
      hasToken: Boolean(config.WECHATY_PUPPET_SERVICE_TOKEN),
    },
    defaults: {
      production: config.production,
      budget: {
        ratePerMinute: config.SEND_RATE_PER_MINUTE,
        capPerHour: config.SEND_CAP_PER_HOUR,
        capPerDay: config.SEND_CAP_PER_DAY,
        gapMinMs: config.SEND_GAP_MIN_MS,
        gapMaxMs: config.SEND_GAP_MAX_MS,
      },
    },
  };
}

function envRegistry(file: string, defaults: RegistryDefaults, env: EnvAccount): AccountsRegistry {
  const spec: AccountSpec = {
    id: env.id,
    name: env.id,
    role: 'store',
    stores: [],
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
    ...(env.hasToken ? { token: { env: 'WECHATY_PUPPET_SERVICE_TOKEN' } } : {}),
    budget: { ...defaults.budget },
    enabled: true,
    onDown: allPurposes('reroute'),
  };
  return Object.freeze({ file, fromEnv: true, accounts: Object.freeze([spec]) });
}

/**
 * `line N: ` of the value at `path` in the YAML text (or of the nearest parent that exists), or ''.
 * @example lineOf('a:\n  b: 1\n', ['a', 'b']) // 'line 2: '
 */
export function lineOf(source: string, path: readonly PropertyKey[]): string {
  const lc = new LineCounter();
  const doc = parseDocument(source.replace(/^\uFEFF/u, ''), { lineCounter: lc });
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return `line ${lc.linePos(node.range[0]).line}: `;
  }
  return '';
}

function allPurposes(p: DownPolicy): Record<Purpose, DownPolicy> {
  return Object.fromEntries(PURPOSE_NAMES.map((n) => [n, p])) as Record<Purpose, DownPolicy>;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Holds the registry in use; `reloadIfChanged()` re-reads an edited file (a bad edit keeps the last
 * good version and logs file/line/field). A file that appears or disappears counts as a change.
 */
export class AccountsRegistryHolder extends PlaybookHolder<AccountsRegistry> {
  constructor(file: string, defaults: RegistryDefaults, env: EnvAccount, logger?: Logger) {
    super(file, { load: (f) => loadAccountsRegistry(f, defaults, env), name: 'accounts registry' }, logger);
  }
}
