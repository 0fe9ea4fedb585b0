import { describe, expect, it } from 'vitest';
import { NumberRows } from './number-set.js';

describe('NumberRows', () => {
  it('records the first row of each number, through growth', () => {
    const t = new NumberRows(4);
    for (let i = 0; i < 50_000; i++) expect(t.addIfAbsent(13_800_000_000 + i * 7, i + 2)).toBeUndefined();
    expect(t.size).toBe(50_000);
    expect(t.addIfAbsent(13_800_000_000 + 7 * 123, 99)).toBe(125);
    expect(t.get(13_800_000_000 + 7 * 49_999)).toBe(50_001);
    expect(t.get(13_800_000_001)).toBeUndefined();
  });

  it('takes 0 and numbers up to 2^53, and refuses others', () => {
    const t = new NumberRows();
    expect(t.addIfAbsent(0, 1)).toBeUndefined();
    expect(t.addIfAbsent(0, 2)).toBe(1);
    expect(t.addIfAbsent(2 ** 53 - 1, 3)).toBeUndefined();
    expect(() => t.addIfAbsent(-1, 1)).toThrow(RangeError);
    expect(() => t.addIfAbsent(1.5, 1)).toThrow(RangeError);
  });
});
