import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignService, CampaignsRepo } from '../campaigns/index.js';
import { CAMPAIGNS } from '../campaigns/index.js';
import { loadConfig } from '../config.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { Published } from '../core/published.js';
import { peopleOf } from '../core/directory.js';
import { Router } from '../inbound/router.js';
import type { EnqueueRequest } from '../outbox/index.js';
import { MEMBERSHIP_PLAYBOOK } from '../members/index.js';
import { shippedPlaybook } from '../members/testing.js';
import { closeDb, openTestDb, type Db } from '../platform/db/client.js';
import { staff } from '../platform/db/schema.js';
import { SLA_PLAYBOOK } from '../sla/index.js';
import { inbound, testPlaybook } from '../sla/testing.js';
import { adminCapability } from './admin.capability.js';

/**
 * The admin commands build no copies: the campaign service and the playbooks they use are the ones
 * the campaigns, members and SLA capabilities published on the app's board.
 */
describe('admin commands on what the capabilities publish', () => {
  let db: Db;
  let router: Router;
  let sent: EnqueueRequest[];
  let paused: string[];
  let slaReads: number;
  let uninstall: (() => void | Promise<void>) | void;
  const clock = new ManualClock('2026-11-25T04:00:00Z');

  beforeEach(() => {
    db = openTestDb();
    const now = clock.now().getTime();
    db.insert(staff).values({ code: 'HQ1', name: '总部小林', role: 'hq', contactId: 'hq-lin', createdAt: now, updatedAt: now }).run();
    router = new Router(silentLogger(), peopleOf(db));
    sent = [];
    paused = [];
    slaReads = 0;
    const published = new Published();
    const sla = testPlaybook();
    const service = {
      pause: (id: string) => {
        paused.push(id);
        return { ok: true, message: '已暂停' };
      },
    } as unknown as CampaignService;
    const repo = { list: () => [] } as unknown as CampaignsRepo;
    published.publish(CAMPAIGNS, { repo, service });
    published.publish(SLA_PLAYBOOK, () => {
      slaReads += 1;
      return sla;
    });
    published.publish(MEMBERSHIP_PLAYBOOK, () => shippedPlaybook());
    uninstall = adminCapability().install({
      config: loadConfig({ TIMEZONE: 'Asia/Shanghai' }),
      db,
      clock,
      logger: silentLogger(),
      router,
      published,
      demo: null,
      outbox: {
        enqueue: async (req: EnqueueRequest) => {
          sent.push(req);
          return { id: sent.length, created: true };
        },
      } as never,
      scheduler: null as never,
      queues: null as never,
    });
  });
  afterEach(async () => {
    if (uninstall) await uninstall();
    closeDb(db);
  });

  const say = async (text: string) => {
    await router.dispatch({ message: inbound({ talkerId: 'hq-lin', talkerName: '总部小林', roomId: null, roomTopic: null, text }), receivedAt: clock.now().getTime() });
    return (sent.at(-1)?.content as { text?: string } | undefined)?.text ?? '';
  };

  it('pauses a campaign through the published campaign service', async () => {
    expect(await say('暂停活动 member-day')).toContain('已暂停活动 member-day');
    expect(paused).toEqual(['member-day']);
  });

  it('answers 待回复 from the published SLA playbook, read at each command and never from disk', async () => {
    await say('待回复');
    await say('待回复');
    expect(slaReads).toBe(2);
    expect(sent).toHaveLength(2);
  });

  it("refuses to install without the app's board", () => {
    expect(() =>
      adminCapability().install({
        config: loadConfig({}),
        db,
        clock,
        logger: silentLogger(),
        router,
        demo: null,
        outbox: null as never,
        scheduler: null as never,
        queues: null as never,
      }),
    ).toThrow('the admin commands need the published board of the app (ctx.published)');
  });
});
