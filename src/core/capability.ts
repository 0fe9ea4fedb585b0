import type { Config } from '../config.js';
import type { CardSuggestions } from './card-suggestions.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Published } from './published.js';
import type { Db } from '../platform/db/client.js';
import type { Router } from '../inbound/index.js';
import type { Friendships } from '../inbound/index.js';
import type { RoomEvents } from '../inbound/index.js';
import type { Outbox } from '../outbox/index.js';
import type { Scheduler } from '../schedules/index.js';
import type { Queues } from '../platform/queue/queues.js';
import type { WorldSeed } from '../platform/wechaty/world/seed.js';

/** What a capability may use. Capabilities talk through the store, the outbox and the router only. */
export interface CapabilityContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** One way in: declare commands and hints here (`router.commands`), install conversations and observers (`router.use`). */
  router: Router;
  /**
   * Friendship events (requests, confirmations, friends lost) and accepting requests. Set by the app;
   * optional only so that hand-built test contexts need not name it.
   */
  friendships?: Friendships;
  /**
   * Group membership events (joins, leaves), the account's ready signal and member lists. Set by the
   * app; optional only so that hand-built test contexts need not name it.
   */
  rooms?: RoomEvents;
  /** Send only through here (one way out). */
  outbox: Outbox;
  /** Declare routines here; their runs only enqueue. */
  scheduler: Scheduler;
  /** BullMQ queues and workers of the bot's Redis, for a capability's own timers (e.g. SLA deadlines). */
  queues: Queues;
  /** Set only when running against the simulated world: its store, staff, groups and members. */
  demo: WorldSeed | null;
  /**
   * Chat suggestions for the guides' 3+3+3 cards, shared by all capabilities (one board per app).
   * Optional only so that hand-built test contexts need not name it.
   */
  cardSuggestions?: CardSuggestions;
  /**
   * What capabilities publish for the admin commands and the console (a service, a playbook reader):
   * the owner publishes the one instance it runs on, others read it there instead of building a copy.
   * Optional only so that hand-built test contexts need not name it.
   */
  published?: Published;
}

/**
 * A feature module, installed by the composition root.
 * @example export const help: Capability = { name: 'help', install: (ctx) => { ctx.router.use('help', …) } }
 */
export interface Capability {
  name: string;
  install(ctx: CapabilityContext): void | (() => void | Promise<void>);
  /** Figures for /healthz (cheap; called on every request). */
  health?(): Record<string, unknown> | null;
}
