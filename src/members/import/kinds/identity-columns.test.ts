import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openTestDb, type Db } from '../../../platform/db/client.js';
import { shippedPlaybook } from '../../testing.js';
import { runImport } from '../engine.js';
import type { ImportKindName } from '../types.js';

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-identity-cols-'));
  db = openTestDb();
  await load('stores', 'code,name\nHZ01,湖滨店\n');
});
afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function load(kind: ImportKindName, text: string) {
  const file = path.join(dir, `${kind}-${n++}.csv`);
  writeFileSync(file, text);
  return runImport(db, { kind, file, timeZone: 'Asia/Shanghai', now: new Date('2025-06-10T04:00:00Z'), playbook: shippedPlaybook() });
}
const all = (sql: string) => db.$client.prepare(sql).all();

describe('members import: contact ids', () => {
  it('links the 微信ID column and the unionid; importing the same file again changes nothing', async () => {
    const csv = '手机号,姓名,微信ID,unionid\n13800000001,张丽娜,wxid_zhang,oUn-1\n13800000002,李娜,,\n';
    const first = await load('members', csv);
    expect(first).toMatchObject({ created: 2, bad: 0, ignoredColumns: [] });
    expect(all('select phone, contact_id as contactId, unionid from members order by phone')).toEqual([
      { phone: '13800000001', contactId: 'wxid_zhang', unionid: 'oUn-1' },
      { phone: '13800000002', contactId: null, unionid: null },
    ]);
    const again = await load('members', csv);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, bad: 0 });
  });

  it.each(['wxid', 'contact_id', 'external_userid', '外部联系人ID', '微信ID'])('understands the header %s', async (header) => {
    const r = await load('members', `手机号,${header}\n13800000001,wmABCdef123\n`);
    expect(r.ignoredColumns).toEqual([]);
    expect(all('select contact_id as c from members')).toEqual([{ c: 'wmABCdef123' }]);
  });

  it('links a contact id to a member imported before without one', async () => {
    await load('members', '手机号,姓名\n13800000001,张丽娜\n');
    const r = await load('members', '手机号,微信ID\n13800000001,wxid_zhang\n');
    expect(r).toMatchObject({ updated: 1, bad: 0 });
    expect(all('select name, contact_id as c from members')).toEqual([{ name: '张丽娜', c: 'wxid_zhang' }]);
  });

  it('refuses a contact id claimed by two rows of one file, and imports nothing', async () => {
    const r = await load('members', '手机号,微信ID\n13800000001,wxid_a\n13800000002,wxid_a\n');
    expect(r.applied).toBe(false);
    expect(r.issues).toEqual([expect.objectContaining({ row: 3, field: 'contactId', why: 'repeats the contact id of row 2: each contact id may appear once per file' })]);
    expect(all('select count(*) as n from members')).toEqual([{ n: 0 }]);
  });

  it('refuses a contact id already linked to another member, naming that member masked', async () => {
    await load('members', '手机号,微信ID\n13800000001,wxid_a\n');
    const r = await load('members', '手机号,微信ID\n13900000002,wxid_a\n');
    expect(r.issues).toEqual([expect.objectContaining({ row: 2, field: 'contactId', why: 'is already linked to member 138****0001: one contact id belongs to one member' })]);
  });

  it('refuses a contact id held by a member who joined in chat, and says to merge', async () => {
    db.$client.prepare(`insert into members (contact_id, name, tier, referral_code, created_at, updated_at) values ('wxid_a', '', 'regular', 'R1', 0, 0)`).run();
    const r = await load('members', '手机号,微信ID\n13800000001,wxid_a\n');
    expect(r.issues[0]!.why).toMatch(/member with no phone \(joined in chat\): merge the two records \(members merge KEEP DROP\)/);
  });

  it('refuses a different contact id for a member already linked', async () => {
    await load('members', '手机号,微信ID\n13800000001,wxid_a\n');
    const r = await load('members', '手机号,微信ID\n13800000001,wxid_b\n');
    expect(r.issues[0]).toMatchObject({ field: 'contactId', why: 'differs from the contact id wxid_a this member is linked to: fix the file, or merge the records first' });
  });
});

describe('staff import: WeChat id headers and the code fallback', () => {
  it('without a 工号 column uses the WeChat id as the code, and says so in one line', async () => {
    const r = await load('staff', '姓名,角色,门店,微信ID\n王晓燕,导购,HZ01,wxid_wang\n赵敏,店长,HZ01,wxid_zhao\n');
    expect(r).toMatchObject({ created: 2, bad: 0 });
    expect(r.notes).toEqual(["no 工号 column: each staff member's WeChat id (微信ID) is used as their 工号 (2 rows)"]);
    expect(all('select code, contact_id as c from staff order by code')).toEqual([
      { code: 'wxid_wang', c: 'wxid_wang' },
      { code: 'wxid_zhao', c: 'wxid_zhao' },
    ]);
  });

  it("accepts external_userid for the staff member's WeChat id next to a 工号", async () => {
    const r = await load('staff', '工号,姓名,角色,门店,external_userid\nG1,王晓燕,导购,HZ01,wmWang\n');
    expect(r).toMatchObject({ created: 1, notes: [] });
    expect(all('select code, contact_id as c from staff')).toEqual([{ code: 'G1', c: 'wmWang' }]);
  });

  it('refuses a file with neither a 工号 nor a WeChat id column', async () => {
    await expect(load('staff', '姓名,角色,门店\n王晓燕,导购,HZ01\n')).rejects.toThrow(/needs one of the columns 工号\/code or 微信ID\/contact_id/);
  });
});
