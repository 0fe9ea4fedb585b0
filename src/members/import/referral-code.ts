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

const HALF_BITS = 20;
const HALF_MASK = (1 << HALF_BITS) - 1;
const ROUNDS = 6;

/**
 * Referral codes that never repeat within one import, without remembering them: the n-th code is a
 * keyed permutation of n over the whole code space (a 6-round Feistel network on 40 bits, walked
 * until the value falls in the space), with round keys from crypto random bytes drawn per instance.
 * A first load into an empty members table uses it: no set of a million codes to keep, and no
 * collision to retry. Codes look as random as {@link ReferralCodes}' to a member.
 * @example const codes = new DistinctReferralCodes(); codes.next().code // 'Q7K3M2XA'
 */
export class DistinctReferralCodes {
  private readonly keys: Uint32Array;
  private counter = 0;

  constructor(random: (bytes: number) => Buffer = randomBytes) {
    const bytes = random(4 * ROUNDS);
    this.keys = new Uint32Array(ROUNDS);
    for (let i = 0; i < ROUNDS; i++) this.keys[i] = bytes.readUInt32LE(4 * i);
  }

  next(): { n: number; code: string } {
    if (this.counter >= REFERRAL_SPACE) throw new RangeError('every referral code has been drawn');
    let v = this.counter++;
    do v = this.permute(v);
    while (v >= REFERRAL_SPACE);
    return { n: v, code: encodeReferral(v) };
  }

  /** One pass of the Feistel network: a bijection on [0, 2^40). */
  private permute(v: number): number {
    let left = Math.floor(v / (HALF_MASK + 1));
    let right = v % (HALF_MASK + 1);
    for (let i = 0; i < ROUNDS; i++) {
      const next = left ^ round(right, this.keys[i]!);
      left = right;
      right = next;
    }
    return left * (HALF_MASK + 1) + right;
  }
}

/** The round function: a 32-bit mix of the half and the round key, cut to 20 bits. */
function round(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ key, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & HALF_MASK;
}
