import { describe, expect, it } from 'vitest';
import { normalizeTyped, storedTags } from './text.js';

describe('normalizeTyped', () => {
  it('folds full-width forms, drops mentions and zero-width characters, trims and lowers', () => {
    expect(normalizeTyped('@小助手\u2005兑换\u3000Ｃ００１ ')).toBe('兑换 c001');
    expect(normalizeTyped('\u200b积分\ufeff')).toBe('积分');
    expect(normalizeTyped('POINTS')).toBe('points');
  });
});

describe('storedTags', () => {
  it('reads a JSON array of strings and nothing else', () => {
    expect(storedTags('["VIP","宝妈"]')).toEqual(['VIP', '宝妈']);
    expect(storedTags('[]')).toEqual([]);
    expect(storedTags('["VIP",3,null]')).toEqual(['VIP']);
    expect(storedTags('{"a":1}')).toEqual([]);
    expect(storedTags('not json')).toEqual([]);
  });
});
