/**
 * A small seeded PRNG (mulberry32): the same seed always gives the same sequence, so demos,
 * tests, plans and benchmarks can replay.
 * @param seed any number; only its low 32 bits are used.
 * @returns a function giving the next number in [0, 1) on each call.
 * @example const random = seededRandom(42); random() // 0.6011…
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
