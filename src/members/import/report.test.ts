import { describe, expect, it } from 'vitest';
import type { ImportResult } from './engine.js';
import { formatIssue, formatSummary } from './report.js';

const base: ImportResult = {
  kind: 'members',
  file: 'members.csv',
  encoding: 'UTF-8 with BOM (detected)',
  rows: 10_000,
  valid: 10_000,
  created: 9_000,
  updated: 990,
  unchanged: 10,
  skipped: 0,
  bad: 0,
  applied: true,
  dryRun: false,
  allowPartial: false,
  issues: [],
  issuesOmitted: 0,
  ignoredColumns: [],
  ignored: [],
  noun: 'member',
  notes: [],
  seconds: 0.5,
  rowsPerSecond: 20_000,
};

describe('formatIssue', () => {
  it('places a value by Excel row and column', () => {
    expect(formatIssue({ row: 4, columnLetter: 'C', column: '门店', field: 'store', value: 'HZ09', why: 'is not a known store code' })).toBe(
      'row 4, column C 门店: "HZ09" is not a known store code',
    );
  });
  it('says an empty value is empty without quoting nothing', () => {
    expect(formatIssue({ row: 5, columnLetter: 'A', column: '手机号', field: 'phone', value: '', why: 'is empty: a mobile number is required' })).toBe(
      'row 5, column A 手机号: is empty: a mobile number is required',
    );
  });
  it('reports a problem of the whole row', () => {
    expect(formatIssue({ row: 9, columnLetter: '', column: '', field: '*', value: 'x', why: 'has 4 values but the header has 3 columns' })).toBe(
      'row 9: has 4 values but the header has 3 columns (found: "x")',
    );
  });
});

describe('formatSummary', () => {
  it('summarises an import', () => {
    expect(formatSummary({ ...base, ignoredColumns: ['备注'], notes: ['first load'] })).toBe(
      [
        'members.csv: 10,000 rows read (0.50 s, 20,000 rows/s), UTF-8 with BOM (detected)',
        '  ignored columns: 备注',
        '  imported: created 9,000 · updated 990 · unchanged 10 · skipped (blank) 0 · bad 0',
        '  first load',
      ].join('\n'),
    );
  });
  it('says nothing was imported and what to do, for all-or-nothing with bad rows', () => {
    const text = formatSummary({ ...base, bad: 3, valid: 9_997, created: 0, updated: 0, unchanged: 0, applied: false });
    expect(text).toContain('nothing imported: 3 bad rows (listed above) and 9,997 good ones.');
    expect(text).toContain('--allow-partial');
  });
  it('says a dry run wrote nothing', () => {
    expect(formatSummary({ ...base, dryRun: true, applied: false })).toContain('dry run, nothing written: would create 9,000 · update 990 · leave 10 unchanged');
  });
  it('says which rows were left out with --allow-partial', () => {
    expect(formatSummary({ ...base, allowPartial: true, bad: 2 })).toContain('imported the good rows: created 9,000');
  });
});
