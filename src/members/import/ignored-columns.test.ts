import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openTestDb, type Db } from '../../platform/db/client.js';
import { ImportFileError, runImport, type ImportOptions } from './engine.js';
import { nearestField } from './headers.js';
import { groupsKind } from './kinds/groups.js';
import { membersKind } from './kinds/members.js';
import { formatIssues, formatSummary } from './report.js';
import type { ImportKindName } from './types.js';
import { shippedPlaybook } from '../testing.js';

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-ignored-'));
  db = openTestDb();
  await load('stores', 'code,name\nHZ01,湖滨店\n');
  await load('staff', '工号,姓名,角色,门店\nG1,王晓燕,导购,HZ01\n');
});
afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function load(kind: ImportKindName, text: string, over: Partial<ImportOptions> = {}) {
  const file = path.join(dir, `${kind}-${n++}.csv`);
  writeFileSync(file, text);
  return runImport(db, { kind, file, timeZone: 'Asia/Shanghai', now: new Date('2025-06-10T04:00:00Z'), ...over });
}
const groupsFile = (ownerHeader: string, rows = 12) => `群ID,群名,门店,${ownerHeader}\n${Array.from({ length: rows }, (_, i) => `g${i}@chatroom,湖滨${i}群,HZ01,G1`).join('\n')}\n`;

describe('columns are never lost silently', () => {
  it('understands the owner aliases 群主, 群主导购 and 负责导购', async () => {
    for (const header of ['群主', '群主导购', '负责导购']) {
      const r = await load('groups', groupsFile(header, 2));
      expect([header, r.ignored, r.bad]).toEqual([header, [], 0]);
    }
    expect(db.$client.prepare('select count(*) from groups where guide_code = ?').pluck().get('G1')).toBe(2);
  });

  it('reports an ignored column with the nearest known header and what the import will lack without it', async () => {
    const r = await load('groups', groupsFile('所属导购员'));
    expect(r.ignored).toEqual([
      { column: '所属导购员', columnLetter: 'D', filled: 12, nearest: expect.objectContaining({ alias: '所属导购', meaning: 'owner guide', readFrom: null }) },
    ]);
    expect(formatSummary(r)).toContain('column D 所属导购员 ignored — did you mean 所属导购 (owner guide)? 12 groups will have no owner guide');
    expect(db.$client.prepare('select count(*) from groups where guide_code is not null').pluck().get()).toBe(0);
    // The same counts when the file is read in a worker thread (large files).
    const inWorker = await load('groups', groupsFile('所属导购员', 5), { parseInWorker: true });
    expect(inWorker.ignored[0]!.filled).toBe(5);
  });

  it('says when the field it looks like is read from another column, and when nothing is near', async () => {
    const r = await load('groups', '群ID,群名,导购,导购姓名,备注\ng1@chatroom,1群,G1,王晓燕,老客户\n');
    const text = formatSummary(r);
    expect(text).toContain('column D 导购姓名 ignored — did you mean 导购 (owner guide)? 导购/guide is read from column C 导购; its 1 value is not imported');
    expect(text).toContain('column E 备注 ignored — not a column this import knows; its 1 value is not imported');
  });

  it('--strict turns ignored columns into an error and imports nothing', async () => {
    await expect(load('groups', groupsFile('所属导购员'), { strict: true })).rejects.toThrow(ImportFileError);
    await expect(load('groups', groupsFile('所属导购员'), { strict: true })).rejects.toThrow(
      /--strict refuses ignored columns:\n {2}column D 所属导购员 ignored — did you mean 所属导购 \(owner guide\)\?/u,
    );
    expect(db.$client.prepare('select count(*) from groups').pluck().get()).toBe(0);
    const ok = await load('groups', groupsFile('导购', 2), { strict: true });
    expect(ok.created).toBe(2);
  });

  it('a file whose rows all fail for one cause prints that cause once with the count, then the rows', async () => {
    const r = await load('groups', '群ID,群名,门店\ng1@chatroom,1群,HZ09\ng2@chatroom,2群,hz01\ng3@chatroom,3群,SH01\n');
    expect(r.bad).toBe(3);
    expect(formatIssues(r)).toEqual([
      'all 3 rows fail for one reason: column C 门店: is not a known store code: import the store first (import stores FILE)',
      '  row 2: "HZ09"',
      '  row 3: "hz01"',
      '  row 4: "SH01"',
    ]);
    // Two causes: each problem on its own line, as before.
    const mixed = await load('groups', '群ID,群名,门店\ng1@chatroom,1群,HZ09\ng1@chatroom,2群,HZ01\n');
    expect(formatIssues(mixed)[0]).toMatch(/^row 2, column C 门店: "HZ09" is not a known store code/u);
  });

  it('refuses a birthday after today (2025-06-10 here) in a members file', async () => {
    const r = await load('members', '手机号,姓名,生日\n13800000001,甲,2025-06-11\n13800000002,乙,2025-06-10\n', { playbook: shippedPlaybook() });
    expect(r.issues).toEqual([expect.objectContaining({ row: 2, field: 'birthday', why: 'is in the future: a birthday is 2025-06-10 (today) or earlier' })]);
  });

  it('finds the nearest header by containment or a small edit distance, and nothing for unrelated names', () => {
    expect(nearestField('群主导购员', groupsKind.fields)?.field.key).toBe('guide');
    expect(nearestField('phnoe', membersKind.fields)?.field.key).toBe('phone');
    expect(nearestField('会员手机', membersKind.fields)?.field.key).toBe('phone');
    expect(nearestField('备注', membersKind.fields)).toBeNull();
  });
});
