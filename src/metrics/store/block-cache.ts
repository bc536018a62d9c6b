// A least-recently-used cache of decoded block columns and id lists, bounded by bytes: a query repeated
// each evaluation (and the week-ago window of week-over-week rules) reads its blocks from memory.

/** Decoded arrays of blocks, evicted oldest-used first beyond `maxBytes`. */
export class BlockCache {
  readonly #entries = new Map<string, Float64Array | Int32Array>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** The cached array under `key`, else what `load` returns (kept when it fits). */
  get<T extends Float64Array | Int32Array>(key: string, load: () => T): T {
    const cached = this.#entries.get(key);
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached as T;
    }
    const loaded = load();
    if (loaded.byteLength <= this.maxBytes) {
      this.#entries.set(key, loaded);
      this.#bytes += loaded.byteLength;
      for (const [oldKey, old] of this.#entries) {
        if (this.#bytes <= this.maxBytes) break;
        this.#entries.delete(oldKey);
        this.#bytes -= old.byteLength;
      }
    }
    return loaded;
  }

  /** Drops every entry whose key starts with `prefix` (a deleted or replaced block file). */
  evict(prefix: string): void {
    for (const [key, value] of this.#entries) {
      if (!key.startsWith(prefix)) continue;
      this.#entries.delete(key);
      this.#bytes -= value.byteLength;
    }
  }
}
