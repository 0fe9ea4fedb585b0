import { describe, expect, it } from 'vitest';
import { newReferralCode } from '../ledger.js';
import { DistinctReferralCodes, REFERRAL_ALPHABET, REFERRAL_LENGTH, REFERRAL_SPACE, ReferralCodes, encodeReferral } from './referral-code.js';

describe('referral codes', () => {
  it("have the form of the ledger's codes: 8 characters without look-alikes", () => {
    const codes = new ReferralCodes();
    const shape = new RegExp(`^[${REFERRAL_ALPHABET}]{${REFERRAL_LENGTH}}$`);
    for (let i = 0; i < 1000; i++) expect(codes.next().code).toMatch(shape);
    expect(newReferralCode()).toMatch(shape);
    expect(REFERRAL_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('encode numbers one to one, over the whole code space', () => {
    expect(encodeReferral(0)).toBe('22222222');
    expect(encodeReferral(1)).toBe('22222223');
    expect(encodeReferral(REFERRAL_SPACE - 1)).toBe('ZZZZZZZZ');
  });

  it('draw from the pool without bias and redraw values past the last whole multiple', () => {
    // A fake source: the first 6-byte value is all ones (above the limit, redrawn), then zeros.
    const bytes = Buffer.alloc(12);
    bytes.fill(0xff, 0, 6);
    const codes = new ReferralCodes(() => bytes);
    expect(codes.next()).toEqual({ n: 0, code: '22222222' });
  });

  it('rarely repeat (100,000 draws)', () => {
    const codes = new ReferralCodes();
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(codes.next().n);
    expect(seen.size).toBeGreaterThan(99_990);
  });

  it('of a first load never repeat, differ from one import to the next, and spread over the space', () => {
    const a = new DistinctReferralCodes();
    const seen = new Set<number>();
    const shape = new RegExp(`^[${REFERRAL_ALPHABET}]{${REFERRAL_LENGTH}}$`);
    let high = 0;
    for (let i = 0; i < 300_000; i++) {
      const { n, code } = a.next();
      seen.add(n);
      if (n >= REFERRAL_SPACE / 2) high++;
      if (i < 100) expect(code).toMatch(shape);
    }
    expect(seen.size).toBe(300_000);
    expect(high / 300_000).toBeCloseTo(0.5, 1);
    const b = new DistinctReferralCodes();
    expect([0, 1, 2].map(() => b.next().n)).not.toEqual([...seen].slice(0, 3));
  });
});
