// Faults tests inject to exercise a client's retries and outage handling: the next answers become an
// HTTP 5xx, a given errcode (e.g. -1 系统繁忙, or 430101–430104 moderation for matching content), a
// dropped connection, or are delayed. A fault replaces the answer before any other check.
import { z } from 'zod';

export const FAULT_KINDS = ['http-status', 'errcode', 'disconnect', 'latency'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault as requested (`POST /sandbox/api/faults` or `injectFault`). */
export const faultSpecSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    /** Only requests for this robot; default every robot (and requests without a known token). */
    token: z.string().min(1).optional(),
    /** How many answers it applies to. Default 1 unless `durationMs` is given. */
    times: z.number().int().min(1).optional(),
    /** Or: every matching answer for this long, measured on the sandbox clock from injection. */
    durationMs: z.number().int().min(1).optional(),
    /** Only requests whose raw body matches this regular expression (moderation hooks, §9.11). */
    contentPattern: z.string().min(1).optional(),
    /** `http-status`: the status (500–599, default 503) and the body (default a gateway HTML page). */
    status: z.number().int().min(500).max(599).optional(),
    body: z.string().optional(),
    /** `errcode`: the code answered with HTTP 200, and its errmsg (default DingTalk's for that code). */
    errcode: z.number().int().optional(),
    errmsg: z.string().optional(),
    /** `latency`: real milliseconds to wait before handling the request normally. */
    latencyMs: z.number().int().min(1).max(120_000).optional(),
  })
  .refine((fault) => fault.kind !== 'errcode' || fault.errcode !== undefined, {
    message: 'an errcode fault needs errcode',
    path: ['errcode'],
  })
  .refine((fault) => fault.kind !== 'latency' || fault.latencyMs !== undefined, {
    message: 'a latency fault needs latencyMs',
    path: ['latencyMs'],
  })
  .refine((fault) => fault.times === undefined || fault.durationMs === undefined, {
    message: 'give times or durationMs, not both',
    path: ['times'],
  })
  .refine(
    (fault) => {
      if (fault.contentPattern === undefined) return true;
      try {
        new RegExp(fault.contentPattern, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not a valid regular expression', path: ['contentPattern'] },
  );

export type FaultSpec = z.infer<typeof faultSpecSchema>;

/** A fault waiting in the queue. */
export interface PendingFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** Answers left, or null when the fault lasts until `until`. */
  readonly remaining: number | null;
  /** Epoch ms (sandbox clock) after which a duration fault is over, else null. */
  readonly until: number | null;
}

export interface FaultRequest {
  readonly token: string | null;
  readonly rawBody: string;
  readonly nowMs: number;
}

/** The queue of injected faults; the oldest fault that matches a request applies to it. */
export class FaultQueue {
  #nextId = 1;
  #faults: PendingFault[] = [];

  /** Queues a fault (validated with faultSpecSchema) and returns it. */
  inject(input: FaultSpec, nowMs: number): PendingFault {
    const spec = faultSpecSchema.parse(input);
    const fault: PendingFault = {
      id: this.#nextId++,
      spec,
      remaining: spec.durationMs === undefined ? (spec.times ?? 1) : null,
      until: spec.durationMs === undefined ? null : nowMs + spec.durationMs,
    };
    this.#faults.push(fault);
    return fault;
  }

  /** Takes the fault that applies to this request, using up one of its answers. */
  take(request: FaultRequest): FaultSpec | undefined {
    this.#faults = this.#faults.filter((fault) => fault.until === null || request.nowMs < fault.until);
    const index = this.#faults.findIndex(function applies(fault) {
      const { token, contentPattern } = fault.spec;
      if (token !== undefined && token !== request.token) return false;
      return contentPattern === undefined || new RegExp(contentPattern, 'u').test(request.rawBody);
    });
    const fault = this.#faults[index];
    if (fault === undefined) return undefined;
    if (fault.remaining !== null) {
      if (fault.remaining <= 1) this.#faults.splice(index, 1);
      else this.#faults[index] = { ...fault, remaining: fault.remaining - 1 };
    }
    return fault.spec;
  }

  list(nowMs: number): readonly PendingFault[] {
    return this.#faults.filter((fault) => fault.until === null || nowMs < fault.until);
  }

  clear(): void {
    this.#faults = [];
  }
}
