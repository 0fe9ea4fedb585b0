/**
 * The Redis names shared by gateways and the core (one Redis, one QUEUE_PREFIX per brand).
 * Keys are per account where they can be, so a gateway's traffic for one account never touches another's.
 */
export function gatewayKeys(prefix: string) {
  const base = `${prefix}:gw`;
  return {
    /** The account's lease: the id of the gateway connecting it (SET NX PX). */
    lease: (account: string) => `${base}:lease:${account}`,
    /** Hash: the account's connection as its gateway last told it (state, selfId, gateway, at). */
    state: (account: string) => `${base}:state:${account}`,
    /** Stream of what the accounts' edges hand in (messages, friendships, room events, login state). */
    events: `${base}:events`,
    /** Pub/sub channel of commands for the account; only the lease holder subscribes. */
    commands: (account: string) => `${base}:cmd:${account}`,
    /** Pub/sub channel of one core process's answers. */
    replies: (coreId: string) => `${base}:reply:${coreId}`,
    /** The record of one idempotent send (`pending|…` before the platform call, `sent|<messageId>` after). */
    sendRecord: (key: string) => `${base}:sent:${key}`,
  };
}

export type GatewayKeys = ReturnType<typeof gatewayKeys>;
