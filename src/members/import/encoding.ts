/**
 * Text encodings of operators' CSV files: UTF-8 with or without BOM, GBK/GB18030 from Chinese Excel,
 * UTF-16 from Excel's "Unicode text". Detection looks at the bytes only; decoding is streamed.
 */
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

/** What the operator asked for with `--encoding`. */
export const ENCODING_CHOICES = ['auto', 'utf8', 'gbk'] as const;
export type EncodingChoice = (typeof ENCODING_CHOICES)[number];

/** An encoding the reader decodes. GB18030 is a superset of GBK and GB2312. */
export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** The outcome of looking at a file's first bytes. `ascii`: nothing but ASCII yet, so still open. */
export interface Detection {
  encoding: TextEncoding | 'ascii';
  bom: boolean;
}

/** Where a file stops being valid in the encoding it is read with. */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly encoding: TextEncoding,
    readonly fromByte: number,
    readonly toByte: number,
  ) {
    super(`not valid ${encoding} between bytes ${fromByte} and ${toByte}`);
  }
}

function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return i;
  return -1;
}

/** True when `bytes` is valid UTF-8 (an incomplete character cut off at the end is allowed). */
export function isValidUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Detects the encoding from the first bytes of a file: a byte-order mark decides; otherwise the
 * bytes from the first non-ASCII one are tried as strict UTF-8, and anything else is GB18030 (GBK).
 * Pure ASCII stays undecided (`ascii`): it reads the same in both.
 * @example detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61])) // { encoding: 'utf-8', bom: true }
 */
export function detectEncoding(head: Uint8Array): Detection {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  const at = firstNonAscii(head);
  if (at === -1) return { encoding: 'ascii', bom: false };
  return { encoding: isValidUtf8Prefix(head.subarray(at)) ? 'utf-8' : 'gb18030', bom: false };
}

/** How an encoding is named to operators. */
export function describeEncoding(d: Detection, choice: EncodingChoice): string {
  const name = { ascii: 'ASCII', 'utf-8': 'UTF-8', gb18030: 'GBK/GB18030', 'utf-16le': 'UTF-16LE', 'utf-16be': 'UTF-16BE' }[d.encoding];
  return `${name}${d.bom ? ' with BOM' : ''}${choice === 'auto' ? ' (detected)' : ' (--encoding)'}`;
}

/** The detection a forced `--encoding` stands for (BOMs are still recognised and skipped). */
export function forcedDetection(choice: Exclude<EncodingChoice, 'auto'>, head: Uint8Array): Detection {
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  return choice === 'utf8' ? { encoding: 'utf-8', bom } : { encoding: 'gb18030', bom: false };
}

/** Turns one encoding's bytes into UTF-8 bytes, chunk by chunk. */
interface ChunkConverter {
  write(chunk: Buffer): Buffer | string;
  end(): Buffer | string;
}

/** Index where the last, incomplete UTF-8 character of `buf` starts (`buf.length` when complete). */
function incompleteTail(buf: Buffer): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
    const b = buf[i]!;
    if (b < 0x80) return buf.length;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return buf.length - i < need ? i : buf.length;
    }
  }
  return buf.length;
}

/**
 * UTF-8 in, UTF-8 out: only validated (natively, without decoding), so csv-parse gets the bytes as
 * they are. A character cut between two chunks is carried over to the next.
 */
class Utf8Validator implements ChunkConverter {
  private carry: Buffer | null = null;

  write(chunk: Buffer): Buffer {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const cut = incompleteTail(buf);
    const head = cut === buf.length ? buf : buf.subarray(0, cut);
    if (!isUtf8(head)) throw new Error('not UTF-8');
    if (cut < buf.length) this.carry = Buffer.from(buf.subarray(cut));
    return head;
  }

  end(): Buffer {
    if (this.carry) throw new Error('a UTF-8 character is cut off at the end');
    return Buffer.alloc(0);
  }
}

function makeConverter(encoding: TextEncoding): ChunkConverter {
  if (encoding === 'utf-8') return new Utf8Validator();
  // GB18030 and UTF-16 are decoded to text; the stream hands it on as UTF-8.
  const d = iconv.getDecoder(encoding);
  return { write: (c) => d.write(c), end: () => d.end() ?? '' };
}

/**
 * Bytes in, UTF-8 bytes out (what csv-parse reads fastest), counting the bytes (for progress).
 * UTF-8 is validated strictly and passed through; GB18030 and UTF-16 are converted. With
 * `detection.encoding === 'ascii'` the choice is made at the first non-ASCII byte, from the rest of
 * that chunk (a file whose first 256 KB are ASCII is still read right). A BOM is dropped.
 * @throws DecodeError (through the stream) when strict UTF-8 meets bytes that are not UTF-8.
 */
export class DecodeStream extends Transform {
  /** Bytes consumed so far. */
  bytes = 0;
  private converter: ChunkConverter | null = null;
  private bomPending: boolean;

  constructor(private detection: Detection) {
    super();
    this.bomPending = detection.bom && detection.encoding === 'utf-8';
    if (detection.encoding !== 'ascii') this.converter = makeConverter(detection.encoding);
  }

  /** The encoding in use; `ascii` while undecided. */
  get encoding(): TextEncoding | 'ascii' {
    return this.detection.encoding;
  }

  get bom(): boolean {
    return this.detection.bom;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const from = this.bytes;
    this.bytes += chunk.length;
    let data = chunk;
    if (this.bomPending) {
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      this.bomPending = false;
    }
    try {
      if (!this.converter) {
        const at = firstNonAscii(data);
        if (at === -1) return done(null, data);
        const encoding: TextEncoding = isValidUtf8Prefix(data.subarray(at)) ? 'utf-8' : 'gb18030';
        this.detection = { encoding, bom: false };
        this.converter = makeConverter(encoding);
        if (at > 0) this.push(data.subarray(0, at));
        return done(null, this.converter.write(data.subarray(at)));
      }
      done(null, this.converter.write(data));
    } catch {
      done(new DecodeError(this.detection.encoding as TextEncoding, from, this.bytes));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.converter ? this.converter.end() : undefined);
    } catch {
      done(new DecodeError(this.detection.encoding as TextEncoding, this.bytes, this.bytes));
    }
  }
}
