import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import { remoteEdgeFactory, type RemoteEdgeFactory } from './remote-edge.js';

/**
 * The core's edge factory from its config: the remote one when GATEWAYS=remote (accounts connected by
 * `npm run gateway` processes), else undefined (the hub's in-process default). Close it on stop.
 * @example edgeFactory: gatewayEdgeFactory(config, redis, logger)
 */
export function gatewayEdgeFactory(config: Config, redis: Redis, logger: Logger): RemoteEdgeFactory | undefined {
  if (config.GATEWAYS !== 'remote') return undefined;
  return remoteEdgeFactory(redis, {
    prefix: config.QUEUE_PREFIX,
    logger,
    requestTimeoutMs: config.GATEWAY_REQUEST_TIMEOUT_SECONDS * 1000,
  });
}
