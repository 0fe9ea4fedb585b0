import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { runCliIn } from '../../test/support/cli.js';
import { insertMember, insertStore } from '../members/testing.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { staff } from '../platform/db/schema.js';

/** Wednesday 2026-11-25 12:00 in Shanghai: the morning window is over, the evening one (19:00–21:00) ahead. */
const NOW = new Date('2026-11-25T04:00:00Z');
const DAY = 86_400_000;
let tmp: ReturnType<typeof tempDir>;
let playbook: string;

const cli = (...argv: string[]) => runCliIn(tmp.dir, argv, { env: { USER: 'tester', WAKEUP_PLAYBOOK: playbook }, now: NOW });
const count = (sql: string) => {
  const db = openDb(path.join(tmp.dir, 'siyu.db'));
  try {
    return db.$client.prepare(sql).pluck().get() as number;
  } finally {
    closeDb(db);
  }
};

beforeEach(() => {
  tmp = tempDir('siyu-cli-wakeup-');
  // the shipped playbook with no holdout, so every dormant member is in the treatment
  playbook = path.join(tmp.dir, 'wakeup.yaml');
  writeFileSync(playbook, readFileSync('sop/wakeup.yaml', 'utf8').replace('share: 0.10', 'share: 0').replace('  # seed: "2026-q4"', '  seed: "t"'));
  const db = openDb(path.join(tmp.dir, 'siyu.db'));
  const now = NOW.getTime();
  insertStore(db, 'HZ01', now);
  db.insert(staff).values({ code: 'G1', name: '导购小王', role: 'guide', storeCode: 'HZ01', contactId: 'wx-guide', createdAt: now, updatedAt: now }).run();
  // three dormant members reachable by the bot, two only through their guide (no contact)
  for (const [i, contactId] of ['wx-a', 'wx-b', 'wx-c', null, null].entries()) {
    insertMember(db, { contactId, name: `会员${i}`, guideCode: 'G1', storeCode: 'HZ01', joinedAt: now - 400 * DAY, lastActiveAt: now - 35 * DAY }, now);
  }
  closeDb(db);
});
afterEach(() => tmp.remove());

describe('wakeup run', () => {
  it('--dry-run shows per stage how many would get a message, a card suggestion or nothing (holdout), and records nothing', async () => {
    const r = await cli('wakeup', 'run', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('wake-up preview (nothing recorded) at 2026-11-25 12:00 Asia/Shanghai');
    expect(r.out).toContain('send window 2026-11-25 19:00–21:00');
    expect(r.out).toContain('newly dormant: 5 treatment, 0 holdout');
    expect(r.out).toMatch(/^1\s+30\s+3\s+2\s+0$/m);
    expect(r.out).toMatch(/^total\s+3\s+2\s+0$/m);
    expect(count('select count(*) from wakeup_episodes')).toBe(0);
    expect(count("select count(*) from outbox where key like 'wakeup:%'")).toBe(0);
    expect(count("select count(*) from operator_actions where action = 'wakeup.run'")).toBe(0);
  });

  it('runs now: the messages are recorded for the next window, audited; a second run adds nothing', async () => {
    const r = await cli('wakeup', 'run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^total\s+3\s+2\s+0$/m);
    expect(count("select count(*) from outbox where key like 'wakeup:%' and status = 'queued'")).toBe(3);
    expect(count(`select min(not_before) from outbox where key like 'wakeup:%'`)).toBe(NOW.getTime() + 7 * 3_600_000);
    expect(count("select count(*) from operator_actions where action = 'wakeup.run' and actor = 'cli:tester'")).toBe(1);
    const again = await cli('wakeup', 'run', '--json');
    expect(JSON.parse(again.out)).toMatchObject({ dryRun: false, totals: { sent: 0, suggested: 0, holdout: 0 } });
    expect(count("select count(*) from outbox where key like 'wakeup:%'")).toBe(3);
  });

  it('answers a wrong command line with what is allowed', async () => {
    expect((await cli('wakeup', 'go')).err).toContain('wakeup commands are run');
    expect((await cli('wakeup', 'run', '--bogus')).code).toBe(2);
  });
});
