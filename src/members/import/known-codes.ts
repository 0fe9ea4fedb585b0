import type Database from 'better-sqlite3';

/**
 * A set of codes (stores, staff) that a row may refer to, with a hint for near misses: codes are
 * compared exactly, but `hz01` for `HZ01` gets "did you mean HZ01?".
 */
export class KnownCodes {
  private readonly exact = new Set<string>();
  private readonly folded = new Map<string, string>();

  constructor(codes: Iterable<string> = []) {
    for (const c of codes) this.add(c);
  }

  /** Loads one column of codes from a table. */
  static fromTable(sqlite: Database.Database, table: 'stores' | 'staff', column = 'code'): KnownCodes {
    return new KnownCodes(sqlite.prepare(`select ${column} as c from ${table}`).pluck().all() as string[]);
  }

  add(code: string): void {
    this.exact.add(code);
    this.folded.set(code.toLowerCase(), code);
  }

  has(code: string): boolean {
    return this.exact.has(code);
  }

  get size(): number {
    return this.exact.size;
  }

  /** `" (did you mean HZ01?)"` when the code differs from a known one only by case, else `""`. */
  hint(code: string): string {
    const near = this.folded.get(code.toLowerCase());
    return near && near !== code ? ` (did you mean ${near}?)` : '';
  }
}
