/**
 * Streaming CSV reading: fs stream → {@link DecodeStream} (UTF-8 bytes) → {@link CsvSplitter} (csv-parse's
 * records, split fast when lines are plain), in batches of one read chunk's records, so the memory used does not grow with the file.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsvError } from 'csv-parse';
import { CsvSplitter } from './csv-splitter.js';
import iconv from 'iconv-lite';
import { DecodeError, DecodeStream, detectEncoding, forcedDetection, type Detection, type EncodingChoice } from './encoding.js';

/** Bytes looked at before reading: enough for the header and the first rows. */
const SNIFF_BYTES = 64 * 1024;
/** Read-ahead of the file stream. */
const CHUNK_BYTES = 256 * 1024;
/** One record larger than this is a broken quote, not data: stop before it eats the memory. */
export const MAX_RECORD_CHARS = 1_000_000;

/** A file that cannot be read as CSV; the message names the file and says what to do. */
export class CsvReadError extends Error {
  override name = 'CsvReadError';
}

/** What a first look at the file found. */
export interface Sniffed {
  size: number;
  detection: Detection;
  delimiter: ',' | '\t' | ';';
}

/**
 * Looks at the first bytes: encoding (unless forced) and delimiter (comma; tab for Excel's
 * "Unicode text"; semicolon when the header has only semicolons).
 */
export async function sniff(file: string, choice: EncodingChoice): Promise<Sniffed> {
  const { size } = await stat(file);
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const detection = choice === 'auto' ? detectEncoding(head) : forcedDetection(choice, head);
  const text = detection.encoding === 'ascii' ? head.toString('latin1') : iconv.decode(head, detection.encoding === 'utf-8' ? 'utf8' : detection.encoding);
  const firstLine = text.split('\n', 1)[0] ?? '';
  const count = (c: string) => firstLine.split(c).length - 1;
  const [commas, tabs, semicolons] = [count(','), count('\t'), count(';')];
  const delimiter = tabs > commas ? '\t' : semicolons > 0 && commas === 0 ? ';' : ',';
  return { size, detection, delimiter };
}

/** A CSV file being read: records as string arrays, with the bytes consumed so far. */
export interface CsvSource {
  readonly sniffed: Sniffed;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead(): number;
  /** The encoding finally used (an ASCII start is decided at the first non-ASCII byte). */
  detection(): Detection;
  /**
   * Every record of the file, header included, in order, in batches of whatever the parser has ready
   * (one await per batch, not per record). Iterate once.
   */
  batches(): AsyncGenerator<string[][]>;
}

/**
 * Records one at a time from {@link CsvSource.batches}: `shift()` takes the next one without
 * waiting while the current batch lasts, `fill()` waits for the next batch.
 */
export class RecordQueue {
  private batch: string[][] = [];
  private at = 0;

  constructor(private readonly batches: AsyncIterator<string[][]>) {}

  /** The next record of the current batch, or undefined when it is used up. */
  shift(): string[] | undefined {
    return this.at < this.batch.length ? this.batch[this.at++] : undefined;
  }

  /** Waits for the next batch; false at the end of the file. */
  async fill(): Promise<boolean> {
    const next = await this.batches.next();
    if (next.done) return false;
    this.batch = next.value;
    this.at = 0;
    return true;
  }

  /** The next record, waiting if needed; undefined at the end of the file. */
  async next(): Promise<string[] | undefined> {
    for (;;) {
      const record = this.shift();
      if (record !== undefined) return record;
      if (!(await this.fill())) return undefined;
    }
  }

  /** Stops reading (closes the file). */
  async close(): Promise<void> {
    await this.batches.return?.(undefined);
  }
}

/**
 * Opens a CSV file for streaming. Errors while reading surface from `batches()` as
 * {@link CsvReadError} with the file, the place and what to do.
 * @example for await (const batch of (await openCsv('members.csv', 'auto')).batches()) { … }
 */
export async function openCsv(file: string, choice: EncodingChoice): Promise<CsvSource> {
  const sniffed = await sniff(file, choice);
  const decode = new DecodeStream(sniffed.detection);
  const splitter = new CsvSplitter(sniffed.delimiter, MAX_RECORD_CHARS);
  const fail = (err: unknown): never => {
    if (err instanceof DecodeError) {
      const other = err.encoding === 'utf-8' ? 'gbk' : 'utf8';
      throw new CsvReadError(
        `${file}: the text is not valid ${err.encoding === 'utf-8' ? 'UTF-8' : err.encoding} (around bytes ${err.fromByte.toLocaleString('en-US')}–${err.toByte.toLocaleString('en-US')}). ` +
          `It looks like another encoding: run again with --encoding ${other}, or save the file from Excel as "CSV UTF-8".`,
      );
    }
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      const why =
        err.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted value is never closed (a " opens a value that runs to the end of the file)'
          : err.code === 'CSV_MAX_RECORD_SIZE'
            ? `one row is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters, which usually means a " opened a value that is never closed`
            : err.message;
      throw new CsvReadError(`${file}${line ? ` near line ${line}` : ''}: ${why}.`);
    }
    throw err;
  };
  async function* batches(): AsyncGenerator<string[][]> {
    const flowing = pipeline(createReadStream(file, { highWaterMark: CHUNK_BYTES }), decode);
    flowing.catch(() => undefined); // the same error reaches the iterator below
    try {
      for await (const chunk of decode) {
        const batch: string[][] = [];
        splitter.push((chunk as Buffer).toString('utf8'), batch);
        if (batch.length) yield batch;
      }
      await flowing;
      const last: string[][] = [];
      splitter.end(last);
      if (last.length) yield last;
    } catch (err) {
      fail(err);
    } finally {
      if (!decode.destroyed) decode.destroy();
    }
  }
  return {
    sniffed,
    bytesRead: () => decode.bytes,
    detection: () => ({ encoding: decode.encoding, bom: decode.bom }),
    batches,
  };
}
