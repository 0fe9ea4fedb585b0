import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushAll } from '../../../test/support/redis.js';
import { useTestRedis } from '../../../test/support/redis-fixture.js';
import { tempDir } from '../../../test/support/harness.js';
import { membersWorld, SH, type MembersWorld } from '../../../test/support/members.js';
import { loadConfig } from '../../config.js';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { zonedTime } from '../../core/time.js';
import { outbox, staff, stores } from '../../platform/db/schema.js';
import { parseWakeupPlaybook, WakeupPlaybookHolder } from '../../wakeup/playbook.js';
import { installWakeup } from '../../wakeup/wakeup.capability.js';
import { runSelection } from '../../wakeup/wakeup.jobs.js';
import { armFor, holdoutDraw } from '../../wakeup/wakeup.rules.js';
import { runImport } from '../import/engine.js';
import { CampaignsRepo } from '../../campaigns/campaigns.repo.js';
import { selectMembers } from '../../campaigns/audience.rules.js';
import { shippedPlaybook } from '../testing.js';

const SEED = 'identity-seed';
const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
const open: MembersWorld[] = [];

beforeAll(async () => {
  tmp = tempDir('siyu-identity-downstream-');
});
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
  await flushAll(redis.url);
});
afterAll(async () => {
  tmp.remove();
});

const now0 = zonedTime(2026, 11, 25, 10, 0, SH).getTime();
const textOf = (r: { content: string }) => (JSON.parse(r.content) as { text: string }).text;

describe('imported members are reached downstream once their contact id is linked', () => {
  it('wake-up reaches a dormant member imported with a 微信ID column; their reply stops the sequence and tells their guide', async () => {
    const clock = new ManualClock(now0);
    const w = await membersWorld({ redisUrl: redis.url, dir: tmp.dir, clock });
    open.push(w);
    w.db.insert(stores).values({ code: 'HZ01', name: '杭州湖滨店', createdAt: now0 }).run();
    w.db.insert(staff).values({ code: 'G1', name: '导购小王', role: 'guide', storeCode: 'HZ01', contactId: 'wx-guide', createdAt: now0, updatedAt: now0 }).run();
    const source = readFileSync('sop/wakeup.yaml', 'utf8').replace('  # seed: "2026-q4"', `  seed: "${SEED}"`);
    const rt = installWakeup(
      {
        config: loadConfig({ TIMEZONE: SH }),
        db: w.db,
        clock,
        logger: silentLogger(),
        router: w.router,
        outbox: w.outbox,
        scheduler: w.scheduler,
        queues: w.queues,
        demo: null,
      },
      new WakeupPlaybookHolder(parseWakeupPlaybook(source, 'sop/wakeup.yaml')),
    );

    // The brand's CRM export: members who joined 40 days ago and never wrote to the bot.
    const rows = Array.from({ length: 6 }, (_, i) => `1380000010${i},老会员${i},HZ01,G1,2026-10-16 10:00,wx-old-${i}`);
    const file = path.join(tmp.dir, 'members.csv');
    writeFileSync(file, `手机号,姓名,门店,导购,入会时间,微信ID\n${rows.join('\n')}\n`);
    const imported = await runImport(w.db, { kind: 'members', file, timeZone: SH, now: new Date(now0), playbook: shippedPlaybook() });
    expect(imported).toMatchObject({ created: 6, bad: 0 });

    await runSelection(rt.deps);
    const members = w.db.$client.prepare('select id, contact_id as contactId, joined_at as joinedAt from members order by id').all() as {
      id: number;
      contactId: string;
      joinedAt: number;
    }[];
    const treated = members.find((m) => armFor(holdoutDraw(SEED, m.id, m.joinedAt), 0.1) === 'treatment')!;
    const sent = w.db
      .select()
      .from(outbox)
      .where(like(outbox.key, 'wakeup:%'))
      .all()
      .filter((r) => !r.key.startsWith('wakeup:handover:'));
    expect(sent.map((r) => r.targetId)).toContain(treated.contactId);

    clock.set(now0 + 5 * 60_000);
    await w.say(treated.contactId, '还记得我呀，最近有什么新品？');
    const episode = w.db.$client.prepare('select id, status, end_reason as endReason from wakeup_episodes where member_id = ?').get(treated.id) as {
      id: number;
      status: string;
      endReason: string;
    };
    expect(episode).toMatchObject({ status: 'stopped', endReason: 'message' });
    const handover = w.rows(`wakeup:handover:${episode.id}`);
    expect(handover.map((r) => [r.targetId, textOf(r)])).toEqual([['wx-guide', expect.stringContaining('还记得我呀，最近有什么新品？')]]);
  });

  it('a members campaign by store reaches members imported with a contact id and members bound in chat', async () => {
    const w = await membersWorld({ redisUrl: redis.url, dir: tmp.dir, clock: new ManualClock(now0) });
    open.push(w);
    w.db.insert(stores).values({ code: 'HZ01', name: '杭州湖滨店', createdAt: now0 }).run();
    const file = path.join(tmp.dir, 'store-members.csv');
    writeFileSync(file, '手机号,姓名,门店,生日,微信ID\n13800000201,有微信,HZ01,,wx-201\n13800000202,待绑定,HZ01,1990-05-20,\n');
    expect(await runImport(w.db, { kind: 'members', file, timeZone: SH, now: new Date(now0), playbook: shippedPlaybook() })).toMatchObject({ created: 2, bad: 0 });
    const audience = () => selectMembers({ stores: ['HZ01'] }, new CampaignsRepo(w.db).memberFacts(), now0).map((t) => [t.vars.name, t.id]);
    expect(audience()).toEqual([
      ['有微信', 'wx-201'],
      ['待绑定', ''],
    ]);

    await w.say('wx-202', '积分');
    await w.say('wx-202', '13800000202');
    await w.say('wx-202', '05-20');
    expect(audience()).toEqual([
      ['有微信', 'wx-201'],
      ['待绑定', 'wx-202'],
    ]);
  });
});
