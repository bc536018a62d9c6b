// A minimal, allocation-light protobuf writer for prompb.WriteRequest, for benchmarks that remote-write
// the same series to Prometheus and to Tocsin (Tocsin's reader is src/ingest/remote-write.ts).
import snappy from 'snappyjs';

export interface WriteSeries {
  /** Sorted by name, `__name__` first, as Prometheus expects. */
  readonly labels: readonly (readonly [string, string])[];
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

const utf8 = new TextEncoder();

function varintLength(value: number): number {
  let length = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    length++;
  }
  return length;
}

class Writer {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  at = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.#view = new DataView(this.bytes.buffer);
  }

  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.at++] = v;
  }

  raw(data: Uint8Array): void {
    this.bytes.set(data, this.at);
    this.at += data.length;
  }

  double(value: number): void {
    this.#view.setFloat64(this.at, value, true);
    this.at += 8;
  }
}

/** The uncompressed WriteRequest holding `series` (field 1 TimeSeries: 1 Label{1 name, 2 value}, 2 Sample{1 value, 2 timestamp}). */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const encoded = series.map((s) => {
    const labels = s.labels.map(([name, value]) => {
      const n = utf8.encode(name);
      const v = utf8.encode(value);
      const length = 1 + varintLength(n.length) + n.length + 1 + varintLength(v.length) + v.length;
      return { n, v, length };
    });
    const samples = s.timestampsMs.map((ts) => 1 + 8 + 1 + varintLength(ts));
    let length = 0;
    for (const label of labels) length += 1 + varintLength(label.length) + label.length;
    for (const sample of samples) length += 1 + varintLength(sample) + sample;
    return { s, labels, samples, length };
  });
  let total = 0;
  for (const e of encoded) total += 1 + varintLength(e.length) + e.length;
  const out = new Writer(total);
  for (const { s, labels, samples, length } of encoded) {
    out.varint((1 << 3) | 2);
    out.varint(length);
    for (const label of labels) {
      out.varint((1 << 3) | 2);
      out.varint(label.length);
      out.varint((1 << 3) | 2);
      out.varint(label.n.length);
      out.raw(label.n);
      out.varint((2 << 3) | 2);
      out.varint(label.v.length);
      out.raw(label.v);
    }
    for (let i = 0; i < samples.length; i++) {
      out.varint((2 << 3) | 2);
      out.varint(samples[i]!);
      out.varint((1 << 3) | 1);
      out.double(s.values[i]!);
      out.varint(2 << 3);
      out.varint(s.timestampsMs[i]!);
    }
  }
  return out.bytes;
}

/** `series` as snappy-compressed remote-write bodies of at most `perRequest` series each. */
export function writeRequestBodies(series: readonly WriteSeries[], perRequest: number): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < series.length; i += perRequest) {
    bodies.push(snappy.compress(encodeWriteRequest(series.slice(i, i + perRequest))));
  }
  return bodies;
}
