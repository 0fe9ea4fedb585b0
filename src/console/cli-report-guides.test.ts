import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { silentLogger } from '../core/logger.js';
import { zonedTime } from '../core/time.js';
import { runCards } from '../guide-sop/cards.jobs.js';
import { GuideSopRepo } from '../guide-sop/guide-sop.repo.js';
import { SelectionRepo } from '../guide-sop/selection.repo.js';
import { shippedGuidePlaybook, smallStore } from '../guide-sop/testing.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { reportGuidesCommand } from './cli-report-guides.js';
import type { CliIo } from './cli-io.js';

const tmp = tempDir('siyu-cli-report-');
afterAll(() => tmp.remove());

function io(dbFile: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) } as CliIo['stderr'],
    env: { DB_FILE: dbFile, TIMEZONE: 'Asia/Shanghai', LOG_LEVEL: 'silent' },
    cwd: tmp.dir,
    now: () => zonedTime(2026, 11, 26, 10, 0, 'Asia/Shanghai'),
    out: () => out,
    err: () => err,
  };
}

describe('npm run cli -- report guides', () => {
  const file = path.join(tmp.dir, 'store.sqlite');

  it('prints completion tables for the range, and JSON with --json', async () => {
    const db = openDb(file);
    const now = zonedTime(2026, 11, 25, 9, 30, 'Asia/Shanghai').getTime();
    smallStore(db, now);
    const repo = new GuideSopRepo(db);
    await runCards(
      { repo, selection: new SelectionRepo(db), outbox: { enqueueMany: async () => undefined }, timezone: 'Asia/Shanghai', playbook: shippedGuidePlaybook, logger: silentLogger() },
      new Date(now),
      now,
    );
    repo.updateDay('2026-11-25', 'G1', now, () => ({ ticks: { moments: 7, chats: 7, groups: 3 }, done: 8 }));
    closeDb(db);

    const a = io(file);
    expect(await reportGuidesCommand.run(['guides', '--from', '2026-11-20', '--to', '2026-11-26'], a)).toBe(0);
    expect(a.out()).toMatch(/^3\+3\+3 completion 2026-11-20 – 2026-11-26: 2 cards, 1 completed, items 8\/14 = 57%/);
    expect(a.out()).toMatch(/By store\n.*\n.*\nHZ01\s+杭州湖滨店\s+2\s+2\s+1\s+8\/14\s+57%/);
    const b = io(file);
    expect(await reportGuidesCommand.run(['guides', '--json', '--store', 'HZ01'], b)).toBe(0);
    expect(JSON.parse(b.out())).toMatchObject({ from: '2026-11-20', to: '2026-11-26', store: 'HZ01', overall: { cards: 2, done: 8 } });
  });

  it('refuses a wrong command line with what is allowed', async () => {
    await expect(reportGuidesCommand.run(['stores'], io(file))).rejects.toThrow('unknown report "stores": reports are guides');
    await expect(reportGuidesCommand.run(['guides', '--from', '11/01'], io(file))).rejects.toThrow('--from "11/01" is not a date: expected YYYY-MM-DD');
    await expect(reportGuidesCommand.run(['guides', '--from', '2026-12-01', '--to', '2026-11-01'], io(file))).rejects.toThrow('--from 2026-12-01 is after --to 2026-11-01');
  });
});
