import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { zonedTime } from '../core/time.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { SlaRepo } from '../sla/sla.repo.js';
import { seedSlaStore } from '../sla/testing.js';
import { slaCommand } from './cli-sla.js';
import { runCli } from './cli.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-io.js';

const SH = 'Asia/Shanghai';
const HOUR = 3_600_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store with two open questions (one a backlog) and one answered, and an io over it at `now`. */
function setup(now = zonedTime(2026, 11, 30, 12, 0, SH)) {
  const dir = mkdtempSync(path.join(tmpdir(), 'siyu-cli-sla-'));
  dirs.push(dir);
  const file = path.join(dir, 'siyu.db');
  const db = openDb(file);
  seedSlaStore(db);
  const repo = new SlaRepo(db);
  const base = { roomId: 'g1@chatroom', conversationId: 'g1@chatroom', conversationName: '湖滨店宝妈1群', storeCode: 'HZ01', guideCode: 'G1', messageCount: 1 };
  const old = zonedTime(2026, 11, 25, 12, 0, SH).getTime();
  repo.open({
    ...base,
    memberId: 'm2',
    memberName: '王小丫',
    firstMessageId: 'a',
    lastMessageId: 'a',
    preview: '几点发货？',
    openedAt: old,
    lastMessageAt: old,
    targetDueAt: old + HOUR,
    backlogAt: old + 48 * HOUR,
  });
  const recent = now.getTime() - HOUR;
  repo.open({
    ...base,
    memberId: 'm3',
    memberName: '赵敏',
    firstMessageId: 'b',
    lastMessageId: 'b',
    preview: '有优惠吗？',
    openedAt: recent,
    lastMessageAt: recent,
    targetDueAt: recent + HOUR,
    backlogAt: recent + 48 * HOUR,
  });
  closeDb(db);
  let out = '';
  const io: CliIo = {
    stdout: {
      write: (t: string) => {
        out += t;
        return true;
      },
    },
    stderr: { write: () => true } as unknown as CliIo['stderr'],
    env: { DB_FILE: file, TIMEZONE: SH },
    cwd: dir,
    now: () => now,
  };
  return { io, out: () => out, file };
}

describe('npm run cli -- sla', () => {
  it('backlog lists the questions open past 48 business hours, --all every open question', async () => {
    const { io, out } = setup();
    expect(await slaCommand.run(['backlog'], io)).toBe(0);
    expect(out()).toMatch(
      /^backlog \(open over 48 business hours\): 1\n#1 {2}2026-11-25 12:00 {2}王小丫 \(湖滨店宝妈1群, store HZ01, guide G1\) {2}几点发货？ {2}waited \d+小时 \(raw 120小时\)\n$/u,
    );
    const all = setup();
    expect(await slaCommand.run(['backlog', '--all'], all.io)).toBe(0);
    expect(all.out()).toContain('open questions: 2');
  });

  it('report prints the figures, and --json gives the console its data', async () => {
    const { io, out } = setup();
    expect(await slaCommand.run(['report', '--from', '2026-11-24', '--to', '2026-11-30', '--json'], io)).toBe(0);
    const report = JSON.parse(out()) as { total: { questions: number; open: number; backlog: number } };
    expect(report.total).toMatchObject({ questions: 2, open: 2, backlog: 1 });
    const text = setup();
    expect(await slaCommand.run(['report'], text.io)).toBe(0);
    expect(text.out()).toContain('by store');
  });

  it('report reads in local time and tells two guides of the same name apart; --json keeps epoch ms', async () => {
    const { io, out, file } = setup();
    const db = openDb(file);
    db.$client.prepare("update staff set name = '王晓燕' where code = 'G2'").run();
    const at = zonedTime(2026, 11, 30, 10, 0, SH).getTime();
    new SlaRepo(db).open({
      roomId: 'g2@chatroom',
      conversationId: 'g2@chatroom',
      conversationName: '湖滨店宝妈2群',
      storeCode: 'HZ01',
      guideCode: 'G2',
      messageCount: 1,
      memberId: 'm4',
      memberName: '杨雪',
      firstMessageId: 'c',
      lastMessageId: 'c',
      preview: '在吗？',
      openedAt: at,
      lastMessageAt: at,
      targetDueAt: at + HOUR,
      backlogAt: at + 48 * HOUR,
    });
    closeDb(db);
    expect(await slaCommand.run(['report', '--from', '2026-11-24', '--to', '2026-11-30'], io)).toBe(0);
    const text = out();
    expect(text).toContain('open questions judged at 2026-11-30 12:00:00;');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    const byGuide = text.slice(text.indexOf('by guide'));
    expect(byGuide).toMatch(/\n王晓燕（G1）\s+2\s/u);
    expect(byGuide).toMatch(/\n王晓燕（G2）\s+1\s/u);
    const json = setup();
    expect(await slaCommand.run(['report', '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out()).asOf).toBe(zonedTime(2026, 11, 30, 12, 0, SH).getTime());
  });

  it('answers `report sla` through the report command', async () => {
    const { io, out } = setup();
    expect(await runCli(['report', 'sla', '--from', '2026-11-24', '--json'], io)).toBe(0);
    expect(JSON.parse(out())).toMatchObject({ from: '2026-11-24', to: '2026-11-30', total: { questions: 2 } });
  });

  it('close closes open questions handled elsewhere and says which were not open', async () => {
    const { io, out, file } = setup();
    expect(await slaCommand.run(['close', '#1', '7', '--by', '林可欣'], io)).toBe(0);
    expect(out()).toContain('closed #1');
    expect(out()).toContain('not open (closed already, or no such question): #7');
    const db = openDb(file);
    expect(new SlaRepo(db).get(1)).toMatchObject({ status: 'handled', closedBy: 'cli:林可欣' });
    closeDb(db);
    expect(await slaCommand.run(['close', '1'], io)).toBe(1);
  });

  it('refuses a wrong command line with what is allowed', async () => {
    const { io } = setup();
    await expect(slaCommand.run(['purge'], io)).rejects.toThrow(new UsageError('unknown sla command "purge": sla commands are backlog, report, close'));
    await expect(slaCommand.run(['report', '--from', '25.11.2026'], io)).rejects.toThrow('--from "25.11.2026" is not a date: expected YYYY-MM-DD');
    await expect(slaCommand.run(['close', 'abc'], io)).rejects.toThrow('"abc" is not a question number');
  });
});
