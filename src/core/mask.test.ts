import { describe, expect, it } from 'vitest';
import { maskDeep, maskPhones, maskSecret } from './mask.js';

describe('masking', () => {
  it('masks mainland mobile numbers inside text', () => {
    expect(maskPhones('call 13812345678 or 15900001111.')).toBe('call 138****5678 or 159****1111.');
  });
  it('leaves longer digit runs and non-mobile numbers alone', () => {
    expect(maskPhones('order 2138123456789')).toBe('order 2138123456789');
    expect(maskPhones('12345678901')).toBe('12345678901');
  });
  it('masks nested fields and shows secrets only by prefix', () => {
    expect(maskDeep({ a: { phone: '13812345678' }, b: [1, '13912345678'] })).toEqual({ a: { phone: '138****5678' }, b: [1, '139****5678'] });
    expect(maskSecret('puppet_workpro_abcdef')).toBe('puppet_…(21)');
  });
});
