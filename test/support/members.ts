import path from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { zonedTime } from '../../src/core/time.js';
import { loadConfig } from '../../src/config.js';
import { Router } from '../../src/inbound/router.js';
import { peopleOf } from '../../src/core/directory.js';
import { membersCapability } from '../../src/members/members.capability.js';
import { PlaybookHolder, type MembershipPlaybook } from '../../src/members/playbook.js';
import { shippedPlaybook } from '../../src/members/testing.js';
import { outbox as outboxTable } from '../../src/platform/db/schema.js';
import { ScheduleRepo } from '../../src/schedules/schedule.repo.js';
import { Scheduler } from '../../src/schedules/scheduler.js';
import { eq, like } from 'drizzle-orm';
import { outboxHarness, type OutboxHarness } from './harness.js';
import type { OutboxAccounts } from '../../src/outbox/routing.js';
import type { Db } from '../../src/platform/db/client.js';

export const SH = 'Asia/Shanghai';

/** The members capability installed on a Router, over a real outbox (SQLite file + Redis). */
export interface MembersWorld extends OutboxHarness {
  clock: ManualClock;
  router: Router;
  scheduler: Scheduler;
  /** A member (contact `talkerId`) sends `text`; resolves when the handlers are done. Returns the message id. */
  say(talkerId: string, text: string, over?: Partial<InboundMessage>): Promise<string>;
  /** The text of the reply to message `id` (`suffix` for a second send). */
  reply(id: string, suffix?: string): string | undefined;
  /** Outbox rows whose key starts with `prefix`. */
  rows(prefix: string): (typeof outboxTable.$inferSelect)[];
}

let seq = 0;

export async function membersWorld(opts: {
  redisUrl: string;
  dir: string;
  clock?: ManualClock;
  playbook?: MembershipPlaybook;
  accounts?: (db: Db) => OutboxAccounts;
}): Promise<MembersWorld> {
  const clock = opts.clock ?? new ManualClock(zonedTime(2026, 11, 25, 12, 0, SH));
  const h = await outboxHarness({ redisUrl: opts.redisUrl, dbFile: path.join(opts.dir, `members-${seq++}.sqlite`), clock, ...(opts.accounts ? { accounts: opts.accounts } : {}) });
  const logger = silentLogger();
  const router = new Router(logger, peopleOf(h.db));
  const scheduler = new Scheduler(new ScheduleRepo(h.db), h.queues, clock, logger, SH);
  const config = loadConfig({ TIMEZONE: SH });
  membersCapability(new PlaybookHolder(opts.playbook ?? shippedPlaybook())).install({
    config,
    db: h.db,
    clock,
    logger,
    router,
    outbox: h.outbox,
    scheduler,
    queues: h.queues,
    demo: null,
  });
  let n = 0;
  const textOf = (row: { content: string } | undefined) => (row ? (JSON.parse(row.content) as { text?: string }).text : undefined);
  return {
    ...h,
    clock,
    router,
    scheduler,
    async say(talkerId, text, over = {}) {
      const id = `m-${seq}-${++n}`;
      const message: InboundMessage = {
        id,
        account: 'main',
        talkerId,
        talkerName: over.talkerName ?? `会员${talkerId}`,
        roomId: null,
        roomTopic: null,
        type: 'text',
        text,
        mentionSelf: false,
        mentionIds: [],
        self: false,
        providerAt: clock.now().getTime(),
        ...over,
      };
      await router.dispatch({ message, receivedAt: clock.now().getTime() });
      return id;
    },
    reply: (id, suffix) =>
      textOf(
        h.db
          .select()
          .from(outboxTable)
          .where(eq(outboxTable.key, `reply:${id}${suffix ? `:${suffix}` : ''}`))
          .get(),
      ),
    rows: (prefix) =>
      h.db
        .select()
        .from(outboxTable)
        .where(like(outboxTable.key, `${prefix}%`))
        .all(),
  };
}
