// The only reader of process.env. One schema per program (the server, the CLI client); each field says
// its meaning, unit and default. A bad configuration fails at start, listing every bad setting at once.
import { isIP } from 'node:net';
import { z } from 'zod';
import { problemsFromZodIssues } from './domain/field-problem.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown when configuration is invalid; the message lists every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { setting: string; reason: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.setting}: ${p.reason}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** "60s", "5m", "1h", "8d", "500ms", or a bare number of seconds → milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's']!;
  return Math.round(Number(match[1]) * unit);
}

const duration = (min: number, hint: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) ctx.addIssue({ code: 'custom', message: 'must be a duration such as 60s, 5m or 1h' });
    else if (ms < min) ctx.addIssue({ code: 'custom', message: hint });
    return ms ?? 0;
  });

const originList = z.string().transform((text, ctx) => {
  const origins: string[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      const url = new URL(item);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
      origins.push(url.origin);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin such as http://127.0.0.1:9701` });
    }
  }
  return origins;
});

const serverSchema = z.object({
  /** Interface the API, ingestion and console listen on. Default 127.0.0.1 (this machine only). */
  TOCSIN_HOST: z
    .string()
    .refine((h) => h === 'localhost' || isIP(h) !== 0, 'must be an IP address such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  /** TCP port. Default 9700; 0 picks a free port (tests). */
  TOCSIN_PORT: z.coerce.number().int().min(0).max(65535).default(9700),
  /** Directory for the SQLite file and the encryption key. Default ./data. */
  TOCSIN_DATA_DIR: z.string().min(1).default('./data'),
  /** postgres://… to use PostgreSQL instead of the embedded SQLite file. Default unset. */
  TOCSIN_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** A bootstrap admin token for automation; made to exist as an admin token at start. Default unset. */
  TOCSIN_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Comma-separated origins robots and webhooks may use besides DingTalk and public hosts. Default none. */
  TOCSIN_ALLOWED_WEBHOOK_ORIGINS: originList.default([]),
  /** How often policies are evaluated. Default 60s; at least 5s. */
  TOCSIN_EVALUATION_INTERVAL: duration(5000, 'must be at least 5s').default(60_000),
  /** Base URL of the console, used in links inside messages. Default http://HOST:PORT. */
  TOCSIN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Base64 of 32 bytes: the key that seals secrets at rest. Default: generated into DATA_DIR/secret.key. */
  TOCSIN_ENCRYPTION_KEY: z
    .string()
    .refine(
      (k) => Buffer.from(k, 'base64').length === 32,
      'must be 32 bytes in base64 (openssl rand -base64 32)',
    )
    .optional(),
  /** The language of the default notification texts: zh-CN (as ARMS) or en. Default zh-CN. */
  TOCSIN_NOTIFICATION_LOCALE: z.enum(['zh-CN', 'en'], 'must be zh-CN or en').default('zh-CN'),
  /** Log level: fatal, error, warn, info, debug, trace or silent. Default info. */
  TOCSIN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SMTP server for e-mail notifications: smtp://user:pass@host:587 or smtps://…:465. Default unset. */
  TOCSIN_SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be smtp://user:password@host:port or smtps://…' })
    .optional(),
  /** Sender of e-mail notifications. Default "Tocsin <tocsin@localhost>". */
  TOCSIN_SMTP_FROM: z.string().min(3).default('Tocsin <tocsin@localhost>'),
  /**
   * Messages per rolling minute Tocsin sends to one DingTalk robot, across all instances. DingTalk allows
   * 20 and then blocks the robot for 10 minutes; more waiting events are merged. Default 18.
   */
  TOCSIN_DINGTALK_MESSAGES_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .max(20, 'DingTalk allows at most 20')
    .default(18),
  /** How long one send may take (connect, send, answer). Default 10s. */
  TOCSIN_DELIVERY_TIMEOUT: duration(1000, 'must be at least 1s').default(10_000),
  /** Attempts before a notification that keeps failing transiently is marked failed. Default 10 (about 50 minutes). */
  TOCSIN_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /** Largest API request body, in bytes. Default 1 MiB. */
  TOCSIN_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /**
   * Largest metrics request body (OTLP, remote-write, push), in bytes as sent; decompressed it may be
   * eight times larger. Default 16 MiB.
   */
  TOCSIN_INGEST_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  /** How long the built-in metric store keeps per-minute data. Default 8d (week-over-week needs 7d + the window). */
  TOCSIN_METRICS_RETENTION: duration(86_400_000, 'must be at least 1d').default(8 * 86_400_000),
  /** Series one application, site or custom target may have; new series beyond it are refused. Default 100000. */
  TOCSIN_METRICS_MAX_SERIES_PER_TARGET: z.coerce.number().int().min(1).default(100_000),
  /** Series one metric of one target may have; new series beyond it are refused. Default 50000. */
  TOCSIN_METRICS_MAX_SERIES_PER_METRIC: z.coerce.number().int().min(1).default(50_000),
  /**
   * A Prometheus-compatible remote-write receiver (Prometheus, Mimir, VictoriaMetrics…) that also gets
   * every ingested sample; user:password in the URL is sent as basic auth. Default unset: no forwarding.
   */
  TOCSIN_REMOTE_WRITE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  /** Sent to the remote-write receiver as `Authorization: Bearer …`. Default unset. */
  TOCSIN_REMOTE_WRITE_BEARER_TOKEN: z.string().optional(),
  /**
   * Bytes of requests kept on disk while the remote-write receiver is away; past it the oldest are
   * dropped. Default 1 GiB.
   */
  TOCSIN_REMOTE_WRITE_SPOOL_LIMIT: z.coerce
    .number()
    .int()
    .min(1024 * 1024, 'must be at least 1048576 (1 MiB)')
    .default(1024 * 1024 * 1024),
  /** How long resolved alert events and sent or failed notifications are kept. Default 90d. */
  TOCSIN_EVENT_RETENTION: duration(86_400_000, 'must be at least 1d').default(90 * 86_400_000),
});

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly adminToken: string | null;
  readonly allowedWebhookOrigins: readonly string[];
  readonly evaluationIntervalMs: number;
  readonly publicUrl: string;
  /** The language of the default notification texts (a policy's own template replaces them). */
  readonly notificationLocale: 'zh-CN' | 'en';
  readonly encryptionKey: Buffer | null;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  /** The dispatcher's settings: DingTalk messages per robot per minute, send timeout, attempts. */
  readonly delivery: {
    readonly dingtalkMessagesPerMinute: number;
    readonly timeoutMs: number;
    readonly maxAttempts: number;
  };
  /** Where e-mail notifications go out, or null when no SMTP server is configured. */
  readonly smtp: { readonly url: string; readonly from: string } | null;
  /** Metrics ingestion and the built-in metric store. */
  readonly metrics: {
    readonly bodyLimitBytes: number;
    readonly retentionMs: number;
    readonly maxSeriesPerTarget: number;
    readonly maxSeriesPerMetric: number;
  };
  /** Where ingested samples are also forwarded by remote-write, or null when they are not. */
  readonly remoteWrite: {
    readonly url: string;
    readonly bearerToken: string | null;
    readonly spoolLimitBytes: number;
  } | null;
  /** How long resolved alert events and finished notifications are kept. */
  readonly eventRetentionMs: number;
}

function parseOrThrow<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      problemsFromZodIssues(result.error.issues).map((p) => ({ setting: p.field, reason: p.reason })),
    );
  }
  return result.data;
}

/** Drops unset and empty values so defaults apply. */
function present(values: Environment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

/**
 * Reads the server configuration from the environment, with command-line flags (keyed by the same
 * variable names) taking precedence.
 * @example loadServerConfig(process.env, { TOCSIN_PORT: '0' })
 */
export function loadServerConfig(env: Environment, flags: Environment = {}): ServerConfig {
  const keys = Object.keys(serverSchema.shape);
  const picked = present(Object.fromEntries(keys.map((k) => [k, flags[k] ?? env[k]])));
  const raw = parseOrThrow(serverSchema, picked);
  const hostForUrl = raw.TOCSIN_HOST.includes(':') ? `[${raw.TOCSIN_HOST}]` : raw.TOCSIN_HOST;
  return {
    host: raw.TOCSIN_HOST,
    port: raw.TOCSIN_PORT,
    dataDir: raw.TOCSIN_DATA_DIR,
    databaseUrl: raw.TOCSIN_DATABASE_URL ?? null,
    adminToken: raw.TOCSIN_ADMIN_TOKEN ?? null,
    allowedWebhookOrigins: raw.TOCSIN_ALLOWED_WEBHOOK_ORIGINS,
    evaluationIntervalMs: raw.TOCSIN_EVALUATION_INTERVAL,
    publicUrl: (raw.TOCSIN_PUBLIC_URL ?? `http://${hostForUrl}:${raw.TOCSIN_PORT}`).replace(/\/+$/, ''),
    notificationLocale: raw.TOCSIN_NOTIFICATION_LOCALE,
    encryptionKey: raw.TOCSIN_ENCRYPTION_KEY ? Buffer.from(raw.TOCSIN_ENCRYPTION_KEY, 'base64') : null,
    logLevel: raw.TOCSIN_LOG_LEVEL,
    bodyLimitBytes: raw.TOCSIN_BODY_LIMIT,
    delivery: {
      dingtalkMessagesPerMinute: raw.TOCSIN_DINGTALK_MESSAGES_PER_MINUTE,
      timeoutMs: raw.TOCSIN_DELIVERY_TIMEOUT,
      maxAttempts: raw.TOCSIN_DELIVERY_MAX_ATTEMPTS,
    },
    smtp: raw.TOCSIN_SMTP_URL ? { url: raw.TOCSIN_SMTP_URL, from: raw.TOCSIN_SMTP_FROM } : null,
    metrics: {
      bodyLimitBytes: raw.TOCSIN_INGEST_BODY_LIMIT,
      retentionMs: raw.TOCSIN_METRICS_RETENTION,
      maxSeriesPerTarget: raw.TOCSIN_METRICS_MAX_SERIES_PER_TARGET,
      maxSeriesPerMetric: raw.TOCSIN_METRICS_MAX_SERIES_PER_METRIC,
    },
    remoteWrite: raw.TOCSIN_REMOTE_WRITE_URL
      ? {
          url: raw.TOCSIN_REMOTE_WRITE_URL,
          bearerToken: raw.TOCSIN_REMOTE_WRITE_BEARER_TOKEN ?? null,
          spoolLimitBytes: raw.TOCSIN_REMOTE_WRITE_SPOOL_LIMIT,
        }
      : null,
    eventRetentionMs: raw.TOCSIN_EVENT_RETENTION,
  };
}

const clientSchema = z.object({
  /** Where the CLI finds the Tocsin API. Default http://127.0.0.1:9700. */
  TOCSIN_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:9700'),
  /** The API token the CLI sends. Default unset. */
  TOCSIN_TOKEN: z.string().optional(),
});

export interface ClientConfig {
  readonly url: string;
  readonly token: string | null;
}

/** Reads the CLI's connection settings: flags first, then the environment. */
export function loadClientConfig(env: Environment, flags: Environment = {}): ClientConfig {
  const picked = present({
    TOCSIN_URL: flags.TOCSIN_URL ?? env.TOCSIN_URL,
    TOCSIN_TOKEN: flags.TOCSIN_TOKEN ?? env.TOCSIN_TOKEN,
  });
  const raw = parseOrThrow(clientSchema, picked);
  return { url: raw.TOCSIN_URL.replace(/\/+$/, ''), token: raw.TOCSIN_TOKEN ?? null };
}
