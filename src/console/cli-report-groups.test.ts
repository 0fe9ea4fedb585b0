import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/harness.js';
import { zonedTime } from '../core/time.js';
import { GroupsRepo } from '../groups/groups.repo.js';
import { seedDemoStore } from '../members/demo-seed.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { loadSeed } from '../platform/wechaty/world/seed.js';
import { reportGroupsCommand } from './cli-report-groups.js';
import type { CliIo } from './cli-io.js';

const tmp = tempDir('siyu-cli-groups-');
afterAll(() => tmp.remove());
const TZ = 'Asia/Shanghai';
const A = 'hz01-a@chatroom';

function io(dbFile: string): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true } as unknown as CliIo['stderr'],
    env: { DB_FILE: dbFile, TIMEZONE: TZ, LOG_LEVEL: 'silent' },
    cwd: tmp.dir,
    now: () => zonedTime(2026, 11, 26, 10, 0, TZ),
    out: () => out,
  };
}

describe('npm run cli -- report groups', () => {
  const file = path.join(tmp.dir, 'store.sqlite');

  it('prints retention, interaction and staff posts per group, JSON with --json, and the spam list with --spam', async () => {
    const db = openDb(file);
    const t = (d: number, h = 10) => zonedTime(2026, 11, d, h, 0, TZ).getTime();
    seedDemoStore(db, loadSeed(), { now: t(1), baseTier: 'regular', timezone: TZ });
    const repo = new GroupsRepo(db);
    repo.insertSpell({ roomId: A, contactId: 'm001', joinedAt: t(1), how: 'seen-at-start', now: t(1) });
    const left = repo.insertSpell({ roomId: A, contactId: 'n1', joinedAt: t(20), how: 'join', now: t(20) });
    repo.insertSpell({ roomId: A, contactId: 'n2', joinedAt: t(21), how: 'join', now: t(21) });
    repo.endSpell(left, t(22), 'left', 'n1', t(22));
    const post = db.$client.prepare(`insert into inbound_messages (id, account, conversation_id, talker_id, room_id, type, text, provider_at, received_at)
      values (?, 'main', ?, ?, ?, 'text', 'hi', ?, ?)`);
    post.run('p1', A, 'n2', A, t(24), t(24));
    post.run('p2', A, 'guide-hz01-01', A, t(25), t(25));
    repo.insertSpam({
      messageId: 'p3',
      roomId: A,
      talkerId: 'n2',
      talkerName: '新人',
      kind: 'link',
      detail: 'www.x.cn',
      raw: '{"text":"www.x.cn"}',
      postedAt: t(25),
      alertedTo: 'guide-hz01-01',
      alertKey: 'k',
      noAlertReason: null,
      createdAt: t(25),
    });
    closeDb(db);

    const text = io(file);
    expect(await reportGroupsCommand.run(['groups', '--from', '2026-11-23', '--to', '2026-11-26'], text)).toBe(0);
    expect(text.out()).toContain('All groups: 2 joined, 1 still in, retention 50.0%; below target: hz01-a@chatroom');
    expect(text.out()).toContain('湖滨店宝妈交流1群 (hz01-a@chatroom) · HZ01 · guide-hz01-01 · 2 members · 1 suspected spam');
    expect(text.out()).toContain('  week of 2026-11-23 interaction: 1/2 50.0%');
    expect(text.out()).toContain('  staff posts: 1 in 4 days (0.3/day): 11-25 1+0 (staff+bot)');

    const json = io(file);
    expect(await reportGroupsCommand.run(['groups', '--json', '--store', 'HZ01', '--from', '2026-11-01', '--to', '2026-11-26'], json)).toBe(0);
    const r = JSON.parse(json.out());
    expect(r.groups.map((g: { roomId: string }) => g.roomId)).toEqual(['hz01-a@chatroom', 'hz01-b@chatroom', 'hz01-vip@chatroom']);
    expect(r.groups[0].retention).toEqual([{ month: '2026-11', joined: 2, retained: 1, rate: 0.5, left: 1 }]);

    const spam = io(file);
    expect(await reportGroupsCommand.run(['groups', '--spam', '--to', '2026-11-26'], spam)).toBe(0);
    expect(spam.out()).toBe('2026-11-25 10:00 hz01-a@chatroom 新人 (n2) 链接: www.x.cn\n  alerted guide-hz01-01 · message p3\n');
  });

  it('refuses a wrong command line with what is allowed', async () => {
    await expect(reportGroupsCommand.run(['groups', '--from', '11/01'], io(file))).rejects.toThrow('--from "11/01" is not a date: expected YYYY-MM-DD');
    await expect(reportGroupsCommand.run(['groups', '--from', '2026-12-01', '--to', '2026-11-01'], io(file))).rejects.toThrow('--from 2026-12-01 is after --to 2026-11-01');
    await expect(reportGroupsCommand.run(['groups', '--week'], io(file))).rejects.toThrow(/--week/);
  });
});
