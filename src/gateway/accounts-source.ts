import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { envAccountOf, loadAccountsRegistry } from '../accounts/index.js';
import type { AccountSpec } from '../accounts/index.js';
import type { Config } from '../config.js';
import { ConfigError } from '../core/errors.js';

/** What a gateway needs of an account to connect it: the registry's AccountSpec (src/accounts/types.ts) narrowed. */
export interface GatewayAccount {
  id: string;
  /** Puppet-service `host:port`. */
  endpoint: string;
  /** Where the token is read on the gateway's machine; never in Redis or logs. */
  token: { env: string } | { file: string };
  enabled: boolean;
}

/** The default registry path, under the gateway's working directory (the core's is `sop/accounts.yaml` of its checkout). */
export const DEFAULT_ACCOUNTS_FILE = 'sop/accounts.yaml';

/**
 * The accounts this gateway may connect, read again at every lease scan (so an account added or
 * disabled in the file is picked up without a restart). Read with the core's registry loader
 * (src/accounts/registry.ts): the same file, the same checks, errors with file, line and field.
 * Every enabled account needs `endpoint` and `token` here (a gateway connects real servers).
 * Source: GATEWAY_ACCOUNTS_FILE (must exist), else `sop/accounts.yaml` under `cwd`, else the single
 * account of ACCOUNT_ID + WECHATY_PUPPET_SERVICE_ENDPOINT (token from WECHATY_PUPPET_SERVICE_TOKEN).
 * @throws ConfigError `sop/accounts.yaml: line 7: accounts[1].endpoint: expected host:port …`
 */
export function loadGatewayAccounts(config: Config, cwd = process.cwd()): GatewayAccount[] {
  const given = config.GATEWAY_ACCOUNTS_FILE;
  const file = path.resolve(cwd, given ?? DEFAULT_ACCOUNTS_FILE);
  if (given && !existsSync(file)) throw new ConfigError(`gateway: GATEWAY_ACCOUNTS_FILE ${given}: no such file`);
  const { env, defaults } = envAccountOf(config);
  const registry = loadAccountsRegistry(file, { ...defaults, production: true }, env);
  if (registry.fromEnv) {
    if (!env.endpoint) {
      throw new ConfigError(
        'gateway: no accounts to connect: set GATEWAY_ACCOUNTS_FILE, write sop/accounts.yaml, or set WECHATY_PUPPET_SERVICE_ENDPOINT and WECHATY_PUPPET_SERVICE_TOKEN',
      );
    }
    return [{ id: env.id, endpoint: env.endpoint, token: { env: 'WECHATY_PUPPET_SERVICE_TOKEN' }, enabled: true }];
  }
  return registry.accounts.flatMap(gatewayAccountOf);
}

/** The registry entry as a gateway connects it; a disabled entry without endpoint or token is left out (never connected). */
export function gatewayAccountOf(spec: AccountSpec): GatewayAccount[] {
  if (!spec.endpoint || !spec.token) return [];
  return [{ id: spec.id, endpoint: spec.endpoint, token: spec.token, enabled: spec.enabled }];
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
