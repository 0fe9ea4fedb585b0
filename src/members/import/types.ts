/** The contracts between the import engine and the kinds of file it imports. */
import type { Db } from '../../platform/db/client.js';
import type { MembershipPlaybook } from '../playbook.js';
import type { FieldSpec } from './headers.js';

export const IMPORT_KINDS = ['stores', 'staff', 'members', 'groups', 'orders'] as const;
export type ImportKindName = (typeof IMPORT_KINDS)[number];

/** A problem with one value of a row, before it is placed (row, column) by the engine. */
export interface FieldProblem {
  /** The field's key, or `*` for the row as a whole. */
  field: string;
  /** The raw cell (masked by the engine when the field holds phones). */
  value: string;
  why: string;
}

/** One row's cells, looked up by field key: `undefined` = no such column in the file. Valid only
 * during the `parse` call it is given to. */
export interface RowCells {
  /** The row number as Excel shows it (the header is row 1). */
  readonly row: number;
  get(field: string): string | undefined;
}

/** What parsing needs besides the cells. */
export interface ParseEnv {
  timeZone: string;
  now: Date;
  /** The local calendar year of `now`. */
  year: number;
  /** The local date of `now` (birthdays after it are refused). */
  today?: { year: number; month: number; day: number };
}

/** What applying one row did (or, in a dry run, would do). */
export type Outcome = 'created' | 'updated' | 'unchanged';

/** Per import, the writer of one kind over one database. */
export interface Sink<R> {
  /**
   * Checks a parsed row against the store and the earlier rows of the file (duplicate keys, unknown
   * stores, guides, members). Read-only; may complete the row (e.g. resolve the member id). The
   * array returned may be shared: do not change it.
   */
  check(row: R, rowNumber: number): FieldProblem[];
  /**
   * Writes the row (or, with `dryRun`, only works out what writing would do). Must leave nothing
   * behind when it throws: one statement, or its own savepoint.
   */
  apply(row: R, dryRun: boolean): Outcome;
  /** Called once before commit (not on rollback). */
  finish?(): void;
  /** Lines for the summary beyond the counts (points credited, ...). */
  notes?(): string[];
}

/** Options every sink gets. */
export interface SinkOptions {
  now: Date;
  timeZone: string;
  dryRun: boolean;
  /** Members (the tier of new members) and orders (points): the membership playbook. */
  playbook?: MembershipPlaybook;
}

/** One kind of file: its columns, how a row parses, and its writer. */
export interface ImportKind<R> {
  name: ImportKindName;
  /** What one row is, for messages ("member"). */
  noun: string;
  fields: readonly FieldSpec[];
  /** Groups of fields of which the file needs at least one column (orders: phone or member id). */
  oneOf?: readonly (readonly string[])[];
  /** Pure: the cells of one row → the row, or its problems. */
  parse(cells: RowCells, env: ParseEnv): R | FieldProblem[];
  /** Opens the writer, inside the import's transaction. */
  open(db: Db, options: SinkOptions): Sink<R>;
}
