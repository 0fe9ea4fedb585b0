import type { FieldProblem, RowCells } from './types.js';
import type { Parsed } from './values.js';

/**
 * Reads the fields of one row through value parsers, collecting every problem (not only the first),
 * so an operator fixes a row once.
 * @example
 * const r = new RowReader(cells);
 * const phone = r.required('phone', parsePhone);
 * const name = r.optional('name', parseName);
 * return r.problems.length ? r.problems : { phone: phone!, name };
 */
export class RowReader {
  readonly problems: FieldProblem[] = [];

  constructor(private readonly cells: RowCells) {}

  /** The raw cell; `undefined` when the file has no such column. */
  raw(field: string): string | undefined {
    return this.cells.get(field);
  }

  /** True when the file has the column and this row's cell is not blank. */
  has(field: string): boolean {
    const v = this.cells.get(field);
    return v !== undefined && v.trim() !== '';
  }

  /** A value the row must have. `arg` is passed on to the parser (a timezone, a year). */
  required<T, A = undefined>(field: string, parser: (raw: string, arg: A) => Parsed<T>, arg?: A): T | undefined {
    return this.read(field, this.cells.get(field) ?? '', parser, arg as A);
  }

  /** A value that may be missing (no column, or a blank cell): `undefined` then. */
  optional<T, A = undefined>(field: string, parser: (raw: string, arg: A) => Parsed<T>, arg?: A): T | undefined {
    const raw = this.cells.get(field);
    if (raw === undefined || raw.trim() === '') return undefined;
    return this.read(field, raw, parser, arg as A);
  }

  /** Records a problem found by the caller. */
  problem(field: string, value: string, why: string): void {
    this.problems.push({ field, value, why });
  }

  private read<T, A>(field: string, raw: string, parser: (raw: string, arg: A) => Parsed<T>, arg: A): T | undefined {
    if (raw.includes('\uFFFD')) {
      this.problem(field, raw, 'has characters that could not be decoded: the file may not be in the encoding it was read with (--encoding gbk or utf8)');
      return undefined;
    }
    const parsed = parser(raw, arg);
    if (parsed.ok) return parsed.value;
    this.problem(field, raw, parsed.why);
    return undefined;
  }
}
