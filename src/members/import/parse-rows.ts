/**
 * The reading half of an import, pure of the store: the file's records → header → each row parsed by
 * its kind (`kind.parse`) or its problems, in batches. It runs in the engine's thread for small files
 * and in a worker thread for large ones (`row-source.ts`), so parsing overlaps the writing.
 */
import { localParts } from '../../core/time.js';
import { normalizeHeader } from './cells.js';
import { openCsv, RecordQueue, type CsvSource, type Sniffed } from './csv-source.js';
import type { Detection, EncodingChoice } from './encoding.js';
import { aliasTable, resolveHeader, type FieldSpec } from './headers.js';
import { importKinds } from './kinds/index.js';
import type { FieldProblem, ImportKindName, ParseEnv, RowCells } from './types.js';

/** How many leading rows may precede the header (a title line in an export). */
const HEADER_SEARCH_ROWS = 10;

/** What to read. Plain data: it crosses to a worker thread. */
export interface ParseJob {
  kind: ImportKindName;
  file: string;
  choice: EncodingChoice;
  timeZone: string;
  /** ms since the epoch (a Date does not survive every hand-over). */
  now: number;
  year: number;
}

/** One data row: blank (`null`), parsed (`r`) or its problems (`p`); `x` = values beyond the header. */
export type RowItem<R = unknown> = null | { r: R; x?: FieldProblem } | { p: FieldProblem[]; x?: FieldProblem };

export type ParseMessage =
  | { type: 'header'; size: number; detection: Detection; found: FoundHeader | null }
  | { type: 'rows'; bytesRead: number; items: RowItem[] }
  /** `ignoredFilled`: per ignored column (in `columns.ignored` order), how many rows have a value in it. */
  | { type: 'end'; bytesRead: number; detection: Detection; ignoredFilled: number[] }
  | { type: 'error'; name: string; message: string };

export interface FoundHeader {
  header: string[];
  /** The row the header is on (Excel numbering). */
  row: number;
  resolved: ReturnType<typeof resolveHeader>;
}

/** Rows per message. */
const ROWS_PER_BATCH = 2048;

const isBlank = (record: string[]): boolean => {
  for (const c of record) if (c.trim() !== '') return false;
  return true;
};

/** Finds the header among the first rows: the first that resolves, else the one naming most fields. */
async function readHeader(records: RecordQueue, fields: readonly FieldSpec[], oneOf: readonly (readonly string[])[] | undefined): Promise<FoundHeader | null> {
  const table = aliasTable(fields);
  let best: (FoundHeader & { known: number }) | null = null;
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
  if (!best) return null;
  const { known: _known, ...found } = best;
  return found;
}

/** The cells of the current row, by field; one object reused for every row (parsers keep values, not it). */
class Cells implements RowCells {
  row = 0;
  record: string[] = [];
  constructor(private readonly index: Map<string, number>) {}
  get(field: string): string | undefined {
    const i = this.index.get(field);
    return i === undefined ? undefined : (this.record[i] ?? '');
  }
}

/**
 * Reads and parses a whole file: first a `header` message (null `found` when the file is empty or
 * has no usable header; reading stops there unless it resolved), then `rows` batches, then `end`.
 * Errors are messages too (`error`, with the error's name: `CsvReadError`, `OpenError`).
 */
export async function* parseFile(job: ParseJob): AsyncGenerator<ParseMessage> {
  const kind = importKinds[job.kind];
  let source: CsvSource;
  try {
    source = await openCsv(job.file, job.choice);
  } catch (err) {
    yield { type: 'error', name: 'OpenError', message: (err as Error).message };
    return;
  }
  const queue = new RecordQueue(source.batches());
  try {
    const found = await readHeader(queue, kind.fields, kind.oneOf);
    yield { type: 'header', size: source.sniffed.size, detection: source.detection(), found };
    if (!found?.resolved.ok) return;
    const width = found.header.length;
    const cells = new Cells(found.resolved.columns.index);
    const ignoredIndex = found.resolved.columns.ignoredIndex;
    const ignoredFilled = ignoredIndex.map(() => 0);
    const local = localParts(new Date(job.now), job.timeZone);
    const env: ParseEnv = { timeZone: job.timeZone, now: new Date(job.now), year: job.year, today: { year: local.year, month: local.month, day: local.day } };
    let row = found.row;
    let items: RowItem[] = [];
    for (;;) {
      const record = queue.shift();
      if (record === undefined) {
        if (items.length) {
          yield { type: 'rows', bytesRead: source.bytesRead(), items };
          items = [];
        }
        if (await queue.fill()) continue;
        break;
      }
      row++;
      if (isBlank(record)) {
        items.push(null);
        continue;
      }
      for (let k = 0; k < ignoredIndex.length; k++) if ((record[ignoredIndex[k]!] ?? '').trim() !== '') ignoredFilled[k]!++;
      cells.row = row;
      cells.record = record;
      const parsed = kind.parse(cells, env);
      const item: Exclude<RowItem, null> = Array.isArray(parsed) ? { p: parsed } : { r: parsed };
      if (record.length > width && !isBlank(record.slice(width))) {
        item.x = {
          field: '*',
          value: record.slice(width).join(','),
          why: `has ${record.length} values but the header has ${width} columns: a value containing a comma must be in "quotes"`,
        };
      }
      items.push(item);
      if (items.length >= ROWS_PER_BATCH) {
        yield { type: 'rows', bytesRead: source.bytesRead(), items };
        items = [];
      }
    }
    yield { type: 'end', bytesRead: source.bytesRead(), detection: source.detection(), ignoredFilled };
  } catch (err) {
    yield { type: 'error', name: (err as Error).name ?? 'Error', message: (err as Error).message ?? String(err) };
  } finally {
    await queue.close().catch(() => undefined);
  }
}

export type { Sniffed };
