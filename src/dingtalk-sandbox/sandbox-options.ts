// The sandbox's options and their defaults. Defaults follow the behaviour observed on
// oapi.dingtalk.com; each behaviour the sources disagree on (dingtalk-robot.md §10) is an option.
import type { FastifyBaseLogger } from 'fastify';
import type { ErrmsgStyle, PayloadErrorStyle, RateLimitCode, UnknownTokenCode } from './dingtalk-errors.js';
import { DEFAULT_KEYWORD_FIELDS } from './keyword-match.js';
import type { RobotConfig } from './robot-registry.js';
import { systemClock, type SandboxClock } from './sandbox-clock.js';

export const DEFAULT_SANDBOX_PORT = 9701;

export interface SandboxOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 9701; tests pass 0 for a free port. */
  readonly port?: number;
  readonly robots?: readonly RobotConfig[];
  /** Default the system clock; tests inject one they move. */
  readonly clock?: SandboxClock;
  /** errmsg wording: `current` (`description:…;solution:…`, default) or `legacy` (short English). */
  readonly errmsgStyle?: ErrmsgStyle;
  /** Payload errors as 400105/400403 (`current`, default) or the legacy 300001. */
  readonly payloadErrorStyle?: PayloadErrorStyle;
  /** The code for an unknown token: 300005 (default, live), 300001 (older) or 400101 (docs). */
  readonly unknownTokenCode?: UnknownTokenCode;
  readonly rateLimit?: {
    /** Default 20 accepted messages per rolling 60 s. */
    readonly perMinute?: number;
    /** Default 10. */
    readonly blockMinutes?: number;
    /** 130101 (default, observed) or 410100 (docs). */
    readonly code?: RateLimitCode;
    /** Whether a refused call during the block restarts it. Default false. */
    readonly rejectionExtendsBlock?: boolean;
  };
  /** Largest raw body accepted, in bytes. Default 20000. */
  readonly maxBodyBytes?: number;
  /** Largest |now − timestamp| of a signed request, in ms. Default 3 600 000 (one hour, both ways). */
  readonly timestampToleranceMs?: number;
  /** The fields the keyword check searches (`msgtype.field` paths). Default every visible string. */
  readonly keywordFields?: readonly string[];
  /** Default true. */
  readonly keywordCaseSensitive?: boolean;
  /** Accept the undocumented `image` msgtype (`image.picURL`), which skips the keyword check. Default false. */
  readonly allowImageMessages?: boolean;
  /** How long a msgUuid is remembered, in ms. Default 3 600 000. */
  readonly msgUuidWindowMs?: number;
  /**
   * A request header whose first address is taken as the client's IP (e.g. `x-forwarded-for`), so
   * tests can exercise IP allow-lists over loopback. Default unset: the socket's address.
   */
  readonly clientIpHeader?: string;
  /** Attempts and messages kept (each). Default 10 000. */
  readonly maxRecords?: number;
  /** Seconds between refreshes of the HTML page. Default 5. */
  readonly pageRefreshSeconds?: number;
  /** Omit for a silent server. */
  readonly log?: FastifyBaseLogger;
}

export interface SandboxSettings {
  readonly host: string;
  readonly port: number;
  readonly clock: SandboxClock;
  readonly errmsgStyle: ErrmsgStyle;
  readonly payloadErrorStyle: PayloadErrorStyle;
  readonly unknownTokenCode: UnknownTokenCode;
  readonly rateLimit: {
    readonly perMinute: number;
    readonly blockMinutes: number;
    readonly code: RateLimitCode;
    readonly rejectionExtendsBlock: boolean;
  };
  readonly maxBodyBytes: number;
  readonly timestampToleranceMs: number;
  readonly keywordFields: readonly string[];
  readonly keywordCaseSensitive: boolean;
  readonly allowImageMessages: boolean;
  readonly msgUuidWindowMs: number;
  readonly clientIpHeader: string | undefined;
  readonly maxRecords: number;
  readonly pageRefreshSeconds: number;
}

export function resolveSandboxSettings(options: SandboxOptions): SandboxSettings {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_SANDBOX_PORT,
    clock: options.clock ?? systemClock,
    errmsgStyle: options.errmsgStyle ?? 'current',
    payloadErrorStyle: options.payloadErrorStyle ?? 'current',
    unknownTokenCode: options.unknownTokenCode ?? 300005,
    rateLimit: {
      perMinute: options.rateLimit?.perMinute ?? 20,
      blockMinutes: options.rateLimit?.blockMinutes ?? 10,
      code: options.rateLimit?.code ?? 130101,
      rejectionExtendsBlock: options.rateLimit?.rejectionExtendsBlock ?? false,
    },
    maxBodyBytes: options.maxBodyBytes ?? 20_000,
    timestampToleranceMs: options.timestampToleranceMs ?? 3_600_000,
    keywordFields: options.keywordFields ?? DEFAULT_KEYWORD_FIELDS,
    keywordCaseSensitive: options.keywordCaseSensitive ?? true,
    allowImageMessages: options.allowImageMessages ?? false,
    msgUuidWindowMs: options.msgUuidWindowMs ?? 3_600_000,
    clientIpHeader: options.clientIpHeader?.toLowerCase(),
    maxRecords: options.maxRecords ?? 10_000,
    pageRefreshSeconds: options.pageRefreshSeconds ?? 5,
  };
}
