import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createWechatyEdge } from '../platform/wechaty/edge.js';
import type { World } from '../platform/wechaty/world/server.js';
import type { AccountSpec, EdgeFactory } from './types.js';

/** The connection settings every in-process edge shares (from the config). */
export interface InProcessEdgeOptions {
  noTls: boolean;
  authority?: string;
  timeoutSeconds: number;
  maxBackoffSeconds: number;
  probeSeconds: number;
  logger: Logger;
  /** The simulated world: each account connects to the world's endpoint and token for its id. */
  world: World | null;
  /** Reads an environment variable (the config's view of the environment, .env included). */
  env: (name: string) => string | undefined;
}

/**
 * The default EdgeFactory: each account connected in this process (createWechatyEdge) to its own
 * puppet-service endpoint, with the token read from where the registry says (never stored).
 * @throws ConfigError when the account has no endpoint or its token cannot be read.
 */
export function inProcessEdgeFactory(o: InProcessEdgeOptions): EdgeFactory {
  return (spec, handlers) => {
    const conn = o.world ? worldConnection(o.world, spec.id) : { endpoint: requireEndpoint(spec), token: readToken(spec, o.env), noTls: o.noTls };
    return createWechatyEdge(
      {
        endpoint: conn.endpoint,
        token: conn.token,
        noTls: conn.noTls,
        authority: o.authority,
        timeoutSeconds: o.timeoutSeconds,
        maxBackoffSeconds: o.maxBackoffSeconds,
        probeSeconds: o.probeSeconds,
        account: spec.id,
        ...(handlers.onSent ? { onSent: handlers.onSent } : {}),
      },
      o.logger,
      handlers.onMessage,
      handlers.onFriendship,
      handlers.onRoomEvent,
    );
  };
}

function worldConnection(world: World, id: string): { endpoint: string; token: string; noTls: boolean } {
  const a = world.accounts.find((x) => x.id === id);
  if (!a) throw new ConfigError(`account ${id}: the simulated world hosts no such account (it hosts ${world.accounts.map((x) => x.id).join(', ')})`);
  return { endpoint: a.endpoint, token: a.token, noTls: true };
}

function requireEndpoint(spec: AccountSpec): string {
  if (!spec.endpoint) throw new ConfigError(`account ${spec.id}: no endpoint (host:port of its puppet-service server) in the registry`);
  return spec.endpoint;
}

/**
 * The account's puppet-service token, read now from its environment variable or secret file. Errors
 * name where it was looked for, never a value.
 * @throws ConfigError `account hz01-assistant: token: environment variable HZ01_TOKEN is not set`
 */
export function readToken(spec: AccountSpec, env: (name: string) => string | undefined): string {
  const ref = spec.token;
  if (!ref) throw new ConfigError(`account ${spec.id}: token: the registry does not say where to read it ({ env: NAME } or { file: path })`);
  if ('env' in ref) {
    const v = env(ref.env)?.trim();
    if (!v) throw new ConfigError(`account ${spec.id}: token: environment variable ${ref.env} is not set`);
    return v;
  }
  let v: string;
  try {
    v = readFileSync(ref.file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`account ${spec.id}: token: cannot read the secret file ${ref.file} (${errorMessage(err).split(':')[0]})`);
  }
  if (!v) throw new ConfigError(`account ${spec.id}: token: the secret file ${ref.file} is empty`);
  return v;
}
