/**
 * A set of whole numbers (0 ≤ n < 2^53) with a row number for each, in typed arrays: a million
 * phone numbers take ~24 MB here against ~100 MB in a `Map<number, number>` (boxed doubles,
 * per-entry objects), and no garbage for the collector to chase.
 */
export class NumberRows {
  private keys: Float64Array;
  private rows: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.rows = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  private slot(key: number): number {
    const lo = key % 4_294_967_296;
    const hi = (key - lo) / 4_294_967_296;
    let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
    h ^= h >>> 15;
    let i = h & this.mask;
    while (this.keys[i] !== -1 && this.keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  /** The row recorded for `key`, or undefined. */
  get(key: number): number | undefined {
    const i = this.slot(key);
    return this.keys[i] === key ? this.rows[i] : undefined;
  }

  /** Records `key` at `row` unless present; returns the row recorded first (undefined when new). */
  addIfAbsent(key: number, row: number): number | undefined {
    if (!(Number.isSafeInteger(key) && key >= 0)) throw new RangeError(`NumberRows takes whole numbers ≥ 0, got ${key}`);
    const i = this.slot(key);
    if (this.keys[i] === key) return this.rows[i];
    this.keys[i] = key;
    this.rows[i] = row;
    if (++this.count * 2 > this.mask) this.grow();
    return undefined;
  }

  private grow(): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.rows = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      if (k === -1) continue;
      const i = this.slot(k);
      this.keys[i] = k;
      this.rows[i] = rows[j]!;
    }
  }
}
