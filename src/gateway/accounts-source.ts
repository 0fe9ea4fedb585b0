import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** What a gateway needs of an account to connect it. A subset of AccountSpec (src/accounts/types.ts). */
export interface GatewayAccount {
  id: string;
  /** Puppet-service `host:port`. */
  endpoint: string;
  /** Where the token is read on the gateway's machine; never in Redis or logs. */
  token: { env: string } | { file: string };
  enabled: boolean;
}

const accountSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -'),
    endpoint: z.string().regex(/^\S+:\d{1,5}$/, 'host:port'),
    token: z.union([z.object({ env: z.string().min(1) }), z.object({ file: z.string().min(1) })]),
    enabled: z.boolean().default(true),
  })
  .loose();

export interface AccountsSourceEnv {
  GATEWAY_ACCOUNTS_FILE?: string | undefined;
  ACCOUNT_ID: string;
  WECHATY_PUPPET_SERVICE_ENDPOINT?: string | undefined;
}

/**
 * The accounts this gateway may connect, read again at every lease scan (so an account added or
 * disabled in the file is picked up without a restart). The one place the lead swaps for the
 * registry loader of src/accounts/ once it lands.
 * Source: GATEWAY_ACCOUNTS_FILE, else `sop/accounts.yaml` under `cwd` if present, else the single
 * account of ACCOUNT_ID + WECHATY_PUPPET_SERVICE_ENDPOINT (token from WECHATY_PUPPET_SERVICE_TOKEN).
 * @throws ConfigError naming the file, the entry and the field.
 */
export function loadGatewayAccounts(env: AccountsSourceEnv, cwd = process.cwd()): GatewayAccount[] {
  const file = env.GATEWAY_ACCOUNTS_FILE ?? (existsSync(path.join(cwd, 'sop/accounts.yaml')) ? 'sop/accounts.yaml' : undefined);
  if (!file) {
    if (!env.WECHATY_PUPPET_SERVICE_ENDPOINT) {
      throw new ConfigError(
        'gateway: no accounts to connect: set GATEWAY_ACCOUNTS_FILE, write sop/accounts.yaml, or set WECHATY_PUPPET_SERVICE_ENDPOINT and WECHATY_PUPPET_SERVICE_TOKEN',
      );
    }
    return [{ id: env.ACCOUNT_ID, endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT, token: { env: 'WECHATY_PUPPET_SERVICE_TOKEN' }, enabled: true }];
  }
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new ConfigError(`gateway: cannot read accounts file ${file}: ${(err as Error).message}`);
  }
  return parseGatewayAccounts(file, text);
}

/** Parses an accounts file (JSON or YAML; a list, or `accounts:` holding one). */
export function parseGatewayAccounts(file: string, text: string): GatewayAccount[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(list)) throw new ConfigError(`${file}: expected a list of accounts (or \`accounts:\` holding one)`);
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const r = accountSchema.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new ConfigError(`${file}: accounts[${i}].${issue.path.join('.') || '?'}: ${issue.message}`);
    }
    if (seen.has(r.data.id)) throw new ConfigError(`${file}: accounts[${i}].id: "${r.data.id}" is listed twice`);
    seen.add(r.data.id);
    return { id: r.data.id, endpoint: r.data.endpoint, token: r.data.token, enabled: r.data.enabled };
  });
}

/**
 * The account's token, read on this machine.
 * @throws ConfigError naming where it was looked for (never the token).
 */
export function resolveToken(account: GatewayAccount, env: Record<string, string | undefined>, cwd = process.cwd()): string {
  const ref = account.token;
  if ('env' in ref) {
    const v = env[ref.env];
    if (!v) throw new ConfigError(`account ${account.id}: token variable ${ref.env} is not set on this gateway`);
    return v;
  }
  try {
    return readFileSync(path.resolve(cwd, ref.file), 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`account ${account.id}: token file ${ref.file} cannot be read: ${(err as Error).message}`);
  }
}
