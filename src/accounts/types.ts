import type { FriendRequest, InboundMessage, RoomMemberEvent } from '../core/messages.js';
import type { Purpose } from '../outbox/index.js';
import type { WechatyEdge } from '../platform/wechaty/edge.js';

/**
 * The brand's bot accounts as records (the registry, `sop/accounts.yaml`). Capabilities never name an
 * account: they address a person or a group and the outbox routes (see outbox routing).
 */

/** `store`: a store's assistant account; `hq`: headquarters; `guide`: a shopping guide's own account. */
export const ACCOUNT_ROLES = ['store', 'hq', 'guide'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** What a down account's waiting messages of one purpose do: go through another account that reaches the target, or wait for it (or their expiry). */
export const DOWN_POLICIES = ['reroute', 'wait'] as const;
export type DownPolicy = (typeof DOWN_POLICIES)[number];

export interface AccountBudget {
  /** Sends in any sliding 60 s (0: no budget, benchmarks only). */
  ratePerMinute: number;
  capPerHour: number;
  /** 0: no daily cap. */
  capPerDay: number;
  gapMinMs: number;
  gapMaxMs: number;
}

export interface AccountSpec {
  /** Stable id (letters, digits, _ and -): stamped on inbound messages, outbox rows, queues and budget keys. */
  id: string;
  /** A name operators read (`杭州西湖店 店助`). */
  name: string;
  role: AccountRole;
  /** Store codes it serves (its members' and groups' store). */
  stores: string[];
  /** For role `guide`: the staff code of the guide whose own account it is. */
  guide?: string;
  /** Puppet-service `host:port` (production); the simulated world assigns its own. */
  endpoint?: string;
  /** Where the puppet-service token is read from: an environment variable or a secret file. Never stored in SQLite, logged or shown. */
  token?: { env: string } | { file: string };
  budget: AccountBudget;
  enabled: boolean;
  /** Per purpose, what its waiting messages do while this account is logged out, banned or disabled. */
  onDown: Record<Purpose, DownPolicy>;
}

/** `online`: logged in and ready; `offline`: enabled but not logged in (connecting, logged out, banned); `disabled`: off in the registry. */
export type AccountState = 'online' | 'offline' | 'disabled';

/** The registry as the running bot sees it: current specs and each account's connection state. */
export interface AccountsView {
  list(): readonly AccountSpec[];
  get(id: string): AccountSpec | undefined;
  state(id: string): AccountState;
}

/** Where an account's edge hands what it receives (the same callbacks createWechatyEdge takes). */
export interface EdgeHandlers {
  onMessage: (m: InboundMessage) => Promise<void>;
  onFriendship: (f: FriendRequest) => void;
  onRoomEvent: (ev: RoomMemberEvent) => void;
  onSent?: (messageId: string) => void;
}

/**
 * Builds the connection of one account: in-process (createWechatyEdge to its puppet-service endpoint)
 * or through a gateway process that holds the account's lease (see src/gateway/). Both are a WechatyEdge.
 */
export type EdgeFactory = (spec: AccountSpec, handlers: EdgeHandlers) => WechatyEdge;
