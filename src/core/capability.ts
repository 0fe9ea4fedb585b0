import type { Config } from '../config.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Db } from '../platform/db/client.js';
import type { Router } from '../inbound/router.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Scheduler } from '../schedules/scheduler.js';
import type { WorldSeed } from '../platform/wechaty/world/seed.js';

/** What a capability may use. Capabilities talk through the store, the outbox and the router only. */
export interface CapabilityContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Install inbound handlers here (one way in). */
  router: Router;
  /** Send only through here (one way out). */
  outbox: Outbox;
  /** Declare routines here; their runs only enqueue. */
  scheduler: Scheduler;
  /** Set only when running against the simulated world: its store, staff, groups and members. */
  demo: WorldSeed | null;
}

/**
 * A feature module, installed by the composition root.
 * @example export const help: Capability = { name: 'help', install: (ctx) => { ctx.router.use('help', …) } }
 */
export interface Capability {
  name: string;
  install(ctx: CapabilityContext): void | (() => void | Promise<void>);
}
