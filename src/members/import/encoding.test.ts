import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DecodeError, DecodeStream, detectEncoding, type Detection } from './encoding.js';

const CSV = '手机号,姓名\n13800000001,张丽娜\n';

async function decode(chunks: Buffer[], detection: Detection): Promise<string> {
  return text(Readable.from(chunks).pipe(new DecodeStream(detection)));
}

describe('detectEncoding', () => {
  it('trusts a byte-order mark', () => {
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV)]))).toEqual({ encoding: 'utf-8', bom: true });
    expect(detectEncoding(iconv.encode(CSV, 'utf-16le', { addBOM: true }))).toEqual({ encoding: 'utf-16le', bom: true });
  });

  it('takes valid UTF-8 without BOM as UTF-8', () => {
    expect(detectEncoding(Buffer.from(CSV))).toEqual({ encoding: 'utf-8', bom: false });
  });

  it('takes what is not UTF-8 as GBK/GB18030 (Chinese Excel)', () => {
    expect(detectEncoding(iconv.encode(CSV, 'gbk'))).toEqual({ encoding: 'gb18030', bom: false });
  });

  it('leaves pure ASCII undecided', () => {
    expect(detectEncoding(Buffer.from('phone,name\n13800000001,Lily\n'))).toEqual({ encoding: 'ascii', bom: false });
  });

  it('tolerates a UTF-8 character cut off at the end of the sample', () => {
    const bytes = Buffer.from(CSV);
    expect(detectEncoding(bytes.subarray(0, 4)).encoding).toBe('utf-8'); // 手 is 3 bytes, 机 cut after 1
  });
});

describe('DecodeStream', () => {
  it('decodes GBK split at any byte', async () => {
    const bytes = iconv.encode(CSV, 'gbk');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(await decode(chunks, { encoding: 'gb18030', bom: false })).toBe(CSV);
  });

  it('drops a UTF-8 BOM', async () => {
    expect(await decode([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf]), Buffer.from(CSV)], { encoding: 'utf-8', bom: true })).toBe(CSV);
  });

  it('decides at the first non-ASCII byte when the start was ASCII', async () => {
    const ascii = Buffer.from('phone,name\n'.repeat(1000));
    const gbk = iconv.encode('13800000001,张丽娜\n', 'gbk');
    const stream = new DecodeStream({ encoding: 'ascii', bom: false });
    const out = await text(Readable.from([ascii, gbk]).pipe(stream));
    expect(out.endsWith('13800000001,张丽娜\n')).toBe(true);
    expect(stream.encoding).toBe('gb18030');
    expect(stream.bytes).toBe(ascii.length + gbk.length);
  });

  it('fails with the byte range when strict UTF-8 meets GBK', async () => {
    const good = Buffer.from(CSV);
    const bad = iconv.encode('张丽娜', 'gbk');
    await expect(decode([good, bad], { encoding: 'utf-8', bom: false })).rejects.toMatchObject({
      name: 'DecodeError',
      fromByte: good.length,
      toByte: good.length + bad.length,
    } satisfies Partial<DecodeError>);
  });

  it('decodes UTF-16LE (Excel "Unicode text")', async () => {
    expect(await decode([iconv.encode(CSV, 'utf-16le', { addBOM: true })], { encoding: 'utf-16le', bom: true })).toBe(CSV);
  });
});
