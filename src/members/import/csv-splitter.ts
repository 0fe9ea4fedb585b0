/**
 * CSV records from decoded text, fast for what exports are made of: lines without any `"` are split on
 * the delimiter directly; lines whose quoted fields are plain RFC 4180 (`"VIP,宝妈"`, `"say ""hi"""`)
 * are read by a small strict reader; anything else (a value running over several lines, a quote in the
 * middle of a value, text after a closing quote) goes to csv-parse itself, so every record comes out
 * exactly as csv-parse (`relax_quotes`, `relax_column_count`, record delimiter found from the first
 * line ending) would give it. `csv-splitter.test.ts` compares the two on random text.
 */
import { CsvError } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

const QUOTE = '"';

/** Splits decoded text into records as it streams by. `push` and `end` append to `out`. */
export class CsvSplitter {
  private carry = '';
  /** Physical lines consumed before `carry` (for error messages, as csv-parse counts them). */
  private lines = 0;
  private recordDelimiter: string | null = null;

  constructor(
    private readonly delimiter: string,
    private readonly maxRecordChars: number,
  ) {}

  /** Lines read so far. */
  get linesRead(): number {
    return this.lines;
  }

  /** Adds text; appends every record completed by it. */
  push(text: string, out: string[][]): void {
    this.carry = this.carry.length ? this.carry + text : text;
    this.split(out, false);
  }

  /** The end of the text: appends the last record (one without a line ending). */
  end(out: string[][]): void {
    this.split(out, true);
    this.carry = '';
  }

  private split(out: string[][], eof: boolean): void {
    const text = this.carry;
    if (this.recordDelimiter === null) {
      this.recordDelimiter = discoverRecordDelimiter(text, eof, this.delimiter);
      if (this.recordDelimiter === null) {
        if (!eof) return this.checkLength(text.length);
        if (text.length) this.slow(text, 0, text.length, true, out);
        return;
      }
    }
    const d = this.recordDelimiter;
    const dl = d.length;
    const delim = this.delimiter;
    let pos = 0;
    let quote = text.indexOf(QUOTE);
    for (;;) {
      const nl = text.indexOf(d, pos);
      if (nl === -1) break;
      if (quote !== -1 && quote < nl) {
        const record = strictQuotedLine(text, pos, nl, delim);
        if (record) {
          out.push(record);
          pos = nl + dl;
          this.lines++;
        } else {
          const end = this.slow(text, pos, nl + dl, false, out);
          if (end === -1) break; // the record runs past the text read so far
          pos = end;
        }
        quote = text.indexOf(QUOTE, pos);
        continue;
      }
      if (nl - pos > this.maxRecordChars) this.tooLong();
      out.push(text.slice(pos, nl).split(delim));
      pos = nl + dl;
      this.lines++;
    }
    if (eof) {
      if (pos < text.length) this.slow(text, pos, text.length, true, out);
      return;
    }
    this.carry = pos === 0 ? text : text.slice(pos);
    this.checkLength(this.carry.length);
  }

  /**
   * csv-parse on the text from `from`, one more line at a time until the record is complete. Returns
   * where the record ends, or -1 when it runs past the text read so far (not at the end).
   */
  private slow(text: string, from: number, lineEnd: number, eof: boolean, out: string[][]): number {
    const d = this.recordDelimiter;
    let to = lineEnd;
    for (;;) {
      const atEnd = eof && to >= text.length;
      if (to - from > this.maxRecordChars) this.tooLong();
      try {
        const records = parseSync(text.slice(from, to), {
          delimiter: this.delimiter,
          relax_column_count: true,
          relax_quotes: true,
          skip_empty_lines: false,
          max_record_size: this.maxRecordChars,
          ...(d ? { record_delimiter: d } : {}),
        }) as string[][];
        for (const r of records) out.push(r);
        this.lines += countLines(text, from, to, d);
        return to;
      } catch (err) {
        const open = err instanceof CsvError && err.code === 'CSV_QUOTE_NOT_CLOSED';
        if (!open || atEnd) {
          if (err instanceof CsvError) (err as CsvError & { lines?: number }).lines = this.lines + ((err as CsvError & { lines?: number }).lines ?? 1);
          throw err;
        }
      }
      const next = d === null ? -1 : text.indexOf(d, to);
      if (next === -1) {
        if (!eof) return -1;
        to = text.length;
      } else {
        to = next + d!.length;
      }
    }
  }

  private checkLength(chars: number): void {
    if (chars > this.maxRecordChars) this.tooLong();
  }

  private tooLong(): never {
    const err = new CsvError(
      'CSV_MAX_RECORD_SIZE',
      `Max Record Size: record exceed the maximum number of tolerated bytes of ${this.maxRecordChars} at line ${this.lines + 1}`,
      {} as ConstructorParameters<typeof CsvError>[2],
    );
    (err as CsvError & { lines?: number }).lines = this.lines + 1;
    throw err;
  }
}

/** Physical lines in text[from, to) as csv-parse counts them (one per record delimiter). */
function countLines(text: string, from: number, to: number, d: string | null): number {
  if (d === null) return 0;
  let n = 0;
  for (let i = text.indexOf(d, from); i !== -1 && i < to; i = text.indexOf(d, i + d.length)) n++;
  return n;
}

/**
 * The first line ending outside a quoted value, as csv-parse discovers it (`\r\n`, `\n` or `\r`);
 * null when the text read so far has none (or ends with a `\r` that may be followed by `\n`).
 */
function discoverRecordDelimiter(text: string, eof: boolean, delimiter: string): string | null {
  let quoting = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoting) {
      if (c === QUOTE) {
        if (text[i + 1] === QUOTE) i++;
        else quoting = false;
      }
      continue;
    }
    if (c === QUOTE && fieldStart) {
      quoting = true;
      fieldStart = false;
      continue;
    }
    if (c === '\n') return '\n';
    if (c === '\r') {
      if (i + 1 < text.length) return text[i + 1] === '\n' ? '\r\n' : '\r';
      return eof ? '\r' : null;
    }
    fieldStart = c === delimiter;
  }
  return null;
}

/**
 * One line text[from, to) whose quoted values are plain RFC 4180: each quoted value starts its field,
 * doubles its inner quotes and is followed by the delimiter or the line end; unquoted values hold no
 * quote. Null for anything else (csv-parse decides those).
 */
function strictQuotedLine(text: string, from: number, to: number, delimiter: string): string[] | null {
  const fields: string[] = [];
  let i = from;
  for (;;) {
    if (text[i] === QUOTE) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf(QUOTE, j);
        if (q === -1 || q >= to) return null; // runs over the line end
        if (q + 1 < to && text[q + 1] === QUOTE) {
          value += text.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        value += text.slice(j, q);
        j = q + 1;
        break;
      }
      fields.push(value);
      if (j === to) return fields;
      if (text[j] !== delimiter) return null;
      i = j + 1;
      if (i === to) {
        fields.push('');
        return fields;
      }
      continue;
    }
    let e = text.indexOf(delimiter, i);
    if (e === -1 || e > to) e = to;
    const value = text.slice(i, e);
    if (value.includes(QUOTE)) return null;
    fields.push(value);
    if (e === to) return fields;
    i = e + 1;
    if (i === to) {
      fields.push('');
      return fields;
    }
  }
}
