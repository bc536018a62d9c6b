// Undoing a request's Content-Encoding (gzip, deflate, snappy, identity) under a hard limit on the
// decoded size, so that a small compressed body cannot make Tocsin allocate gigabytes (a decompression
// bomb). gzip and deflate run on libuv's thread pool and stop as soon as the output passes the limit.
import { promisify } from 'node:util';
import { gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { IngestDecodeError, PayloadTooLargeError, UnsupportedEncodingError } from './decode-errors.js';
import { snappyUncompress } from './snappy-block.js';

/** The content codings Tocsin decodes; `x-gzip` is read as `gzip` (RFC 9110 §8.4.1.3). */
export const CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'snappy'] as const;
export type ContentEncoding = (typeof CONTENT_ENCODINGS)[number];

export interface BodyLimits {
  /** The most bytes a body may have once decoded, after every coding is undone. */
  readonly maxDecodedBytes: number;
}

/** More codings than this on one body is not a real client. */
const MAX_CODINGS = 3;

const gunzipAsync = promisify<Uint8Array, ZlibOptions, Buffer>(gunzip);
const inflateAsync = promisify<Uint8Array, ZlibOptions, Buffer>(inflate);
const inflateRawAsync = promisify<Uint8Array, ZlibOptions, Buffer>(inflateRaw);

/**
 * The codings of a `Content-Encoding` header in the order they were applied; identity is dropped.
 * @throws UnsupportedEncodingError for a coding not in CONTENT_ENCODINGS.
 * @example parseContentEncoding('gzip') // ['gzip']
 */
export function parseContentEncoding(header: string | undefined): ContentEncoding[] {
  if (header === undefined) return [];
  const codings: ContentEncoding[] = [];
  for (const raw of header.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '' || name === 'identity') continue;
    const coding = name === 'x-gzip' ? 'gzip' : name;
    if (!isContentEncoding(coding)) throw new UnsupportedEncodingError(raw.trim(), CONTENT_ENCODINGS);
    codings.push(coding);
  }
  if (codings.length > MAX_CODINGS) {
    throw new IngestDecodeError(`Content-Encoding lists ${codings.length} codings; at most ${MAX_CODINGS}`);
  }
  return codings;
}

/**
 * The body with every coding of its `Content-Encoding` header undone, last applied first.
 * @throws UnsupportedEncodingError for an unknown coding; PayloadTooLargeError when the decoded body would
 *   exceed `limits.maxDecodedBytes`; IngestDecodeError when a coding's data is corrupt or truncated.
 * @example const raw = await decodeBody(request.body, request.headers['content-encoding'], { maxDecodedBytes: 32 << 20 })
 */
export async function decodeBody(
  body: Uint8Array,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<Uint8Array> {
  const codings = parseContentEncoding(contentEncoding);
  let decoded = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    decoded = await undoCoding(decoded, codings[i]!, limits.maxDecodedBytes);
  }
  if (decoded.length > limits.maxDecodedBytes) throw tooLarge(limits.maxDecodedBytes);
  return decoded;
}

/**
 * One coding undone. Snappy is the block format (what remote-write sends), not the framed stream format.
 * @throws as decodeBody.
 */
export async function undoCoding(
  body: Uint8Array,
  coding: ContentEncoding,
  maxDecodedBytes: number,
): Promise<Uint8Array> {
  switch (coding) {
    case 'identity':
      return body;
    case 'snappy':
      return snappyUncompress(body, maxDecodedBytes);
    case 'gzip':
      return inflateWithLimit(gunzipAsync, body, 'gzip', maxDecodedBytes);
    case 'deflate':
      // HTTP deflate is the zlib format (RFC 1950), but some clients send raw deflate (RFC 1951).
      return inflateWithLimit(
        hasZlibHeader(body) ? inflateAsync : inflateRawAsync,
        body,
        'deflate',
        maxDecodedBytes,
      );
  }
}

async function inflateWithLimit(
  run: (body: Uint8Array, options: ZlibOptions) => Promise<Buffer>,
  body: Uint8Array,
  coding: string,
  maxDecodedBytes: number,
): Promise<Uint8Array> {
  try {
    // maxOutputLength must be ≥ 1; the decoded length is checked again by the caller for the 0 case.
    return await run(body, { maxOutputLength: Math.max(1, maxDecodedBytes) });
  } catch (error) {
    if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxDecodedBytes);
    const reason = error instanceof Error ? error.message : String(error);
    throw new IngestDecodeError(`corrupt ${coding} body: ${reason}`, { cause: error });
  }
}

/** A zlib (RFC 1950) header: deflate with a window of at most 32 KiB, and a check value divisible by 31. */
function hasZlibHeader(body: Uint8Array): boolean {
  if (body.length < 2) return false;
  const cmf = body[0]!;
  const flg = body[1]!;
  return (cmf & 0x0f) === 8 && cmf >>> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

function isContentEncoding(name: string): name is ContentEncoding {
  return (CONTENT_ENCODINGS as readonly string[]).includes(name);
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function tooLarge(maxDecodedBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `the body decompresses to more than ${maxDecodedBytes} bytes, the most allowed`,
    maxDecodedBytes,
  );
}
