// Forwarding by remote-write (DESIGN.md §5): what Tocsin ingests also goes to a Prometheus-compatible
// store (Prometheus with --web.enable-remote-write-receiver, Mimir, VictoriaMetrics, Thanos receive), where
// it can be kept longer and queried by PromQL. Every accepted request is spooled to disk before the
// sender is answered and then sent in order, one at a time (a remote store refuses samples older than what
// it has for a series, so order matters more than parallelism). As Prometheus's own sender does: 5xx,
// 429 and network errors are retried with backoff, for as long as the spool's bound allows; any other
// 4xx will never succeed and is dropped with the store's reason in the log.
import type { Logger } from 'pino';
import type { IngestSeries } from '../../domain/metric-series.js';
import { Spool } from './spool.js';
import { remoteWriteBody } from './write-request-encode.js';

export interface RemoteWriteTarget {
  /** The receiver's URL, e.g. http://prometheus:9090/api/v1/write; user:password in it is basic auth. */
  readonly url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly bearerToken?: string | null | undefined;
  /** One request's limit, connect to answer. */
  readonly timeoutMs: number;
}

/** What became of one request, for /metrics. */
export type ForwardResult = 'sent' | 'retried' | 'refused' | 'dropped';

export interface ForwarderOptions {
  readonly target: RemoteWriteTarget;
  /** The spool's directory. */
  readonly dir: string;
  /** Bytes the spool may hold while the store is away; past it the oldest requests are dropped. */
  readonly maxSpoolBytes: number;
  readonly log: Logger;
  /** Backoff after a failed attempt, doubling from `minBackoffMs` up to `maxBackoffMs`. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told of every request's fate. */
  readonly onResult?: (result: ForwardResult, count: number) => void;
}

const USER_AGENT = 'Tocsin remote-write';

export class RemoteWriteForwarder {
  readonly #spool: Spool;
  readonly #options: ForwarderOptions;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  #running: Promise<void> | null = null;
  #closed = false;
  /** Cuts short a request in flight when the forwarder closes. */
  readonly #closing = new AbortController();
  /** Resolves the loop's wait for work or for the end of a backoff. */
  #wake: (() => void) | null = null;

  constructor(options: ForwarderOptions) {
    this.#options = options;
    this.#spool = new Spool(options.dir, options.maxSpoolBytes);
    const url = new URL(options.target.url);
    this.#headers = {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': USER_AGENT,
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    };
    if (url.username !== '' || url.password !== '') {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.#headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    if (options.target.bearerToken) this.#headers.Authorization = `Bearer ${options.target.bearerToken}`;
    this.#url = url.href;
  }

  /** Requests and bytes waiting to be sent. */
  get waiting(): { readonly requests: number; readonly bytes: number } {
    return { requests: this.#spool.length, bytes: this.#spool.bytes };
  }

  /** Queues series that came by OTLP, JSON push or browser beacons, converted to a remote-write request. */
  forwardSeries(series: readonly IngestSeries[]): void {
    const body = remoteWriteBody(series);
    if (body !== null) this.forwardBody(body);
  }

  /** Queues a remote-write body (snappy-compressed WriteRequest) as it was received. */
  forwardBody(body: Uint8Array): void {
    const dropped = this.#spool.put(body);
    if (dropped > 0) {
      this.#options.onResult?.('dropped', dropped);
      this.#options.log.warn(
        { dropped, spoolBytes: this.#spool.bytes, url: this.#url },
        'the remote-write spool is full: the oldest requests were dropped',
      );
    }
    this.#wake?.();
  }

  /** Starts sending what is spooled, including what a previous run left. */
  start(): void {
    if (this.#running !== null || this.#closed) return;
    this.#running = this.#loop();
  }

  /** Stops sending; what is not yet sent stays spooled for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    this.#wake?.();
    await this.#running;
  }

  async #loop(): Promise<void> {
    const minBackoffMs = this.#options.minBackoffMs ?? 1000;
    const maxBackoffMs = this.#options.maxBackoffMs ?? 30_000;
    let backoffMs = minBackoffMs;
    while (!this.#closed) {
      const request = this.#spool.oldest();
      if (request === null) {
        await this.#sleep(null);
        continue;
      }
      const outcome = await this.#send(request.body);
      // Cut short by close: the request stays spooled for the next start.
      if (this.#closed) break;
      if (outcome.ok) {
        this.#spool.remove(request.sequence);
        this.#options.onResult?.('sent', 1);
        backoffMs = minBackoffMs;
      } else if (!outcome.retryable) {
        this.#spool.remove(request.sequence);
        this.#options.onResult?.('refused', 1);
        this.#options.log.error(
          { url: this.#url, reason: outcome.reason },
          'the remote-write store refused a request for good; it is dropped',
        );
      } else {
        this.#options.onResult?.('retried', 1);
        this.#options.log.warn(
          { url: this.#url, reason: outcome.reason, retryInMs: backoffMs, waiting: this.#spool.length },
          'remote-write failed; retrying',
        );
        await this.#sleep(backoffMs);
        backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
      }
    }
  }

  async #send(body: Uint8Array): Promise<{ ok: true } | { ok: false; retryable: boolean; reason: string }> {
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.#options.target.timeoutMs), this.#closing.signal]),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      return { ok: false, retryable: true, reason: cause instanceof Error ? cause.message : String(cause) };
    }
    const text = (await response.text().catch(() => '')).slice(0, 500).trim();
    if (response.ok) return { ok: true };
    const reason = `HTTP ${response.status}${text === '' ? '' : `: ${text}`}`;
    return { ok: false, retryable: response.status >= 500 || response.status === 429, reason };
  }

  /** Waits `ms` (null: until there is work), cut short by new work when idle and by close. */
  #sleep(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === null ? undefined : setTimeout(finish, ms);
      this.#wake = () => {
        if (ms === null || this.#closed) finish();
      };
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.#wake = null;
    });
  }
}
