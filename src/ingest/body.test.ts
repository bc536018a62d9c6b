// Content-Encoding undone under the decoded-size limit: every coding, stacked codings, refusals (unknown
// coding 415, corrupt 400, over the limit 413) and a gzip bomb that must stop at the limit.
import { buffer } from 'node:stream/consumers';
import { createGzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { decodeBody, parseContentEncoding } from './body.js';
import { IngestDecodeError, PayloadTooLargeError, UnsupportedEncodingError } from './decode-errors.js';

const MB = 1024 * 1024;
const text = new TextEncoder().encode('{"samples":[]}'.repeat(100));

describe('decodeBody', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['GZIP', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)],
    ['snappy', compress(text)],
    ['identity', text],
    [undefined, text],
    ['', text],
  ])('undoes Content-Encoding %s', async (encoding, body) => {
    expect(Buffer.from(await decodeBody(body, encoding, { maxDecodedBytes: MB }))).toEqual(Buffer.from(text));
  });

  it('undoes stacked codings last applied first', async () => {
    const body = gzipSync(compress(text));
    const decoded = await decodeBody(body, 'snappy, gzip', { maxDecodedBytes: MB });
    expect(Buffer.from(decoded)).toEqual(Buffer.from(text));
  });

  it('refuses a coding it does not know with 415 naming it', async () => {
    await expect(decodeBody(text, 'br', { maxDecodedBytes: MB })).rejects.toThrow(UnsupportedEncodingError);
    await expect(decodeBody(text, 'gzip, zstd', { maxDecodedBytes: MB })).rejects.toThrow(
      /"zstd" is not supported/,
    );
  });

  it('refuses a corrupt gzip body with 400', async () => {
    const body = gzipSync(text);
    body[body.length - 5]! ^= 0xff;
    await expect(decodeBody(body, 'gzip', { maxDecodedBytes: MB })).rejects.toThrow(IngestDecodeError);
    await expect(decodeBody(text, 'gzip', { maxDecodedBytes: MB })).rejects.toThrow(/corrupt gzip body/);
  });

  it('refuses a truncated gzip body with 400', async () => {
    const body = gzipSync(text);
    await expect(
      decodeBody(body.subarray(0, body.length - 10), 'gzip', { maxDecodedBytes: MB }),
    ).rejects.toThrow(IngestDecodeError);
  });

  it('stops a 200 MB gzip bomb at the 1 MB limit with 413, holding no more than the limit', async () => {
    const bomb = await gzipOfZeros(200);
    expect(bomb.length).toBeLessThan(300_000);
    const before = process.memoryUsage().arrayBuffers;
    await expect(decodeBody(bomb, 'gzip', { maxDecodedBytes: MB })).rejects.toThrow(PayloadTooLargeError);
    // Inflating to the end would have left ~200 MB of buffers behind until the next collection.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * MB);
  });

  it('refuses deflate and snappy output over the limit with 413', async () => {
    const big = new Uint8Array(MB + 1);
    await expect(decodeBody(deflateSync(big), 'deflate', { maxDecodedBytes: MB })).rejects.toThrow(
      PayloadTooLargeError,
    );
    await expect(decodeBody(compress(big), 'snappy', { maxDecodedBytes: MB })).rejects.toThrow(
      PayloadTooLargeError,
    );
  });

  it('applies the limit to an unencoded body too', async () => {
    await expect(decodeBody(new Uint8Array(11), undefined, { maxDecodedBytes: 10 })).rejects.toThrow(
      PayloadTooLargeError,
    );
  });

  it('accepts output of exactly the limit', async () => {
    const exact = new Uint8Array(4096).fill(7);
    expect(await decodeBody(gzipSync(exact), 'gzip', { maxDecodedBytes: 4096 })).toHaveLength(4096);
  });
});

describe('parseContentEncoding', () => {
  it('lists codings in the order applied, without identity', () => {
    expect(parseContentEncoding(' gzip , identity,snappy ')).toEqual(['gzip', 'snappy']);
  });

  it('refuses more than three codings', () => {
    expect(() => parseContentEncoding('gzip, gzip, gzip, gzip')).toThrow(IngestDecodeError);
  });
});

/** A gzip body of `megabytes` MB of zeros, made without ever holding them (so the memory check is fair). */
async function gzipOfZeros(megabytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const compressed = buffer(gzip);
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < megabytes; i++) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  return compressed;
}
