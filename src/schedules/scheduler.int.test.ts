import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { Queues } from '../platform/queue/queues.js';
import { redisOptionsFromUrl } from '../platform/redis/url.js';
import { useTestRedis } from '../../test/support/redis-fixture.js';
import { tempDir } from '../../test/support/harness.js';
import { ScheduleRepo } from './schedule.repo.js';
import { Scheduler } from './scheduler.js';

const redis = useTestRedis();
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => {
  tmp.remove();
});

/** One "bot process": its own SQLite connection and Redis connections, sharing the file and the server. */
function processFor(dbFile: string, prefix: string, clock = systemClock) {
  const db = openDb(dbFile);
  const queues = new Queues({ ...redisOptionsFromUrl(redis.url) }, prefix);
  const repo = new ScheduleRepo(db);
  const scheduler = new Scheduler(repo, queues, clock, silentLogger(), 'Asia/Shanghai');
  return {
    db,
    repo,
    scheduler,
    close: async () => {
      await scheduler.stop();
      await queues.close();
      closeDb(db);
    },
  };
}

describe('schedules fire once per slot', () => {
  it('runs a slot once when two bot processes tick it', async () => {
    const file = path.join(tmp.dir, `two-${randomUUID()}.db`);
    const prefix = `s${randomUUID().slice(0, 6)}`;
    const a = processFor(file, prefix);
    const b = processFor(file, prefix);
    const runs: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    for (const [name, p] of [
      ['a', a],
      ['b', b],
    ] as const) {
      p.scheduler.declare({
        name: 'guide-digest',
        cron: '30 9 * * *',
        catchUpMs: 0,
        run: (slot) => {
          runs.push(`${name}:${slot.toISOString()}`);
          done();
        },
      });
      await p.scheduler.start();
    }
    const slot = zonedTime(2027, 1, 5, 9, 30, 'Asia/Shanghai');
    const fired = await Promise.all([a.scheduler.fire('guide-digest', slot), b.scheduler.fire('guide-digest', slot), a.scheduler.fire('guide-digest', slot)]);
    expect(fired.filter(Boolean)).toHaveLength(1);
    await finished;
    await a.close();
    await b.close();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/:2027-01-05T01:30:00.000Z$/);
    const check = openDb(file);
    expect(new ScheduleRepo(check).get('guide-digest', slot.getTime())).toMatchObject({ status: 'done' });
    closeDb(check);
  });

  it('ticks on node-cron in two processes and runs every slot exactly once', async () => {
    const file = path.join(tmp.dir, `cron-${randomUUID()}.db`);
    const prefix = `c${randomUUID().slice(0, 6)}`;
    const procs = [processFor(file, prefix), processFor(file, prefix)];
    const perSlot = new Map<number, number>();
    let resolve!: () => void;
    const twoSlots = new Promise<void>((r) => {
      resolve = r;
    });
    for (const p of procs) {
      p.scheduler.declare({
        name: 'every-second',
        cron: '* * * * * *',
        catchUpMs: 0,
        run: (slot) => {
          perSlot.set(slot.getTime(), (perSlot.get(slot.getTime()) ?? 0) + 1);
          if (perSlot.size >= 3) resolve();
        },
      });
      await p.scheduler.start();
    }
    await twoSlots;
    for (const p of procs) await p.close();
    expect([...perSlot.values()].every((n) => n === 1)).toBe(true);
  });

  it('catches up a slot missed by less than the window and records an older one as skipped', async () => {
    const file = path.join(tmp.dir, `catch-${randomUUID()}.db`);
    const prefix = `k${randomUUID().slice(0, 6)}`;
    const clock = new ManualClock(zonedTime(2026, 11, 25, 10, 30, 'Asia/Shanghai'));
    const p = processFor(file, prefix, clock);
    const ran: string[] = [];
    let resolve!: () => void;
    const caught = new Promise<void>((r) => {
      resolve = r;
    });
    p.scheduler.declare({
      name: 'card',
      cron: '30 9 * * *',
      catchUpMs: 2 * 3_600_000,
      run: () => {
        ran.push('card');
        resolve();
      },
    });
    p.scheduler.declare({
      name: 'summary',
      cron: '30 20 * * *',
      catchUpMs: 2 * 3_600_000,
      run: () => {
        ran.push('summary');
      },
    });
    // The bot ran before: the day before yesterday's summary slot is on record.
    const earlier = zonedTime(2026, 11, 23, 20, 30, 'Asia/Shanghai').getTime();
    p.repo.open('summary', earlier, earlier);
    p.repo.finish('summary', earlier, earlier);
    await p.scheduler.start();
    await caught;
    const summarySlot = zonedTime(2026, 11, 24, 20, 30, 'Asia/Shanghai').getTime();
    expect(p.repo.get('summary', summarySlot)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('missed by 840 min') });
    await p.close();
    expect(ran).toEqual(['card']);
  });

  it('on the first start after install, records older slots as before the first start (not missed)', async () => {
    const file = path.join(tmp.dir, `first-${randomUUID()}.db`);
    const clock = new ManualClock(zonedTime(2026, 11, 25, 10, 30, 'Asia/Shanghai'));
    const p = processFor(file, `f${randomUUID().slice(0, 6)}`, clock);
    p.scheduler.declare({ name: 'summary', cron: '30 20 * * *', catchUpMs: 2 * 3_600_000, run: () => undefined });
    await p.scheduler.start();
    const summarySlot = zonedTime(2026, 11, 24, 20, 30, 'Asia/Shanghai').getTime();
    expect(p.repo.get('summary', summarySlot)).toMatchObject({ status: 'skipped', reason: 'before the first start' });
    await p.close();
  });

  it('refuses a bad cron expression with the schedule name and the expected form', () => {
    const p = processFor(':memory:', 'x');
    expect(() => p.scheduler.declare({ name: 'broken', cron: '61 9 * * *', catchUpMs: 0, run: () => undefined })).toThrow(
      /schedule "broken": cron "61 9 \* \* \*" is not valid.*expected 5 fields/,
    );
    void p.close();
  });
});
