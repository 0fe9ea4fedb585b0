import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParseJob, ParseMessage } from './parse-rows.js';
import { inlineRows, workerRows, type RowSource } from './row-source.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'siyu-rows-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function all(source: RowSource): Promise<ParseMessage[]> {
  const out: ParseMessage[] = [];
  for (;;) {
    const m = await source.next();
    out.push(m);
    if (m.type === 'end' || m.type === 'error') break;
  }
  await source.close();
  return out;
}

function job(text: string): ParseJob {
  const file = path.join(dir, 'members.csv');
  writeFileSync(file, text);
  return { kind: 'members', file, choice: 'auto', timeZone: 'Asia/Shanghai', now: Date.parse('2026-11-25T04:00:00Z'), year: 2026 };
}

describe('row sources', () => {
  const lines = ['标题：会员导出', '手机号,姓名,标签', '13800000001,张丽娜,"VIP,宝妈"', '', '1380000000,刘芳,', '13800000003,陈思琪,VIP,多余'];

  it('give the same messages in this thread, in a bundled worker and in a worker started through the loader', async () => {
    const inline = await all(inlineRows(job(lines.join('\n'))));
    expect(inline[0]!.type).toBe('header');
    expect(inline.at(-1)!.type).toBe('end');
    expect(inline.flatMap((m) => (m.type === 'rows' ? m.items : []))).toEqual([
      { r: { phone: '13800000001', name: '张丽娜', tags: '["VIP","宝妈"]' } },
      null,
      { p: [{ field: 'phone', value: '1380000000', why: expect.stringMatching(/has 10 digits/) }] },
      { r: { phone: '13800000003', name: '陈思琪', tags: '["VIP"]' }, x: { field: '*', value: '多余', why: expect.stringMatching(/has 4 values but the header has 3 columns/) } },
    ]);
    expect(await all(await workerRows(job(lines.join('\n'))))).toEqual(inline);
    expect(await all(await workerRows(job(lines.join('\n')), { bundle: false }))).toEqual(inline);
  });

  it('pass reading errors on as messages', async () => {
    const [header, error] = await all(await workerRows(job('手机号,姓名\n13800000001,"张\n')));
    expect(header).toMatchObject({ type: 'header' });
    expect(error).toEqual({ type: 'error', name: 'CsvReadError', message: expect.stringMatching(/near line 2: a quoted value is never closed/) });
  });
});
