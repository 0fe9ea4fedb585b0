import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { DEMO_SEED_DIR, loadSeed } from './seed.js';

describe('the demo seed', () => {
  it('has one store, its staff, ~50 members and 3 groups that hold the bot, staff and members', () => {
    const seed = loadSeed();
    expect(seed.store).toEqual({ code: 'HZ01', name: '杭州湖滨店', city: '杭州' });
    expect(seed.staff.filter((s) => s.role === 'guide')).toHaveLength(4);
    expect(seed.staff.filter((s) => s.role === 'store-manager')).toHaveLength(1);
    expect(seed.staff.filter((s) => s.role === 'community-admin')).toHaveLength(1);
    expect(seed.members).toHaveLength(50);
    expect(seed.rooms.map((r) => r.id)).toEqual(['hz01-a@chatroom', 'hz01-b@chatroom', 'hz01-vip@chatroom']);
    for (const room of seed.rooms) {
      expect(room.memberIds.length).toBeGreaterThan(5);
      expect(room.staffIds.some((id) => id.startsWith('guide-'))).toBe(true);
    }
    expect(seed.members.filter((m) => m.roomId === null).length).toBeGreaterThan(0);
  });
});

describe('loadSeed errors', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const withFiles = (store: string, members: string) => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-seed-'));
    writeFileSync(path.join(dir, 'store.json'), store);
    writeFileSync(path.join(dir, 'members.csv'), members);
    return dir;
  };
  const demoStore = () => readFileSync(path.join(DEMO_SEED_DIR, 'store.json'), 'utf8');

  it('names the file, line and field of a bad member row', () => {
    const d = withFiles(demoStore(), 'id,name,phone,room\nm001,张三,12345,\n');
    expect(() => loadSeed(d)).toThrow(ConfigError);
    expect(() => loadSeed(d)).toThrow(/members\.csv line 2 field phone/);
  });

  it('refuses a member in a room that does not exist', () => {
    const d = withFiles(demoStore(), 'id,name,phone,room\nm001,张三,13800000001,nope@chatroom\n');
    expect(() => loadSeed(d)).toThrow(/line 2 field room: "nope@chatroom" is not a room/);
  });

  it('refuses a duplicate id and a wrong header', () => {
    expect(() => loadSeed(withFiles(demoStore(), 'id,name,phone,room\nguide-hz01-01,张三,13800000001,\n'))).toThrow(/used twice/);
    expect(() => loadSeed(withFiles(demoStore(), 'id,name,mobile,room\n'))).toThrow(/line 1: header/);
  });

  it('names the JSON path of a bad store file', () => {
    const store = JSON.parse(demoStore()) as { rooms: { id: string }[] };
    store.rooms[0]!.id = 'no-at-sign';
    expect(() => loadSeed(withFiles(JSON.stringify(store), 'id,name,phone,room\n'))).toThrow(/store\.json rooms\.0\.id/);
  });
});
