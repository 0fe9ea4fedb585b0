/**
 * The import engine: streams a CSV file through a kind's parser and checks, applies each good row as
 * it streams by inside ONE transaction, and reports every bad row (Excel row, column, value, why).
 *
 * All-or-nothing by default: after the first bad row nothing more is written, every remaining row is
 * still validated (so the operator sees all problems at once) and the transaction is rolled back.
 * `allowPartial` commits the good rows; `dryRun` works out what would happen and rolls back.
 *
 * Reading, splitting and each row's own checks (`parse-rows.ts`) run in a worker thread for large
 * files (`row-source.ts`), beside the writes here; checks against the store and the writes stay here.
 */
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { maskPhones } from '../../core/mask.js';
import { localParts } from '../../core/time.js';
import type { Db } from '../../platform/db/client.js';
import { columnLetter } from './cells.js';
import { describeEncoding, type Detection, type EncodingChoice } from './encoding.js';
import { describeHeaderProblems, meaningOf, nearestField, type ColumnMap, type FieldSpec } from './headers.js';
import { importKinds } from './kinds/index.js';
import type { MembershipPlaybook } from '../playbook.js';
import type { ParseJob, ParseMessage } from './parse-rows.js';
import { openRows } from './row-source.js';
import type { FieldProblem, ImportKindName, ParseEnv } from './types.js';

/** Rows between two progress reports. */
export const PROGRESS_EVERY_ROWS = 5000;
/** Bad rows kept in the result (all are passed to `onIssue`). */
export const DEFAULT_MAX_ISSUES_KEPT = 1000;

export interface ImportOptions {
  kind: ImportKindName;
  file: string;
  /** `auto` (default): BOM, else strict UTF-8, else GBK/GB18030. */
  encoding?: EncodingChoice;
  /** Validate and count what would change; write nothing. */
  dryRun?: boolean;
  /** Import the good rows even when some are bad. */
  allowPartial?: boolean;
  /** A column no field claims is an error (nothing imported), not a note. */
  strict?: boolean;
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
  /** Parse in a worker thread (true), in this thread (false), or by file size (default: from 8 MB). */
  parseInWorker?: boolean;
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
  /** Each ignored column: where, how many rows had a value in it, and the field it most likely meant. */
  ignored: IgnoredColumn[];
  /** What one row is (`group`), for messages. */
  noun: string;
  /** The kind's own lines (points credited, first load). */
  notes: string[];
  seconds: number;
  rowsPerSecond: number;
}

/** A column no field claimed, as the report describes it. */
export interface IgnoredColumn {
  /** The header as written. */
  column: string;
  columnLetter: string;
  /** Rows with a value in this column (known once the file is read). */
  filled: number;
  /** The field the header most likely meant, if any is near. */
  nearest: { label: string; alias: string; meaning: string; key: string; readFrom: string | null } | null;
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
  const local = localParts(options.now, options.timeZone);
  const env: ParseEnv = { timeZone: options.timeZone, now: options.now, year: local.year, today: { year: local.year, month: local.month, day: local.day } };

  let size: number;
  try {
    size = (await stat(options.file)).size;
  } catch (err) {
    throw new ImportFileError(`${options.file}: cannot be read (${(err as Error).message})`);
  }
  const job: ParseJob = { kind: options.kind, file: options.file, choice, timeZone: options.timeZone, now: options.now.getTime(), year: env.year };
  const source = await openRows(job, size, options.parseInWorker);
  let detection: Detection = { encoding: 'ascii', bom: false };
  let bytesRead = 0;
  const encodingName = () => describeEncoding(detection, choice);
  const result: ImportResult = {
    kind: options.kind,
    file: options.file,
    encoding: '',
    rows: 0,
    valid: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    bad: 0,
    applied: false,
    dryRun,
    allowPartial,
    issues: [],
    issuesOmitted: 0,
    ignoredColumns: [],
    ignored: [],
    noun: kind.noun,
    notes: [],
    seconds: 0,
    rowsPerSecond: 0,
  };

  const first = await source.next();
  if (first.type !== 'header') {
    await source.close();
    throwMessage(options.file, first);
  }
  detection = first.detection;
  const found = first.found;
  if (!found) {
    await source.close();
    throw new ImportFileError(
      `${options.file}: the file is empty: the first row must name the columns (${kind.fields
        .filter((f) => f.required)
        .map((f) => f.label)
        .join(', ')})`,
    );
  }
  if (!found.resolved.ok) {
    await source.close();
    throw new ImportFileError(describeHeaderProblems(options.file, found.header, found.resolved.problems, kind.fields, encodingName()));
  }
  const columns: ColumnMap = found.resolved.columns;
  result.ignoredColumns = columns.ignored;
  result.ignored = describeIgnored(columns, kind.fields);
  if (options.strict && result.ignored.length) {
    await source.close();
    throw new ImportFileError(
      [
        `${options.file}: ${result.ignored.length === 1 ? 'a column is' : `${result.ignored.length} columns are`} not understood, and --strict refuses ignored columns:`,
        ...result.ignored.map((c) => `  ${ignoredLine(c, kind.noun, false)}`),
        `  Rename ${result.ignored.length === 1 ? 'it' : 'them'} to a known name, remove ${result.ignored.length === 1 ? 'it' : 'them'}, or run without --strict to import without ${result.ignored.length === 1 ? 'it' : 'them'}.`,
        `  columns known: ${kind.fields.map((f) => f.label).join(', ')}`,
      ].join('\n'),
    );
  }
  const phoneFields = new Set(kind.fields.filter((f) => f.phone).map((f) => f.key));

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
  const progress = (done: boolean, committing = false) => options.onProgress?.({ bytesRead, bytesTotal: size, rows: result.rows, committing, done });

  const sqlite = db.$client;
  try {
    // One transaction for the whole file: the write lock is held until the end (a dry run only reads).
    sqlite.exec(dryRun ? 'begin' : 'begin immediate');
  } catch (err) {
    await source.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ImportFileError(`${options.file}: the store (${sqlite.name}) is busy: another process kept it locked for longer than the busy timeout. Run the import again.`);
    }
    throw err;
  }
  let ended = false;
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number; // a kind may raise it
  try {
    const sink = kind.open(db, {
      now: options.now,
      timeZone: options.timeZone,
      dryRun,
      playbook: options.playbook,
    });
    // All-or-nothing: once a row is bad, nothing more is written; the rest is only validated.
    const writing = () => allowPartial || dryRun || result.bad === 0;
    let row = found.row;
    for (;;) {
      const message = await source.next();
      if (message.type === 'end') {
        bytesRead = message.bytesRead;
        detection = message.detection;
        message.ignoredFilled.forEach((n, i) => {
          if (result.ignored[i]) result.ignored[i]!.filled = n;
        });
        break;
      }
      if (message.type !== 'rows') throwMessage(options.file, message);
      bytesRead = message.bytesRead;
      for (const item of message.items) {
        row++;
        result.rows++;
        if (result.rows % progressEvery === 0) progress(false);
        if (item === null) {
          result.skipped++;
          continue;
        }
        const parsed = 'r' in item ? item.r : undefined;
        let problems = 'p' in item ? item.p : sink.check(parsed, row);
        if (item.x) problems = [...problems, item.x];
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
    await source.close().catch(() => undefined);
  }
  progress(true);
  result.encoding = encodingName();
  result.seconds = (performance.now() - started) / 1000;
  result.rowsPerSecond = result.seconds > 0 ? result.rows / result.seconds : 0;
  return result;
}

/** The ignored columns of a header, each with the field it most likely meant. */
function describeIgnored(columns: ColumnMap, fields: readonly FieldSpec[]): IgnoredColumn[] {
  return columns.ignored.map((column, i) => {
    const index = columns.ignoredIndex[i]!;
    const near = nearestField(column, fields);
    const at = near ? columns.index.get(near.field.key) : undefined;
    return {
      column,
      columnLetter: columnLetter(index),
      filled: 0,
      nearest: near && {
        label: near.field.label,
        alias: near.alias,
        meaning: meaningOf(near.field),
        key: near.field.key,
        readFrom: at === undefined ? null : `${columnLetter(at)} ${(columns.header[at] ?? '').trim()}`,
      },
    };
  });
}

const plural = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : noun.endsWith('s') ? 'es' : 's'}`;

/**
 * One line about an ignored column: the nearest known header and what the import lacks without it.
 * @example ignoredLine({ column: '群主导购员', columnLetter: 'D', filled: 12, nearest: { alias: '导购', meaning: 'owner guide', readFrom: null, … } }, 'group')
 * // 'column D 群主导购员 ignored — did you mean 导购 (owner guide)? 12 groups will have no owner guide'
 */
export function ignoredLine(c: IgnoredColumn, noun: string, known = true): string {
  const head = `column ${c.columnLetter} ${c.column} ignored`;
  const values = known ? (c.filled === 1 ? 'its 1 value is not imported' : c.filled ? `its ${plural(c.filled, 'value')} are not imported` : 'it is empty') : '';
  if (!c.nearest) return `${head} — not a column this import knows${values ? `; ${values}` : ''}`;
  const mean = `did you mean ${c.nearest.alias} (${c.nearest.meaning})?`;
  if (c.nearest.readFrom) return `${head} — ${mean} ${c.nearest.label} is read from column ${c.nearest.readFrom}${values ? `; ${values}` : ''}`;
  if (!known) return `${head} — ${mean}`;
  return `${head} — ${mean} ${c.filled ? `${plural(c.filled, noun)} will have no ${c.nearest.meaning}` : 'it is empty'}`;
}

/** A reading error from the parser as the operator sees it. */
function throwMessage(file: string, m: ParseMessage): never {
  if (m.type === 'error') {
    if (m.name === 'CsvReadError') throw new ImportFileError(m.message);
    if (m.name === 'OpenError') throw new ImportFileError(`${file}: cannot be read (${m.message})`);
    throw new Error(m.message);
  }
  throw new Error(`unexpected ${m.type} message from the parser`);
}
