import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CampaignsRepo } from '../campaigns/campaigns.repo.js';
import { closeDb, openDb } from '../platform/db/client.js';
import { runCliIn } from '../../test/support/cli.js';
import { seedGroups } from '../campaigns/testing.js';
import { ReachRepo } from '../accounts/reach.repo.js';

let dir: string;
let sopDir: string;
const NOW = new Date('2026-11-25T04:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-cli-campaign-'));
  sopDir = path.join(dir, 'sop-campaigns');
  mkdirSync(sopDir);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one command line against a temp store and a temp campaigns folder, as user `tester`. */
const cli = (...argv: string[]) => runCliIn(dir, argv, { env: { CAMPAIGNS_DIR: sopDir, USER: 'tester' }, now: NOW });

/** Reads the store the CLI wrote. */
function withRepo<T>(f: (repo: CampaignsRepo) => T): T {
  const db = openDb(path.join(dir, 'siyu.db'));
  try {
    return f(new CampaignsRepo(db));
  } finally {
    closeDb(db);
  }
}

const GOOD = `id: weekend
name: 周末活动
status: scheduled
audience:
  groups:
    stores: [HZ01]
content:
  - kind: text
    text: "{name}的家人们，周末见！"
schedule:
  cron: "0 10 * * 6"
spreadMinutes: 20
`;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('campaign check', () => {
  it('refuses an unknown audience field, a bad cron and a missing image with the file, the path and what is allowed', async () => {
    write('bad.yaml', GOOD.replace('stores: [HZ01]', 'stores: [HZ01]\n    city: 杭州').replace('"0 10 * * 6"', '"0 25 * * 6"'));
    const r = await cli('campaign', 'check', 'bad.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.yaml: audience.groups: unknown key "city"; allowed: stores, tags, list, exclude, excludeTags');
    expect(r.out).toBe('');

    write('img.yaml', GOOD.replace('  - kind: text', '  - kind: image\n    path: media/none.png\n  - kind: text').replace('"0 10 * * 6"', '"0 25 * * 6"'));
    const img = await cli('campaign', 'check', 'img.yaml');
    expect(img.code).toBe(1);
    // Every problem at once, each with its path.
    expect(img.err).toMatch(/img\.yaml: schedule\.cron: "0 25 \* \* 6" is not a valid cron.*expected 5 fields/);
    expect(img.err).toContain(`img.yaml: content[0].path: image "media/none.png" not found (looked at ${path.join(dir, 'media/none.png')})`);
    expect(img.err).toContain('img.yaml: refused (2 problems); nothing was stored');
  });

  it('says what a good file is, and stores nothing', async () => {
    write('good.yaml', GOOD);
    const r = await cli('campaign', 'check', 'good.yaml');
    expect(r).toMatchObject({
      code: 0,
      out:
        'good.yaml: ok: weekend "周末活动" (scheduled), groups, cron "0 10 * * 6", 1 message(s), spread 20 min\n' +
        'good.yaml: capacity: the audience selects no target now (nothing would be sent)\n',
    });
    expect((await cli('campaign', 'list')).out).toBe('no campaigns\n');
  });

  it('says when the last message goes out through the accounts that reach the groups, and how many no account reaches', async () => {
    const db = openDb(path.join(dir, 'siyu.db'));
    try {
      const rooms = seedGroups(db, 40, NOW.getTime());
      // hz01 is in groups 0–29, hz02 in 20–37; groups 38 and 39 have no account in them.
      new ReachRepo(db).add('hz01', 'room', rooms.slice(0, 30), NOW.getTime());
      new ReachRepo(db).add('hz02', 'room', rooms.slice(20, 38), NOW.getTime());
    } finally {
      closeDb(db);
    }
    write('good.yaml', GOOD.replace('spreadMinutes: 20', 'spreadMinutes: 0'));
    const r = await runCliIn(dir, ['campaign', 'check', 'good.yaml'], {
      env: { CAMPAIGNS_DIR: sopDir, USER: 'tester', SEND_RATE_PER_MINUTE: '6', SEND_GAP_MIN_MS: '0', SEND_GAP_MAX_MS: '0' },
      now: NOW,
    });
    expect(r.code).toBe(0);
    // 38 reachable groups split 19/19 (least loaded first); at 5 paced sends a minute each: 4 minutes after 10:00 on Saturday.
    expect(r.out).toContain(
      'good.yaml: capacity: 38 messages via 2 accounts: the last goes out about 2026-11-28 10:04 Asia/Shanghai; ' +
        '2 targets unreachable (no enabled account is their friend or in the group): recorded, not sent\n',
    );
  });
});

describe('campaign create and edit', () => {
  it('creates from a file, lists it as a CLI campaign and records who created it', async () => {
    write('weekend.yaml', GOOD);
    expect(await cli('campaign', 'create', 'weekend.yaml')).toMatchObject({ code: 0, out: 'weekend: created (scheduled)\n' });
    expect((await cli('campaign', 'list')).out).toMatch(/^weekend\s+scheduled\s+cli\s+周末活动\s+cron "0 10 \* \* 6"\s+next 2026-11-28 10:00\n$/);
    const show = await cli('campaign', 'show', 'weekend');
    expect(show.out).toContain('draft → scheduled by cli:tester (created)');
    // The same id again is refused: create never overwrites.
    const again = await cli('campaign', 'create', 'weekend.yaml');
    expect(again.code).toBe(1);
    expect(again.err).toContain('weekend.yaml: id: "weekend" is already a campaign (scheduled); edit it instead, or choose another id');
  });

  it('creates from --from-json; a bad object gets every problem with its path and nothing is stored', async () => {
    const bad = await cli(
      'campaign',
      'create',
      '--from-json',
      JSON.stringify({
        id: 'flash',
        name: '闪购',
        audience: { groups: { stores: ['HZ01'], city: 'x' } },
        content: [{ kind: 'video' }],
        schedule: { cron: '0 10 * * 5' },
      }),
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--from-json: audience.groups: unknown key "city"; allowed: stores, tags, list, exclude, excludeTags');
    expect(bad.err).toContain('--from-json: content[0]');
    expect(withRepo((r) => r.get('flash'))).toBeUndefined();

    expect((await cli('campaign', 'create', '--from-json', '{"id": "flash",')).err).toContain('--from-json: not valid JSON');
    const ok = await cli(
      'campaign',
      'create',
      '--from-json',
      JSON.stringify({
        id: 'flash',
        name: '闪购',
        status: 'draft',
        audience: { groups: { stores: ['HZ01'] } },
        content: [{ kind: 'text', text: '闪购开始' }],
        schedule: { at: '2026-12-01 20:00' },
      }),
    );
    expect(ok).toMatchObject({ code: 0, out: 'flash: created (draft)\n' });
  });

  it('edits a scheduled campaign (audited), refuses a running one with the reason and leaves it as it was', async () => {
    write('weekend.yaml', GOOD);
    await cli('campaign', 'create', 'weekend.yaml');
    write('weekend2.yaml', GOOD.replace('spreadMinutes: 20', 'spreadMinutes: 45'));
    expect(await cli('campaign', 'edit', 'weekend', 'weekend2.yaml')).toMatchObject({ code: 0, out: 'weekend: updated (scheduled)\n' });
    expect(await cli('campaign', 'edit', 'weekend', 'weekend2.yaml')).toMatchObject({ code: 0, out: 'weekend: unchanged\n' });
    expect(withRepo((r) => r.definition(r.get('weekend')!).spreadMinutes)).toBe(45);

    // The bot starts an occurrence (what its tick does), then an edit is refused.
    withRepo((r) => r.transition('weekend', 'scheduled', 'running', 'scheduler', 'occurrence started', NOW.getTime()));
    write('weekend3.yaml', GOOD.replace('spreadMinutes: 20', 'spreadMinutes: 5'));
    const refused = await cli('campaign', 'edit', 'weekend', 'weekend3.yaml');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('weekend3.yaml: status: campaign is running: editing a running campaign is refused; pause it first');
    expect(refused.err).toContain('allowed: draft, scheduled, paused');
    expect(withRepo((r) => r.definition(r.get('weekend')!).spreadMinutes)).toBe(45);

    expect((await cli('campaign', 'pause', 'weekend')).code).toBe(0);
    expect((await cli('campaign', 'edit', 'weekend', 'weekend3.yaml')).code).toBe(0);
    expect(withRepo((r) => r.transitions('weekend').map((t) => `${t.from}>${t.to} ${t.by} ${t.reason ?? ''}`.trim()))).toEqual([
      'draft>scheduled cli:tester created',
      'scheduled>scheduled cli:tester edited',
      'scheduled>running scheduler occurrence started',
      'running>paused cli:tester',
      'paused>paused cli:tester edited',
    ]);
  });

  it("leaves campaigns from sop/campaigns to their files, and keeps a file from taking a CLI campaign's id", async () => {
    writeFileSync(path.join(sopDir, 'member-day.yaml'), GOOD.replace('id: weekend\n', ''));
    write('md.yaml', GOOD.replace('id: weekend', 'id: member-day'));
    const r = await cli('campaign', 'edit', 'member-day', 'md.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`md.yaml: id: "member-day" comes from ${path.join(sopDir, 'member-day.yaml')}; edit that file`);

    write('weekend.yaml', GOOD);
    await cli('campaign', 'create', 'weekend.yaml');
    writeFileSync(path.join(sopDir, 'weekend.yaml'), GOOD.replace('周末活动', '别的活动'));
    const list = await cli('campaign', 'list');
    expect(list.err).toContain(
      `campaign file refused: weekend (${path.join(sopDir, 'weekend.yaml')}): id: "weekend" is already a campaign created from the cli; give the file another id`,
    );
    expect(withRepo((repo) => repo.get('weekend'))).toMatchObject({ name: '周末活动', source: 'cli' });
  });

  it('answers a missing file or argument plainly', async () => {
    expect(await cli('campaign', 'create', 'nope.yaml')).toMatchObject({ code: 1, err: 'nope.yaml: no such file\n' });
    expect((await cli('campaign', 'create')).code).toBe(2);
    expect((await cli('campaign', 'edit')).code).toBe(2);
    expect((await cli('campaign', 'bogus')).err).toContain('campaign commands are list, show, create, edit, check, run, pause, resume, cancel, schedule');
  });
});

describe('campaign create checks the campaign against the known groups, the clock and quiet hours', () => {
  const seed = () => {
    const db = openDb(path.join(dir, 'siyu.db'));
    try {
      seedGroups(db, 3, NOW.getTime());
    } finally {
      closeDb(db);
    }
  };
  const flash = (over: Record<string, unknown>) =>
    JSON.stringify({
      id: 'flash',
      name: '闪购',
      audience: { groups: { list: ['g00@chatroom', 'g01@chatroom'] } },
      content: [{ kind: 'text', text: '闪购开始' }],
      schedule: { at: '2026-11-26 10:00' },
      ...over,
    });

  it('refuses a group that does not exist, naming what exists and the nearest; nothing is stored', async () => {
    seed();
    const r = await cli('campaign', 'create', '--from-json', flash({ audience: { groups: { list: ['g00@chatroom', 'g09@chatroom'] } } }));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      '--from-json: audience.groups.list[1]: unknown group "g09@chatroom"; did you mean "g00@chatroom" (群0)?; allowed: g00@chatroom (群0), g01@chatroom (群1), g02@chatroom (群2)',
    );
    expect(withRepo((repo) => repo.get('flash'))).toBeUndefined();
    const check = await cli('campaign', 'check', '--from-json', flash({ audience: { groups: { stores: ['HZ02'] } } }));
    expect(check.code).toBe(1);
    expect(check.err).toContain('--from-json: audience.groups.stores[0]: no known group belongs to store "HZ02"; did you mean "HZ01"?');
  });

  it('refuses a one-off time in the past', async () => {
    seed();
    const r = await cli('campaign', 'create', '--from-json', flash({ schedule: { at: '2026-11-19 10:00' } }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('--from-json: schedule.at: "2026-11-19 10:00" is in the past (now 2026-11-25 12:00 Asia/Shanghai); give a later time, or run it now instead');
    expect(withRepo((repo) => repo.get('flash'))).toBeUndefined();
  });

  it('stores a slot in quiet hours with a warning saying when the messages will go', async () => {
    seed();
    const r = await cli('campaign', 'create', '--from-json', flash({ schedule: { at: '2026-11-26 23:00' } }));
    expect(r).toMatchObject({ code: 0, out: 'flash: created (scheduled)\n' });
    expect(r.err).toBe(
      '--from-json: warning: schedule.at: the slot falls in quiet hours (21:30–08:30 Asia/Shanghai); those messages are held and go when quiet hours end: 2026-11-26 23:00 → 2026-11-27 08:30\n',
    );
  });
});
