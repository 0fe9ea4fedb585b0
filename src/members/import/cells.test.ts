import { describe, expect, it } from 'vitest';
import { cleanCell, columnLetter, normalizeHeader, structuredCell, toHalfWidth } from './cells.js';

describe('cells', () => {
  it('folds full-width forms to half-width', () => {
    expect(toHalfWidth('ＨＺ０１　１２８．５０￥')).toBe('HZ01 128.50¥');
    expect(toHalfWidth('plain')).toBe('plain');
  });

  it('cleans a cell: spaces (NBSP, ideographic) and the Excel ="..." wrapper', () => {
    expect(cleanCell('\u00a0\u3000张三 ')).toBe('张三');
    expect(cleanCell('="0571"')).toBe('0571');
    expect(cleanCell('=SUM(A1)')).toBe('=SUM(A1)');
  });

  it('cleans a structured cell: also half-width and without the text apostrophe', () => {
    expect(structuredCell("'１３８")).toBe('138');
  });

  it.each([
    ['手机号', '手机号'],
    ['  Phone ', 'phone'],
    ['ORDER_ID', 'orderid'],
    ['Order ID', 'orderid'],
    ['ｏｒｄｅｒ－ｉｄ', 'orderid'],
    ['金额（元）', '金额'],
    ['金额(元)', '金额'],
    ['手机号*', '手机号'],
    ['【必填】手机号', '手机号'],
    ['\uFEFF手机号', '手机号'],
    ['导购 工号', '导购工号'],
  ])('normalises the header %j to %j', (raw, expected) => {
    expect(normalizeHeader(raw)).toBe(expected);
  });

  it('names columns as Excel does', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});
