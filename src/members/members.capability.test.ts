import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { Router } from '../inbound/router.js';
import { peopleOf } from '../core/directory.js';
import type { EnqueueRequest } from '../outbox/outbox.js';
import { openTestDb } from '../platform/db/client.js';
import { rewards } from '../platform/db/schema.js';
import type { ScheduleSpec } from '../schedules/scheduler.js';
import { membersCapability } from './members.capability.js';
import { insertMember, shippedPlaybook } from './testing.js';
import { creditOrder } from './ledger.js';
import { MembersRepo } from './members.repo.js';
import { loadMembershipPlaybook } from './playbook.js';
import { runDoctor } from './doctor.js';
import { eq } from 'drizzle-orm';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function install(file: string) {
  const db = openTestDb();
  const clock = new ManualClock('2026-11-25T04:00:00Z');
  const router = new Router(silentLogger(), peopleOf(db));
  const sent: EnqueueRequest[] = [];
  const specs: ScheduleSpec[] = [];
  const outbox = {
    enqueue: async (r: EnqueueRequest) => {
      sent.push(r);
      return { id: sent.length, created: true, status: 'queued' as const };
    },
    enqueueMany: async () => [],
  };
  const scheduler = {
    declare: (s: ScheduleSpec) => {
      specs.push(s);
    },
  };
  const ctx = { config: loadConfig({}), db, clock, logger: silentLogger(), router, outbox: outbox as never, scheduler: scheduler as never, queues: {} as never, demo: null };
  const uninstall = membersCapability(file).install(ctx);
  const say = (id: string, text: string) =>
    router.dispatch({
      message: {
        id,
        account: 'main',
        talkerId: 'wx-1',
        talkerName: '甲',
        roomId: null,
        roomTopic: null,
        type: 'text',
        text,
        mentionSelf: false,
        mentionIds: [],
        self: false,
        providerAt: clock.now().getTime(),
      },
      receivedAt: clock.now().getTime(),
    });
  return { db, clock, sent, specs, say, uninstall };
}

function copyPlaybook(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'siyu-cap-'));
  dirs.push(dir);
  const file = path.join(dir, 'membership.yaml');
  writeFileSync(file, readFileSync('sop/membership.yaml'));
  return file;
}

describe('members capability', () => {
  it('stops the start with one line naming the file when the playbook is bad', () => {
    const file = copyPlaybook();
    writeFileSync(file, readFileSync(file, 'utf8').replace('yuanPerPoint: 10', 'yuanPerPoint: ten'));
    expect(() => install(file)).toThrow(`${file}: points.yuanPerPoint: expected a positive integer, found "ten"`);
  });

  it('loads the rewards into the store and declares the care routines with crons from the playbook', () => {
    const { db, specs } = install('sop/membership.yaml');
    expect(db.select({ code: rewards.code, stock: rewards.stock }).from(rewards).all()).toEqual([
      { code: 'C001', stock: 10000 },
      { code: 'C002', stock: 5000 },
      { code: 'G001', stock: 500 },
      { code: 'NEW10', stock: null },
      { code: 'BDAY20', stock: null },
    ]);
    expect(specs.map((s) => [s.name, s.cron])).toEqual([
      ['members-care-events', '* * * * *'],
      ['members-care-birthday', '0 9 * * *'],
      ['members-care-festival', '0 10 * * *'],
      ['members-tier-review', '30 3 * * *'],
      ['members-member-day', '0 10 * * 5'],
    ]);
  });

  it('picks up an edited playbook while running, and keeps the last good one after a bad edit', async () => {
    const file = copyPlaybook();
    const { db, clock, sent, say } = install(file);
    insertMember(db, { contactId: 'wx-1' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('optedOut: 已为您退订活动消息', 'optedOut: 好的，已退订'));
    clock.advance(11_000);
    await say('a', '退订');
    expect((sent.at(-1)!.content as { text: string }).text).toMatch(/^好的，已退订/);
    writeFileSync(file, readFileSync(file, 'utf8').replace('optedIn:', 'optedIn: [broken'));
    clock.advance(11_000);
    await say('b', '订阅');
    expect((sent.at(-1)!.content as { text: string }).text).toBe('已恢复接收会员活动消息。回复"退订"可随时停止。');
  });

  it('restocks a reward when its stock figure in the playbook changes; a restart or another edit keeps the live stock', async () => {
    const file = copyPlaybook();
    const withStock = (n: number) => writeFileSync(file, readFileSync(file, 'utf8').replace(/(code: C001\n(?:.*\n){2}\s+stock: )\d+/, `$1${n}`));
    withStock(1);
    const { db, clock, sent, say } = install(file);
    const id = insertMember(db, { contactId: 'wx-1' });
    creditOrder(db, shippedPlaybook(), { orderId: 'O1', memberId: id, amountFen: 200_000, orderedAt: clock.now().getTime() - 60_000 }, clock.now().getTime());
    const stock = () => db.select({ s: rewards.stock }).from(rewards).where(eq(rewards.code, 'C001')).get()!.s;
    const last = () => (sent.at(-1)!.content as { text: string }).text;
    await say('r1', '兑换 C001');
    expect(last()).toMatch(/^兑换成功/);
    await say('r2', '兑换 C001');
    expect(last()).toMatch(/^5元无门槛券已兑完/);
    expect(stock()).toBe(0);

    withStock(3);
    clock.advance(11_000);
    await say('r3', '兑换 C001');
    expect(last()).toMatch(/^兑换成功/);
    expect(stock()).toBe(2);
    // A restart reads the same figure: the live stock stays.
    expect(new MembersRepo(db).syncRewards(loadMembershipPlaybook(file).rewards, clock.now().getTime())).toEqual([]);
    expect(stock()).toBe(2);
    // Another edit that leaves the figure alone keeps it too.
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: 5元无门槛券', 'name: 5元券'));
    clock.advance(11_000);
    await say('r4', '兑换 C001');
    expect(last()).toMatch(/^兑换成功：5元券/);
    expect(stock()).toBe(1);
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
  });
});
