/**
 * The import engine: streams a CSV file through a kind's parser and checks, applies each good row as
 * it streams by inside ONE transaction, and reports every bad row (Excel row, column, value, why).
 *
 * All-or-nothing by default: after the first bad row nothing more is written, every remaining row is
 * still validated (so the operator sees all problems at once) and the transaction is rolled back.
 * `allowPartial` commits the good rows; `dryRun` works out what would happen and rolls back.
 */
import { performance } from 'node:perf_hooks';
import { maskPhones } from '../../core/mask.js';
import { localParts } from '../../core/time.js';
import type { Db } from '../../platform/db/client.js';
import { columnLetter, normalizeHeader } from './cells.js';
import { openCsv, RecordQueue, type CsvSource } from './csv-source.js';
import { describeEncoding, type EncodingChoice } from './encoding.js';
import { aliasTable, describeHeaderProblems, resolveHeader, type ColumnMap, type FieldSpec } from './headers.js';
import { importKinds } from './kinds/index.js';
import type { MembershipPlaybook } from '../playbook.js';
import type { FieldProblem, ImportKindName, ParseEnv, RowCells } from './types.js';

/** Rows between two progress reports. */
export const PROGRESS_EVERY_ROWS = 5000;
/** Bad rows kept in the result (all are passed to `onIssue`). */
export const DEFAULT_MAX_ISSUES_KEPT = 1000;
/** How many leading rows may precede the header (a title line in an export). */
const HEADER_SEARCH_ROWS = 10;

export interface ImportOptions {
  kind: ImportKindName;
  file: string;
  /** `auto` (default): BOM, else strict UTF-8, else GBK/GB18030. */
  encoding?: EncodingChoice;
  /** Validate and count what would change; write nothing. */
  dryRun?: boolean;
  /** Import the good rows even when some are bad. */
  allowPartial?: boolean;
  /** Zone of local dates and times in the file (config TIMEZONE). */
  timeZone: string;
  now: Date;
  /** Members (tier of new members) and orders (points per order): the membership playbook. */
  playbook?: MembershipPlaybook;
  maxIssuesKept?: number;
  /** Each bad row as it is found (for printing while the import runs). */
  onIssue?: (issue: RowIssue) => void;
  /** Every 5,000 rows and at the end. */
  onProgress?: (progress: ImportProgress) => void;
}

/** One bad value of one row, as the operator sees it in Excel. */
export interface RowIssue {
  /** Row number in Excel: the header is row 1 (or the row it is on). */
  row: number;
  /** The column's letter (`C`), empty for a problem of the whole row. */
  columnLetter: string;
  /** The header as written in the file (`手机号`), empty for the whole row. */
  column: string;
  /** The field's key (`phone`), `*` for the whole row. */
  field: string;
  /** The cell as found; phone numbers masked. */
  value: string;
  why: string;
}

export interface ImportProgress {
  bytesRead: number;
  bytesTotal: number;
  rows: number;
  /** Every row is read; the changes are being committed (indexes built on a first load). */
  committing: boolean;
  done: boolean;
}

export interface ImportResult {
  kind: ImportKindName;
  file: string;
  /** How the text was read: `UTF-8 with BOM (detected)`. */
  encoding: string;
  /** Data rows read (after the header), blank rows included. */
  rows: number;
  /** Rows that passed every check. */
  valid: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Blank rows. */
  skipped: number;
  /** Rows with at least one problem. */
  bad: number;
  /** True when the changes were committed (not a dry run, and no bad row unless allowPartial). */
  applied: boolean;
  dryRun: boolean;
  allowPartial: boolean;
  /** The first `maxIssuesKept` problems, in file order. */
  issues: RowIssue[];
  /** Problems found but not kept in `issues`. */
  issuesOmitted: number;
  /** Header cells no field claimed (not an error). */
  ignoredColumns: string[];
  /** The kind's own lines (points credited, first load). */
  notes: string[];
  seconds: number;
  rowsPerSecond: number;
}

/** A file that cannot be imported at all (missing columns, unreadable text). Nothing was written. */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

/** A phone cell shown with its middle hidden, whatever its shape: `138****5678`, `138***678`. */
export function maskPhoneCell(raw: string): string {
  const s = raw.trim();
  if (s.replace(/\D/g, '').length < 7) return s;
  return s.slice(0, 3) + s.slice(3, -4).replace(/\d/g, '*') + s.slice(-4);
}

const isBlank = (record: string[]): boolean => record.every((c) => c.trim() === '');

/** Finds the header among the first rows: the first that resolves, else the one naming most fields. */
async function readHeader(
  records: RecordQueue, fields: readonly FieldSpec[], oneOf: readonly (readonly string[])[] | undefined,
): Promise<{ header: string[]; row: number; resolved: ReturnType<typeof resolveHeader> } | null> {
  const table = aliasTable(fields);
  let best: { header: string[]; row: number; resolved: ReturnType<typeof resolveHeader>; known: number } | null = null;
  for (let row = 1; row <= HEADER_SEARCH_ROWS; row++) {
    const record = await records.next();
    if (record === undefined) break;
    const header = record.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c));
    if (isBlank(header)) continue;
    const resolved = resolveHeader(header, fields, oneOf);
    if (resolved.ok) return { header, row, resolved };
    const known = header.filter((h) => table.has(normalizeHeader(h))).length;
    if (!best || known > best.known) best = { header, row, resolved, known };
    if (known > 0) break; // a row naming some fields is the header: do not skip past it
  }
  return best;
}

/**
 * Imports one CSV file of `options.kind` into `db`.
 * @throws ImportFileError when the file cannot be imported at all (no usable header, bad encoding,
 *   broken quoting); nothing is written then.
 * @example
 * const result = await runImport(db, { kind: 'members', file: 'members.csv', timeZone: 'Asia/Shanghai', now: new Date(), playbook });
 */
export async function runImport(db: Db, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const kind = importKinds[options.kind];
  const choice = options.encoding ?? 'auto';
  const dryRun = options.dryRun ?? false;
  const allowPartial = options.allowPartial ?? false;
  const progressEvery = PROGRESS_EVERY_ROWS;
  const maxIssues = options.maxIssuesKept ?? DEFAULT_MAX_ISSUES_KEPT;
  const env: ParseEnv = { timeZone: options.timeZone, now: options.now, year: localParts(options.now, options.timeZone).year };

  let source: CsvSource;
  try {
    source = await openCsv(options.file, choice);
  } catch (err) {
    throw new ImportFileError(`${options.file}: cannot be read (${(err as Error).message})`);
  }
  const encodingName = () => describeEncoding(source.detection(), choice);
  const queue = new RecordQueue(source.batches());
  const result: ImportResult = {
    kind: options.kind, file: options.file, encoding: '', rows: 0, valid: 0, created: 0, updated: 0, unchanged: 0,
    skipped: 0, bad: 0, applied: false, dryRun, allowPartial, issues: [], issuesOmitted: 0, ignoredColumns: [], notes: [],
    seconds: 0, rowsPerSecond: 0,
  };

  const found = await readHeader(queue, kind.fields, kind.oneOf).catch(rethrowAsFileError);
  if (!found) {
    await queue.close();
    throw new ImportFileError(`${options.file}: the file is empty: the first row must name the columns (${kind.fields.filter((f) => f.required).map((f) => f.label).join(', ')})`);
  }
  if (!found.resolved.ok) {
    await queue.close();
    throw new ImportFileError(describeHeaderProblems(options.file, found.header, found.resolved.problems, kind.fields, encodingName()));
  }
  const columns: ColumnMap = found.resolved.columns;
  result.ignoredColumns = columns.ignored;
  const phoneFields = new Set(kind.fields.filter((f) => f.phone).map((f) => f.key));
  const width = found.header.length;

  const report = (row: number, problems: FieldProblem[]) => {
    result.bad++;
    for (const p of problems) {
      const col = p.field === '*' ? undefined : columns.index.get(p.field);
      const issue: RowIssue = {
        row,
        columnLetter: col === undefined ? '' : columnLetter(col),
        column: col === undefined ? '' : (found.header[col] ?? '').trim(),
        field: p.field,
        value: phoneFields.has(p.field) ? maskPhoneCell(p.value) : maskPhones(p.value.trim()),
        why: maskPhones(p.why),
      };
      if (result.issues.length < maxIssues) result.issues.push(issue);
      else result.issuesOmitted++;
      options.onIssue?.(issue);
    }
  };
  const progress = (done: boolean, committing = false) =>
    options.onProgress?.({ bytesRead: source.bytesRead(), bytesTotal: source.sniffed.size, rows: result.rows, committing, done });

  const sqlite = db.$client;
  try {
    // One transaction for the whole file: the write lock is held until the end (a dry run only reads).
    sqlite.exec(dryRun ? 'begin' : 'begin immediate');
  } catch (err) {
    await queue.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ImportFileError(`${options.file}: the store (${sqlite.name}) is busy: another process kept it locked for longer than the busy timeout. Run the import again.`);
    }
    throw err;
  }
  let ended = false;
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number; // a kind may raise it
  try {
    const sink = kind.open(db, {
      now: options.now, timeZone: options.timeZone, dryRun, playbook: options.playbook,
    });
    // All-or-nothing: once a row is bad, nothing more is written; the rest is only validated.
    const writing = () => allowPartial || dryRun || result.bad === 0;
    const cells = new Cells(columns.index);
    let row = found.row;
    for (;;) {
      const record = queue.shift();
      if (record === undefined) {
        if (await queue.fill().catch(rethrowAsFileError)) continue;
        break;
      }
      row++;
      result.rows++;
      if (result.rows % progressEvery === 0) progress(false);
      if (isBlank(record)) {
        result.skipped++;
        continue;
      }
      cells.row = row;
      cells.record = record;
      const parsed = kind.parse(cells, env);
      let problems = Array.isArray(parsed) ? parsed : sink.check(parsed, row);
      if (record.length > width && !isBlank(record.slice(width))) {
        problems = [...problems, {
          field: '*', value: record.slice(width).join(','),
          why: `has ${record.length} values but the header has ${width} columns: a value containing a comma must be in "quotes"`,
        }];
      }
      if (problems.length) {
        report(row, problems);
        continue;
      }
      result.valid++;
      if (!writing()) continue;
      // Applied as it streams by, inside the one transaction: no batch of rows is kept in memory.
      // A row that fails to write is a bad row like any other (`apply` leaves nothing behind).
      try {
        result[sink.apply(parsed, dryRun)]++;
      } catch (err) {
        report(row, [{ field: '*', value: '', why: `could not be written: ${(err as Error).message}` }]);
      }
    }
    const failed = result.bad > 0 && !allowPartial;
    if (dryRun || failed) {
      sqlite.exec('rollback');
    } else {
      progress(false, true);
      sink.finish?.();
      sqlite.exec('commit');
      result.applied = true;
    }
    ended = true;
    if (failed && !dryRun) result.created = result.updated = result.unchanged = 0;
    else result.notes = sink.notes?.() ?? [];
  } finally {
    if (!ended && sqlite.inTransaction) sqlite.exec('rollback');
    sqlite.pragma(`cache_size = ${cacheSize}`);
    await queue.close().catch(() => undefined);
  }
  progress(true);
  result.encoding = encodingName();
  result.seconds = (performance.now() - started) / 1000;
  result.rowsPerSecond = result.seconds > 0 ? result.rows / result.seconds : 0;
  return result;
}

/** The cells of the current row, by field; one object reused for every row (parsers keep values, not it). */
class Cells implements RowCells {
  row = 0;
  record: string[] = [];
  constructor(private readonly index: Map<string, number>) {}
  get(field: string): string | undefined {
    const i = this.index.get(field);
    return i === undefined ? undefined : this.record[i] ?? '';
  }
}

function rethrowAsFileError(err: unknown): never {
  if (err instanceof Error && err.name === 'CsvReadError') throw new ImportFileError(err.message);
  throw err;
}
