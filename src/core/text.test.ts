import { describe, expect, it } from 'vitest';
import { normalizeTyped } from './text.js';

describe('normalizeTyped', () => {
  it('folds full-width forms, drops mentions and zero-width characters, trims and lowers', () => {
    expect(normalizeTyped('@小助手\u2005兑换\u3000Ｃ００１ ')).toBe('兑换 c001');
    expect(normalizeTyped('\u200b积分\ufeff')).toBe('积分');
    expect(normalizeTyped('POINTS')).toBe('points');
  });
});
