import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { Queues } from '../../../platform/queue/queues.js';

/** Where the queue inspector is mounted. */
export const QUEUES_PATH = '/queues';

/**
 * Mounts bull-board (the BullMQ queue inspector) at `/queues`, behind the console's token like every
 * other page (the login cookie works). Queues the bot opens later (a capability's timers) are added
 * on the next request.
 */
export function mountQueueBoard(app: Hono, queues: Queues): void {
  const adapter = new HonoAdapter(serveStatic);
  adapter.setBasePath(QUEUES_PATH);
  const board = createBullBoard({ queues: [], serverAdapter: adapter, options: { uiConfig: { boardTitle: 'siyu-bot 队列' } } });
  let known = '';
  const sync = () => {
    const list = queues.list();
    const names = list
      .map((q) => q.name)
      .sort()
      .join(',');
    if (names !== known) {
      board.replaceQueues(list.map((q) => new BullMQAdapter(q)));
      known = names;
    }
  };
  app.use(`${QUEUES_PATH}/*`, async (_c, next) => {
    sync();
    await next();
  });
  app.use(QUEUES_PATH, async (_c, next) => {
    sync();
    await next();
  });
  app.route(QUEUES_PATH, adapter.registerPlugin());
}
