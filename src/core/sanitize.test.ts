import { describe, expect, it } from 'vitest';
import { cleanText, forMatching, hasUnsafeChars, quote } from './sanitize.js';

describe('the sanitiser for member input echoed in replies', () => {
  it('drops control characters, bidi controls and unpaired surrogates, keeps line breaks, emoji and CJK', () => {
    expect(cleanText('兑换 Q\uD800')).toBe('兑换 Q');
    expect(cleanText('\uDC00a\u202Eb\u2066c\u0007d\u0000e\u009bf')).toBe('abcdef');
    expect(cleanText('第一行\n第二行\t👍🏻 王小丫')).toBe('第一行\n第二行 👍🏻 王小丫');
    expect(hasUnsafeChars(cleanText('x\uD83D'))).toBe(false);
    expect(hasUnsafeChars('x\uD83D')).toBe(true);
    expect(hasUnsafeChars('👍')).toBe(false);
  });

  it('quotes at most a short single-line prefix, never cutting a surrogate pair', () => {
    expect(quote('a\n\nb ')).toBe('a b');
    const long = '😀'.repeat(5000);
    const q = quote(long);
    expect(Array.from(q)).toHaveLength(21);
    expect(q.endsWith('😀…')).toBe(true);
    expect(hasUnsafeChars(q)).toBe(false);
  });

  it('compares texts the way a provider may hand them back', () => {
    expect(forMatching('早上好\uD800\n好')).toBe(forMatching('早上好\r\n好 '));
    expect(forMatching('@王小丫\u2005今晚8点')).toContain(forMatching('今晚8点'));
  });
});
