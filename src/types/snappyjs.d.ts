// Types for snappyjs 0.7 (pure-JS snappy block format), which ships none. Tocsin uses it to compress
// (tests, benchmarks, forwarding); decompression of untrusted bodies goes through src/ingest/snappy-block.ts.
declare module 'snappyjs' {
  /** Compresses into the snappy block format; returns the same kind of buffer it was given. */
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
  /** Decompresses a snappy block, refusing a declared length above `maxLength`. Not safe on hostile input. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
}
