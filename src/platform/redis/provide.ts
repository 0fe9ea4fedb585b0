import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { startManagedRedis, type RedisHandle } from './managed.js';
import { pingOnce, redisOptionsFromUrl } from './url.js';

/** Options for {@link provideRedis}: the Redis-related config keys. */
export interface ProvideRedisOptions {
  /** REDIS_URL: use this server as is (not started, not stopped). */
  redisUrl?: string | undefined;
  /** DATA_DIR, for the managed server when REDIS_URL is not set. */
  dataDir: string;
  /** REDIS_SERVER_BIN. */
  bin?: string;
  logger?: Logger;
}

/**
 * The Redis the bot runs on: REDIS_URL if set (checked with a PING; `stop()` does nothing), else
 * the bot's own managed redis-server under DATA_DIR (see startManagedRedis).
 * @throws ConfigError when REDIS_URL does not answer, or as startManagedRedis does.
 * @example const redis = await provideRedis({ redisUrl: config.REDIS_URL, dataDir: config.DATA_DIR, bin: config.REDIS_SERVER_BIN, logger })
 */
export async function provideRedis(opts: ProvideRedisOptions): Promise<RedisHandle> {
  if (!opts.redisUrl) return startManagedRedis({ dataDir: opts.dataDir, bin: opts.bin, logger: opts.logger });
  redisOptionsFromUrl(opts.redisUrl); // throws ConfigError on a malformed URL
  if (!(await pingOnce(opts.redisUrl, 5000))) {
    throw new ConfigError(`REDIS_URL=${redactUrl(opts.redisUrl)} does not answer PING: start that Redis, fix the URL, or unset REDIS_URL so the bot runs its own`);
  }
  opts.logger?.info({ url: redactUrl(opts.redisUrl) }, 'using external Redis from REDIS_URL');
  return { url: opts.redisUrl, pid: null, owned: false, stop: async () => undefined };
}

/** The URL with any password replaced by `***`, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/, '$1***');
}
