import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvSplitter } from './csv-splitter.js';

const MAX = 1_000_000;

/** An error as its code, with the line csv-parse says it is near when `withLine` (see the test on lines). */
let withLine = false;
const errorOf = (err: unknown) => `${(err as { code?: string }).code ?? String(err)}${withLine ? `@${(err as { lines?: number }).lines}` : ''}`;

/** What csv-parse itself gives (records, or the error code), with the options the import uses. */
function reference(text: string, delimiter: string): string[][] | string {
  try {
    return parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: MAX }) as string[][];
  } catch (err) {
    return errorOf(err);
  }
}

/** The splitter fed `text` in chunks of the given sizes (cycled). */
function split(text: string, delimiter: string, sizes: number[]): string[][] | string {
  const s = new CsvSplitter(delimiter, MAX);
  const out: string[][] = [];
  try {
    let at = 0;
    for (let k = 0; at < text.length; k++) {
      const n = sizes[k % sizes.length]!;
      s.push(text.slice(at, at + n), out);
      at += n;
    }
    s.end(out);
    return out;
  } catch (err) {
    return errorOf(err);
  }
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('CsvSplitter', () => {
  it('splits plain and quoted lines as csv-parse does', () => {
    const text = '手机号,姓名,标签\n13800000001,张丽娜,"VIP,宝妈"\n13800000002,"say ""hi""",\n\n13800000003,,x';
    expect(split(text, ',', [1 << 16])).toEqual(reference(text, ','));
    expect(split(text, ',', [1 << 16])).toEqual([
      ['手机号', '姓名', '标签'],
      ['13800000001', '张丽娜', 'VIP,宝妈'],
      ['13800000002', 'say "hi"', ''],
      [''],
      ['13800000003', '', 'x'],
    ]);
  });

  it('hands values over several lines, stray quotes and text after a closing quote to csv-parse', () => {
    for (const text of ['a,"b\nc",d\ne,f\n', 'a,5"3,x\r\ny,"z"w,v\r\n', '"a""\n"\n', 'x\ry\r"1\r2"\r']) {
      expect(split(text, ',', [3]), JSON.stringify(text)).toEqual(reference(text, ','));
    }
  });

  it('reports a quote never closed near the line csv-parse names, and a runaway line', () => {
    // Lines are counted as csv-parse counts them for files with one kind of line ending; a stray \r in
    // a \n file (which csv-parse counts as a line of its own) is not.
    withLine = true;
    for (const text of ['a,b\n"c,d\ne,f\n', 'a\nb\n"c\nd\ne', '手机号,姓名\n13900000001,"张\n', 'a\r\n"b\r\nc\r\n']) {
      expect(split(text, ',', [4]), JSON.stringify(text)).toBe(reference(text, ','));
      expect(split(text, ',', [4])).toMatch(/^CSV_QUOTE_NOT_CLOSED@\d+$/);
    }
    withLine = false;
    const s = new CsvSplitter(',', 10);
    expect(() => s.push('12345678901,', [])).toThrow(/Max Record Size/);
  });

  it('agrees with csv-parse on 3,000 random texts cut into random chunks', () => {
    const next = random(20251125);
    const alphabet = ['a', 'b', '中', ',', ',', '"', '"', '\n', '\n', '\r', '\r\n', ' ', ';', '\t', 'x"y', '""'];
    for (let n = 0; n < 3000; n++) {
      const delimiter = [',', ',', '\t', ';'][Math.floor(next() * 4)]!;
      let text = '';
      const len = Math.floor(next() * 40);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      const sizes = [1 + Math.floor(next() * 7), 1 + Math.floor(next() * 50)];
      const want = reference(text, delimiter);
      expect(split(text, delimiter, sizes), `${JSON.stringify(text)} delimiter ${JSON.stringify(delimiter)} chunks ${sizes}`).toEqual(want);
    }
  });
});
