import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openTestDb, type Db } from '../../../platform/db/client.js';
import { deferIndexes } from '../bulk-load.js';
import { runImport } from '../engine.js';
import type { ImportKindName } from '../types.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-kinds-'));
  db = openTestDb();
});
afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function load(kind: ImportKindName, text: string, allowPartial = false) {
  const file = path.join(dir, `${kind}-${n++}.csv`);
  writeFileSync(file, text);
  return runImport(db, { kind, file, timeZone: 'Asia/Shanghai', now: new Date('2025-06-10T04:00:00Z'), allowPartial });
}
const all = (sql: string) => db.$client.prepare(sql).all();

describe('stores', () => {
  it('creates, then updates a changed name and keeps the city when the cell is blank', async () => {
    await load('stores', 'code,name,city\nHZ01,湖滨店,杭州\n');
    const r = await load('stores', 'code,name,city\nHZ01,湖滨旗舰店,\n');
    expect([r.updated, r.unchanged]).toEqual([1, 0]);
    expect(all('select code, name, city from stores')).toEqual([{ code: 'HZ01', name: '湖滨旗舰店', city: '杭州' }]);
  });
  it('refuses a store code twice in one file', async () => {
    const r = await load('stores', 'code,name\nHZ01,a\nHZ01,b\n');
    expect(r.issues[0]).toMatchObject({ row: 3, field: 'code', why: 'repeats the store code of row 2: each store code may appear once per file' });
  });
});

describe('staff', () => {
  beforeEach(async () => {
    await load('stores', 'code,name\nHZ01,湖滨店\n');
  });

  it('hints at a store code that differs only by case', async () => {
    const r = await load('staff', '工号,姓名,角色,门店\nG1,王,导购,hz01\n');
    expect(r.issues[0]!.why).toBe('is not a known store code (did you mean HZ01?): import the store first (import stores FILE)');
  });

  it('refuses a WeChat contact id that belongs to another staff member', async () => {
    await load('staff', '工号,姓名,角色,门店,企微ID\nG1,王,导购,HZ01,wx-1\n');
    const r = await load('staff', '工号,姓名,角色,门店,企微ID\nG2,李,导购,HZ01,wx-1\n');
    expect(r.issues[0]).toMatchObject({ field: 'contactId', why: 'already belongs to staff G1: one WeChat account per staff member' });
  });

  it('updates a role and working days; HQ staff need no store', async () => {
    await load('staff', '工号,姓名,角色,门店\nG1,王,导购,HZ01\nH1,周,总部,\n');
    const r = await load('staff', '工号,姓名,角色,门店,工作日\nG1,王,店长,HZ01,周一至周五\nH1,周,总部,,\n');
    expect([r.updated, r.unchanged]).toEqual([1, 1]);
    expect(all("select role, working_days as days from staff where code = 'G1'")).toEqual([{ role: 'store-manager', days: '12345' }]);
  });
});

describe('groups', () => {
  it('checks the store and the owning guide, and replaces tags', async () => {
    await load('stores', 'code,name\nHZ01,湖滨店\n');
    await load('staff', '工号,姓名,角色,门店\nG1,王,导购,HZ01\n');
    const bad = await load('groups', '群ID,群名,门店,导购\nr1@chatroom,一群,HZ01,G9\n');
    expect(bad.issues[0]).toMatchObject({ column: '导购', value: 'G9' });
    await load('groups', '群ID,群名,门店,导购,标签\nr1@chatroom,一群,HZ01,G1,"宝妈,新客"\n');
    const again = await load('groups', '群ID,群名,标签\nr1@chatroom,一群,VIP\n');
    expect(again.updated).toBe(1);
    expect(all('select store_code, guide_code, tags from groups')).toEqual([{ store_code: 'HZ01', guide_code: 'G1', tags: '["VIP"]' }]);
  });
});

describe('deferIndexes', () => {
  it('needs an open transaction', () => {
    expect(() => deferIndexes(db.$client, 'members')).toThrow(/needs an open transaction/);
  });
  it('drops and recreates the indexes from their own SQL; a rollback restores them too', () => {
    const sql = () => all("select sql from sqlite_master where type = 'index' and tbl_name = 'members' and sql is not null order by name");
    const before = sql();
    db.$client.exec('begin');
    const restore = deferIndexes(db.$client, 'members');
    expect(sql()).toEqual([]);
    restore();
    restore();
    expect(sql()).toEqual(before);
    deferIndexes(db.$client, 'members');
    db.$client.exec('rollback');
    expect(sql()).toEqual(before);
  });
});
