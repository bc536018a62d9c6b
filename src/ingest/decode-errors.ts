// The errors ingestion decoders throw, each naming the catalogued error code (src/errors.ts) the route
// answers with. Decoders throw nothing else for bad input: the malformed-input tests hold them to that.

/** The error codes of src/errors.ts that decoders map to; ingest/ may not import src/errors.ts itself. */
export type IngestErrorCode = 'invalid_request' | 'payload_too_large' | 'unsupported_media_type';

/** A body that cannot be decoded: truncated, corrupt, not the declared format. Answer 400. */
export class IngestDecodeError extends Error {
  readonly code: IngestErrorCode = 'invalid_request';
  /** Where in the message the problem is, e.g. `timeseries[3].labels[0].value`, when known. */
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'IngestDecodeError';
    this.field = options.field;
  }
}

/** A body larger than allowed, before or after decompression (a decompression bomb). Answer 413. */
export class PayloadTooLargeError extends Error {
  readonly code: IngestErrorCode = 'payload_too_large';
  /** The limit that was exceeded, in bytes. */
  readonly limitBytes: number;

  constructor(message: string, limitBytes: number) {
    super(message);
    this.name = 'PayloadTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/** A `Content-Encoding` Tocsin does not decode (RFC 9110 §15.5.16). Answer 415. */
export class UnsupportedEncodingError extends Error {
  readonly code: IngestErrorCode = 'unsupported_media_type';
  readonly encoding: string;

  constructor(encoding: string, supported: readonly string[]) {
    super(`Content-Encoding "${encoding}" is not supported; use one of: ${supported.join(', ')}`);
    this.name = 'UnsupportedEncodingError';
    this.encoding = encoding;
  }
}

/** True for the errors a decoder throws on purpose; anything else is a bug in Tocsin. */
export function isIngestError(
  error: unknown,
): error is IngestDecodeError | PayloadTooLargeError | UnsupportedEncodingError {
  return (
    error instanceof IngestDecodeError ||
    error instanceof PayloadTooLargeError ||
    error instanceof UnsupportedEncodingError
  );
}
