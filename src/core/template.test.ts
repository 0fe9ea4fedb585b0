import { describe, expect, it } from 'vitest';
import { fill } from './template.js';

describe('the one template fill', () => {
  it('fills given variables, cleans their values, keeps unknown ones by default', () => {
    expect(fill('您好，{name}，{points} 分', { name: '王女士', points: 120 })).toBe('您好，王女士，120 分');
    expect(fill('{name}{missing}', { name: 'x' })).toBe('x{missing}');
    expect(fill('[{name}]', { name: undefined })).toBe('[]');
    expect(fill('{a}', { a: 'x\u0000y' })).toBe(fill('{a}', { a: 'xy' }));
  });

  it('drops unknown variables when asked (campaign targets lack some)', () => {
    expect(fill('{name}，{points} 分', { name: '王' }, { unknown: 'empty' })).toBe('王， 分');
  });

  it('leaves braces that are not variables alone', () => {
    expect(fill('{1} {} {名字} {a-b}', {})).toBe('{1} {} {名字} {a-b}');
  });
});
