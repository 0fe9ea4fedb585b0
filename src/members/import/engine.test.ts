import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openTestDb, type Db } from '../../platform/db/client.js';
import { runDoctor } from '../doctor.js';
import { shippedPlaybook } from '../testing.js';
import { ImportFileError, runImport, type ImportOptions, type ImportResult } from './engine.js';
import type { ImportKindName } from './types.js';

const TZ = 'Asia/Shanghai';
const NOW = new Date('2025-06-10T04:00:00Z');
const SAMPLES = path.resolve('data/samples');

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-import-'));
  db = openTestDb();
});
afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

function csv(name: string, text: string, encoding: 'utf8-bom' | 'utf8' | 'gbk' | 'utf16le' = 'utf8'): string {
  const file = path.join(dir, name);
  const bytes =
    encoding === 'gbk'
      ? iconv.encode(text, 'gbk')
      : encoding === 'utf16le'
        ? iconv.encode(text, 'utf-16le', { addBOM: true })
        : Buffer.from(encoding === 'utf8-bom' ? `\uFEFF${text}` : text);
  writeFileSync(file, bytes);
  return file;
}

function load(kind: ImportKindName, file: string, more: Partial<ImportOptions> = {}): Promise<ImportResult> {
  return runImport(db, { kind, file, timeZone: TZ, now: NOW, playbook: shippedPlaybook(), ...more });
}

const sample = (name: string) => path.join(SAMPLES, name);
const count = (table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number;
const counts = (r: ImportResult) => ({ created: r.created, updated: r.updated, unchanged: r.unchanged, skipped: r.skipped, bad: r.bad, applied: r.applied });

async function seedStoresAndStaff(): Promise<void> {
  expect((await load('stores', sample('stores.csv'))).created).toBe(3);
  expect((await load('staff', sample('staff.csv'))).created).toBe(7);
}

/** 10,000 members in the shape operators export: Chinese header, UTF-8 with BOM. */
function tenThousandMembers(bad: Map<number, (cells: string[]) => void> = new Map()): string {
  const lines = ['手机号,姓名,门店,导购工号,生日,标签'];
  for (let i = 0; i < 10_000; i++) {
    const cells = [`139${String(i).padStart(8, '0')}`, `会员${i}`, 'HZ01', `G010${1 + (i % 4)}`, `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`, i % 3 ? 'VIP' : '"VIP,宝妈"'];
    bad.get(i + 2)?.(cells); // the row as Excel numbers it: the header is row 1
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('runImport', () => {
  it('imports the sample files in order, and the same files again change nothing', async () => {
    await seedStoresAndStaff();
    expect(counts(await load('members', sample('members.csv')))).toEqual({ created: 10, updated: 0, unchanged: 0, skipped: 0, bad: 0, applied: true });
    expect(counts(await load('groups', sample('groups.csv')))).toMatchObject({ created: 3, bad: 0 });
    const orders = await load('orders', sample('orders.csv'));
    expect(counts(orders)).toMatchObject({ created: 5, bad: 0 });
    expect(orders.notes.join()).toMatch(/points credited: \d+ to 4 members/);

    for (const [kind, file] of [
      ['stores', 'stores.csv'],
      ['staff', 'staff.csv'],
      ['members', 'members.csv'],
      ['groups', 'groups.csv'],
      ['orders', 'orders.csv'],
    ] as const) {
      const again = await load(kind, sample(file));
      expect(counts(again), `${kind} again`).toMatchObject({ created: 0, updated: 0, bad: 0 });
      expect(again.unchanged).toBe(again.rows);
    }
    expect(count('points_ledger')).toBe(5);
    expect(runDoctor(db)).toEqual({ ok: true, problems: [] });
  });

  it('stores what the sample rows say: normalised phones, birthdays, tags, local times, working days', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    const row = (phone: string) => db.$client.prepare('select * from members where phone = ?').get(phone) as Record<string, unknown>;
    expect(row('13800000002')).toMatchObject({ name: '刘芳', birth_year: 1988, birth_month: 11, birth_day: 2, joined_at: Date.UTC(2023, 3, 1, 2, 30), tier: 'regular' });
    expect(row('13800000004')).toMatchObject({ birthday_kind: 'lunar', birth_year: null, birth_month: 5, birth_day: 20, tags: '["VIP","宝妈"]' });
    expect(row('13800000001')['referral_code']).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    const guide = db.$client.prepare("select working_days, phone from staff where code = 'M01'").get();
    expect(guide).toEqual({ working_days: '123456', phone: '13900000100' });
  });

  it('reads the GBK sample exactly as the UTF-8 one', async () => {
    await seedStoresAndStaff();
    expect((await load('members', sample('members.csv'))).encoding).toBe('UTF-8 with BOM (detected)');
    const gbk = await load('members', sample('members-gbk.csv'));
    expect(gbk.encoding).toBe('GBK/GB18030 (detected)');
    expect(counts(gbk)).toMatchObject({ created: 0, updated: 0, unchanged: 10, bad: 0 });
  });

  it('imports nothing from 10,000 rows with 3 bad ones, and reports exactly those 3', async () => {
    await seedStoresAndStaff();
    const bad = new Map<number, (cells: string[]) => void>([
      [
        101,
        (c) => {
          c[0] = '1390000009';
        },
      ],
      [
        5002,
        (c) => {
          c[2] = 'HZ99';
        },
      ],
      [
        9999,
        (c) => {
          c[4] = '1990-02-30';
        },
      ],
    ]);
    const result = await load('members', csv('members.csv', tenThousandMembers(bad), 'utf8-bom'));
    expect(counts(result)).toEqual({ created: 0, updated: 0, unchanged: 0, skipped: 0, bad: 3, applied: false });
    expect(result.rows).toBe(10_000);
    expect(result.valid).toBe(9_997);
    expect(result.issues).toEqual([
      { row: 101, columnLetter: 'A', column: '手机号', field: 'phone', value: '139***0009', why: expect.stringMatching(/has 10 digits/) },
      { row: 5002, columnLetter: 'C', column: '门店', field: 'store', value: 'HZ99', why: expect.stringMatching(/not a known store code/) },
      { row: 9999, columnLetter: 'E', column: '生日', field: 'birthday', value: '1990-02-30', why: expect.stringMatching(/1990-02 has no day 30/) },
    ]);
    expect(count('members')).toBe(0);

    const fixed = await load('members', csv('members-fixed.csv', tenThousandMembers(), 'utf8-bom'));
    expect(counts(fixed)).toEqual({ created: 10_000, updated: 0, unchanged: 0, skipped: 0, bad: 0, applied: true });
    expect(count('members')).toBe(10_000);

    const again = await load('members', csv('members-fixed.csv', tenThousandMembers(), 'utf8-bom'));
    expect(counts(again)).toEqual({ created: 0, updated: 0, unchanged: 10_000, skipped: 0, bad: 0, applied: true });
  });

  it('parses in a worker thread (large files) with the same outcome: 3 bad rows reported, nothing imported, then all', async () => {
    await seedStoresAndStaff();
    const bad = new Map<number, (cells: string[]) => void>([
      [
        2,
        (c) => {
          c[0] = '2390000009';
        },
      ],
      [
        7000,
        (c) => {
          c[5] = 'VIP,extra';
        },
      ],
      [
        8000,
        (c) => {
          c[1] = '会员"7998';
        },
      ],
      [
        10_001,
        (c) => {
          c[3] = 'G9999';
        },
      ],
    ]);
    const progress: number[] = [];
    const result = await load('members', csv('members.csv', tenThousandMembers(bad), 'gbk'), { parseInWorker: true, onProgress: (p) => progress.push(p.rows) });
    expect(counts(result)).toEqual({ created: 0, updated: 0, unchanged: 0, skipped: 0, bad: 3, applied: false });
    expect(result.encoding).toBe('GBK/GB18030 (detected)');
    expect(result.issues.map((i) => [i.row, i.column, i.value])).toEqual([
      [2, '手机号', '239***0009'],
      [7000, '', 'extra'],
      [10_001, '导购工号', 'G9999'],
    ]);
    expect(result.issues[1]!.why).toMatch(/has 7 values but the header has 6 columns/);
    expect(progress).toEqual([5000, 10_000, 10_000]);
    expect(count('members')).toBe(0);

    const fixed = await load(
      'members',
      csv(
        'members-fixed.csv',
        tenThousandMembers(
          new Map([
            [
              8000,
              (c: string[]) => {
                c[1] = '会员"7998';
              },
            ],
          ]),
        ),
        'gbk',
      ),
      { parseInWorker: true },
    );
    expect(counts(fixed)).toEqual({ created: 10_000, updated: 0, unchanged: 0, skipped: 0, bad: 0, applied: true });
    expect(db.$client.prepare("select tags from members where phone = '13900000003'").pluck().get()).toBe('["VIP","宝妈"]');
    expect(db.$client.prepare("select name from members where phone = '13900007998'").pluck().get()).toBe('会员"7998');
    await expect(load('members', csv('broken.csv', '手机号,姓名\n13900000001,"张\n'), { parseInWorker: true })).rejects.toThrow(
      /broken\.csv near line 2: a quoted value is never closed/,
    );
  });

  it('with allowPartial imports the good rows and reports the bad ones', async () => {
    await seedStoresAndStaff();
    const result = await load('members', sample('members-bad.csv'), { allowPartial: true });
    expect(counts(result)).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 0, bad: 5, applied: true });
    expect(result.issues.map((i) => [i.row, i.column])).toEqual([
      [3, '手机号'],
      [4, '门店'],
      [5, '生日'],
      [6, '导购工号'],
      [7, '手机号'],
    ]);
    expect(result.issues[4]!.why).toBe('repeats the phone number of row 2: each phone number may appear once per file');
    expect(count('members')).toBe(2);
  });

  it('in a dry run writes nothing and counts what would change', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    const before = db.$client.prepare('select * from members order by id').all();
    const changed = csv('changed.csv', '手机号,姓名\n13800000001,张丽娜\n13800000002,刘芳芳\n13800000099,新会员\n');
    const dry = await load('members', changed, { dryRun: true });
    expect(counts(dry)).toEqual({ created: 1, updated: 1, unchanged: 1, skipped: 0, bad: 0, applied: false });
    expect(db.$client.prepare('select * from members order by id').all()).toEqual(before);

    const emptyDb = openTestDb();
    try {
      const r = await runImport(emptyDb, { kind: 'stores', file: sample('stores.csv'), timeZone: TZ, now: NOW, dryRun: true });
      expect(r.created).toBe(3);
      expect(emptyDb.$client.prepare('select count(*) from stores').pluck().get()).toBe(0);
    } finally {
      closeDb(emptyDb);
    }
  });

  it('updates only what changed; blank cells and missing columns keep the stored values', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    const file = csv('update.csv', '手机号,姓名,门店,标签\n13800000001,张丽娜,HZ02,\n13800000002,,,\n13800000003,陈思琪,HZ01,新客\n');
    expect(counts(await load('members', file))).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    expect(db.$client.prepare("select name, store_code, tags, guide_code, birth_year from members where phone = '13800000001'").get()).toEqual({
      name: '张丽娜',
      store_code: 'HZ02',
      tags: '["VIP","宝妈"]',
      guide_code: 'G0101',
      birth_year: 1990,
    });
  });

  it('credits an order once however often it is imported, and refuses a changed one', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    expect((await load('orders', sample('orders.csv'))).created).toBe(5);
    const balance = () => db.$client.prepare("select points from members where phone = '13800000001'").pluck().get();
    const before = balance();
    expect((await load('orders', sample('orders.csv'))).unchanged).toBe(5);
    expect(balance()).toBe(before);
    expect(count('points_ledger')).toBe(5);

    const changed = csv('orders.csv', '订单号,手机号,金额,下单时间\nHZ01-20250601-0001,13800000001,499.00,2025-06-01 14:32:10\n');
    const r = await load('orders', changed);
    expect(r.issues).toEqual([expect.objectContaining({ row: 2, column: '订单号', why: 'was already imported with amount 399.00: an imported order is never changed' })]);
    expect(balance()).toBe(before);
  });

  it('checks orders: member by phone or id, unknown members, future times, repeated ids', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    const id = db.$client.prepare("select id from members where phone = '13800000003'").pluck().get() as number;
    const file = csv(
      'orders.csv',
      [
        'order_id,member_id,phone,amount,ordered_at',
        `A1,${id},,10,2025-06-01`,
        'A2,,13811112222,10,2025-06-01',
        `A3,${id},13800000001,10,2025-06-01`,
        'A4,,13800000001,10,2025-06-11 09:00',
        'A1,,13800000001,10,2025-06-01',
        'A5,,,10,2025-06-01',
      ].join('\n'),
    );
    const r = await load('orders', file, { allowPartial: true });
    expect(r.issues.map((i) => [i.row, i.field, i.why.split(':')[0]])).toEqual([
      [3, 'phone', 'is not the phone of any member'],
      [4, 'memberId', `does not match the phone on the same row (member ${id - 2})`],
      [5, 'orderedAt', 'is in the future'],
      [6, 'orderId', 'repeats the order id of row 2'],
      [7, 'phone', 'is empty'],
    ]);
    expect(r.created).toBe(1);
  });

  it('reports every problem of a row, each in its column', async () => {
    await load('stores', sample('stores.csv'));
    const r = await load('staff', csv('staff.csv', '工号,姓名,角色,门店,手机号\nG1,王,保安,HZ01,12345678901\nG2,李,导购,,\n'));
    expect(r.issues.map((i) => `${i.row}${i.columnLetter} ${i.value}`)).toEqual(['2C 保安', '2E 123****8901', '3D ']);
    expect(r.issues[2]!.why).toBe('is empty: a guide belongs to a store (its 门店编码)');
  });

  it('refuses a file without a required column before reading any row', async () => {
    const file = csv('members.csv', '姓名,门店\n张三,HZ01\n');
    const err = await load('members', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/members\.csv: missing column 手机号\/phone\.[\s\S]*columns found: A "姓名", B "门店"/);
  });

  it('finds the header below a title line, skips blank rows and counts rows as Excel does', async () => {
    await seedStoresAndStaff();
    const file = csv('members.csv', '会员导出 2025-06-01,,\n手机号,姓名,门店\n13800000001,张丽娜,HZ01\n,,\n\n13800000002,刘芳,HZ01,多余\n138000000x3,陈思琪,HZ01\n');
    const r = await load('members', file, { allowPartial: true });
    expect(counts(r)).toMatchObject({ created: 1, skipped: 2, bad: 2 });
    expect(r.issues.map((i) => [i.row, i.columnLetter || '*'])).toEqual([
      [6, '*'],
      [7, 'A'],
    ]);
    expect(r.issues[0]!.why).toMatch(/has 4 values but the header has 3 columns/);
  });

  it('reads tab-separated UTF-16 (Excel "Unicode text") and full-width English headers', async () => {
    await load('stores', csv('stores.txt', 'ＣＯＤＥ\tName\tCITY\nHZ09\t湖滨\t杭州\n', 'utf16le'));
    expect(db.$client.prepare('select code, name, city from stores').all()).toEqual([{ code: 'HZ09', name: '湖滨', city: '杭州' }]);
  });

  it('explains a file that is not in the encoding forced, and a quote never closed', async () => {
    const gbk = csv('gbk.csv', '门店编码,门店名称\nHZ01,杭州湖滨店\n', 'gbk');
    await expect(load('stores', gbk, { encoding: 'utf8' })).rejects.toThrow(/not valid UTF-8 .*--encoding gbk/);
    expect((await load('stores', gbk, { encoding: 'gbk' })).created).toBe(1);
    const broken = csv('broken.csv', '门店编码,门店名称\nHZ02,"杭州\nHZ03,西溪\n');
    await expect(load('stores', broken)).rejects.toThrow(/broken\.csv.*a quoted value is never closed/);
    expect(count('stores')).toBe(1);
  });

  it('on a first load builds the members indexes at the end, exactly as the migrations made them', async () => {
    await seedStoresAndStaff();
    const indexes = () => db.$client.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'members' order by name").all();
    const before = indexes();
    expect(before.length).toBeGreaterThan(3);
    const bad = await load('members', sample('members-bad.csv'));
    expect(bad.applied).toBe(false);
    expect(indexes()).toEqual(before);
    const r = await load('members', sample('members.csv'));
    expect(r.notes).toEqual(['first load into an empty members table: indexes were built once at the end']);
    expect(indexes()).toEqual(before);
    expect(db.$client.prepare('select count(distinct referral_code) from members').pluck().get()).toBe(10);
  });

  it('leaves the connection as it found it: no transaction open, the same page cache size', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    db.$client.pragma('cache_size = -2000');
    await load('members', sample('members.csv'));
    await load('orders', sample('orders.csv'));
    expect(db.$client.pragma('cache_size', { simple: true })).toBe(-2000);
    expect(db.$client.inTransaction).toBe(false);
  });

  it('reports rows that fail while being written, and rolls everything back', async () => {
    await seedStoresAndStaff();
    await load('members', sample('members.csv'));
    db.$client.exec("create trigger no_liu before update on members when new.name = '坏' begin select raise(abort, 'refused by a trigger'); end");
    const r = await load('members', csv('m.csv', '手机号,姓名\n13800000001,好\n13800000002,坏\n'));
    expect(r.issues).toEqual([expect.objectContaining({ row: 3, field: '*', why: 'could not be written: refused by a trigger' })]);
    expect(r.applied).toBe(false);
    expect(db.$client.prepare("select name from members where phone = '13800000001'").pluck().get()).toBe('张丽娜');
  });
});
