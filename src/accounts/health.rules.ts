import type { AccountState } from './types.js';

/**
 * Whether the deployment is healthy: the store and Redis answer, and at least one enabled account is
 * online (the others' states are listed beside it; one logged-out account of three does not fail it).
 * @example healthOk({ redisOk: true, dbOk: true, states: ['offline', 'online', 'disabled'] }) // true
 */
export function healthOk(h: { redisOk: boolean; dbOk: boolean; states: readonly AccountState[] }): boolean {
  return h.redisOk && h.dbOk && h.states.includes('online');
}
