import os from 'node:os';
import { loadConfig, readEnvFile } from '../config.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createRedis } from '../platform/redis/url.js';
import { loadGatewayAccounts, resolveToken } from './accounts-source.js';
import { Gateway } from './gateway.js';

/**
 * `npm run gateway`: connects accounts for a core on another machine. Needs REDIS_URL (the core's
 * Redis) and the accounts it may connect (GATEWAY_ACCOUNTS_FILE, sop/accounts.yaml or the single
 * ACCOUNT_ID); opens no port. Stops on SIGTERM/SIGINT, giving its accounts up at once.
 */
async function main(): Promise<void> {
  const env = { ...readEnvFile(process.cwd()), ...process.env };
  let config;
  let accounts;
  try {
    config = loadConfig(env);
    if (!config.REDIS_URL) throw new ConfigError('gateway: REDIS_URL is not set: a gateway needs the Redis the core uses (redis://host:port)');
    accounts = loadGatewayAccounts(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`siyu-gateway: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const secrets = accounts.flatMap((a) => {
    try {
      return [resolveToken(a, env)];
    } catch {
      return [];
    }
  });
  const pretty = config.LOG_PRETTY === 'auto' ? Boolean(process.stdout.isTTY) : config.LOG_PRETTY === 'true';
  const logger = createLogger({ level: config.LOG_LEVEL, pretty, secrets });
  const id = config.GATEWAY_ID ?? `${os.hostname()}-${process.pid}`;
  const redis = createRedis(config.REDIS_URL!, { connectionName: `gateway-${id}` });
  const subscriber = createRedis(config.REDIS_URL!, { connectionName: `gateway-${id}-cmd` });
  const cfg = config;
  const gateway = new Gateway({
    id,
    prefix: config.QUEUE_PREFIX,
    redis,
    subscriber,
    accounts: () => loadGatewayAccounts(cfg),
    env,
    edge: {
      noTls: config.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT,
      ...(config.WECHATY_PUPPET_SERVICE_AUTHORITY ? { authority: config.WECHATY_PUPPET_SERVICE_AUTHORITY } : {}),
      timeoutSeconds: config.PUPPET_TIMEOUT_SECONDS,
      maxBackoffSeconds: config.SUPERVISOR_MAX_BACKOFF_SECONDS,
      probeSeconds: config.SUPERVISOR_PROBE_SECONDS,
    },
    lease: {
      ttlMs: config.GATEWAY_LEASE_SECONDS * 1000,
      scanMs: config.GATEWAY_SCAN_SECONDS * 1000,
      maxAccounts: config.GATEWAY_MAX_ACCOUNTS,
    },
    logger,
  });
  gateway.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: forcing exit');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal, accounts: gateway.accounts().length }, 'gateway stopping: accounts disconnected and their leases given up');
    gateway
      .stop()
      .then(() => Promise.allSettled([redis.quit(), subscriber.quit()]))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'gateway: stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
