/**
 * Referral (invite) codes for imported members, in the same form as the ledger's `newReferralCode()`
 * (8 characters from an alphabet without look-alikes: no 0/O, 1/I/L) but drawn from a pool of crypto
 * random bytes, so a million codes cost one `randomBytes` call per ~10,000 codes instead of eight
 * `randomInt` calls per code. Uniqueness is the database's (a unique index); callers draw again on a
 * collision.
 */
import { randomBytes } from 'node:crypto';
import { CODE_ALPHABET as REFERRAL_ALPHABET } from '../ledger.js';

export { REFERRAL_ALPHABET };
export const REFERRAL_LENGTH = 8;
/** How many different codes exist (31^8 ≈ 8.5 × 10^11). */
export const REFERRAL_SPACE = REFERRAL_ALPHABET.length ** REFERRAL_LENGTH;

/** The code of a number in [0, REFERRAL_SPACE). */
export function encodeReferral(n: number): string {
  let out = '';
  let x = n;
  for (let i = 0; i < REFERRAL_LENGTH; i++) {
    out = REFERRAL_ALPHABET[x % REFERRAL_ALPHABET.length]! + out;
    x = Math.floor(x / REFERRAL_ALPHABET.length);
  }
  return out;
}

// Draws are 48-bit; those at or above the largest multiple of the code space are redrawn, so every
// code is equally likely.
const LIMIT = Math.floor(2 ** 48 / REFERRAL_SPACE) * REFERRAL_SPACE;
const POOL_BYTES = 60 * 1024;

/**
 * Random referral codes. `next()` returns the code and its number (a compact key for a set).
 * @example new ReferralCodes().next() // { n: 512331077, code: '2223Y7QX' }
 */
export class ReferralCodes {
  private pool: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly random: (bytes: number) => Buffer = randomBytes) {}

  next(): { n: number; code: string } {
    for (;;) {
      if (this.at + 6 > this.pool.length) {
        this.pool = this.random(POOL_BYTES);
        this.at = 0;
      }
      const v = this.pool.readUIntLE(this.at, 6);
      this.at += 6;
      if (v < LIMIT) {
        const n = v % REFERRAL_SPACE;
        return { n, code: encodeReferral(n) };
      }
    }
  }
}
