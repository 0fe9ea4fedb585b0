import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliIn } from '../../test/support/cli.js';
import { commands } from './cli.js';

const SAMPLES = path.resolve('data/samples');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one command line against a temp store; returns the exit code and what was printed. */
const cli = (...argv: string[]) => runCliIn(dir, argv, { now: new Date('2025-06-10T04:00:00Z') });

const sample = (name: string) => path.join(SAMPLES, name);

describe('cli', () => {
  it('prints help with every command, for no command, help, --help', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: npm run cli -- <command>');
      expect(r.out).toMatch(/import .*\n.*import stores\|staff\|members\|groups\|orders FILE/);
      expect(r.out).toContain('doctor');
    }
  });

  it("prints one command's help with --help or help <command>", async () => {
    const a = await cli('import', '--help');
    const b = await cli('help', 'import');
    expect(a).toEqual(b);
    expect(a.out).toContain('members   手机号/phone*, 姓名/name');
    expect(a.out).toContain('(needs 手机号/phone or 会员ID/member_id)');
    expect((await cli('doctor', '-h')).out).toContain('Usage: npm run cli -- doctor');
  });

  it('answers an unknown command with the commands that exist (exit 2)', async () => {
    const r = await cli('imprt', 'members', 'x.csv');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`unknown command "imprt": commands are ${commands.map((c) => c.name).join(', ')}, help. Run "npm run cli -- help".\n`);
    expect(r.err).toContain('commands are import, doctor, ');
    expect((await cli('help', 'nope')).code).toBe(2);
  });

  it.each([
    [['import'], 'import needs a kind and a file'],
    [['import', 'member', 'x.csv'], 'unknown kind "member": one of stores, staff, members, groups, orders'],
    [['import', 'members'], 'import members needs a FILE'],
    [['import', 'members', 'missing.csv'], 'file not found: missing.csv'],
    [['import', 'members', 'a.csv', 'b.csv'], 'unexpected argument "b.csv"'],
    [['import', 'stores', '--bogus', 'x'], 'unknown option --bogus'],
    [['import', 'stores', 'x', '--encoding'], '--encoding needs a value'],
    [['doctor', 'now'], 'unexpected argument "now": doctor takes no arguments'],
  ])('refuses %j as a usage error (exit 2)', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('--help');
  });

  it('refuses an unknown --encoding', async () => {
    const r = await cli('import', 'stores', sample('stores.csv'), '--encoding', 'latin1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--encoding latin1: expected one of auto, utf8, gbk');
  });

  it('refuses a bad configuration (exit 2)', async () => {
    const { code, err } = await runCliIn(dir, ['doctor'], { env: { TIMEZONE: 'Mars/Olympus' } });
    expect(code).toBe(2);
    expect(err).toContain('TIMEZONE="Mars/Olympus"');
  });

  it('imports the samples in order (exit 0), reports bad rows (exit 1), and doctor finds nothing wrong', async () => {
    for (const kind of ['stores', 'staff', 'members', 'groups', 'orders']) {
      const r = await cli('import', kind, sample(`${kind}.csv`));
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toMatch(/imported: created \d+ · updated 0 · unchanged 0 · skipped \(blank\) 0 · bad 0/);
      expect(r.err).toBe(''); // small files: no progress
    }
    const again = await cli('import', 'orders', sample('orders.csv'));
    expect(again.out).toContain('imported: created 0 · updated 0 · unchanged 5');

    const bad = await cli('import', 'members', sample('members-bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('row 3, column A 手机号: "138***0012" has 10 digits');
    expect(bad.out).toContain('row 7, column A 手机号: "138****0011" repeats the phone number of row 2');
    expect(bad.out).toContain('nothing imported: 5 bad rows (listed above) and 2 good ones.');
    expect(bad.out).not.toMatch(/1380000001[12]/);

    const dry = await cli('import', 'members', sample('members-gbk.csv'), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('GBK/GB18030 (detected)');
    expect(dry.out).toContain('dry run, nothing written: would create 0 · update 0 · leave 10 unchanged');

    const doctor = await cli('doctor');
    expect(doctor.code).toBe(0);
    expect(doctor.out).toMatch(/every invariant holds \(10 members, 5 ledger rows, 5 orders, 0 coupons\)/);
  });

  it('names every ignored column with its nearest header; --strict refuses the file (exit 1); one cause for all rows is said once', async () => {
    writeFileSync(path.join(dir, 'stores.csv'), 'code,name\nHZ01,湖滨店\n');
    expect((await cli('import', 'stores', 'stores.csv')).code).toBe(0);
    writeFileSync(path.join(dir, 'groups.csv'), '群ID,群名,门店,所属导购员\ng1@chatroom,1群,HZ01,G1\ng2@chatroom,2群,HZ01,G1\n');
    const loose = await cli('import', 'groups', 'groups.csv');
    expect(loose.code).toBe(0);
    expect(loose.out).toContain('column D 所属导购员 ignored — did you mean 所属导购 (owner guide)? 2 groups will have no owner guide');
    const strict = await cli('import', 'groups', 'groups.csv', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('--strict refuses ignored columns');
    expect(strict.err).toContain('Nothing was imported.');
    writeFileSync(path.join(dir, 'bad-groups.csv'), '群ID,群名,门店\ng3@chatroom,3群,SH01\ng4@chatroom,4群,SH02\n');
    const bad = await cli('import', 'groups', 'bad-groups.csv');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(
      'all 2 rows fail for one reason: column C 门店: is not a known store code: import the store first (import stores FILE)\n  row 2: "SH01"\n  row 3: "SH02"\n',
    );
  });

  it('explains a file it cannot import at all (exit 1)', async () => {
    const file = path.join(dir, 'members.csv');
    writeFileSync(file, '姓名,门店\n张三,HZ01\n');
    const r = await cli('import', 'members', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('missing column 手机号/phone');
    expect(r.err).toContain('Nothing was imported.');
  });

  it('shows progress on stderr for a large file', async () => {
    await cli('import', 'stores', sample('stores.csv'));
    const lines = ['门店编码,门店名称', ...Array.from({ length: 12_000 }, (_, i) => `S${i},门店${i}`)];
    const file = path.join(dir, 'many.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await cli('import', 'stores', file);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^many\.csv +\d+% {2}1[02],000 rows {2}[\d,]+ rows\/s {2}ETA \S+\n/);
    expect(r.err.trimEnd().split('\n').at(-1)).toMatch(/100% {2}12,000 rows/);
  });
});
