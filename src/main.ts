// The composition root: opens the data directory and the database, checks the encryption key, makes
// sure an admin token exists, builds the app, starts the notification dispatcher and listens. `close()`
// shuts down in order: stop taking requests, let the dispatcher finish its cycle, then close the database.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { ensureAdminToken } from './api/api-tokens/bootstrap.js';
import { generateToken, hashToken } from './api/auth.js';
import { buildApp } from './api/app.js';
import type { ServerConfig } from './config.js';
import type { AlertPolicy } from './domain/alert-policy.js';
import type { IngestSeries } from './domain/metric-series.js';
import { builtinDataSource } from './datasources/builtin.js';
import { prometheusDataSource } from './datasources/prometheus.js';
import { Evaluator } from './evaluator/evaluator.js';
import { RemoteWriteForwarder } from './ingest/forward/remote-write-forwarder.js';
import { systemClock, type Clock } from './domain/clock.js';
import { deriveCatalogBatch } from './metrics/catalog/index.js';
import type { AppendResult, MetricStore } from './metrics/store/metric-store.js';
import { openMetricStore } from './metrics/store/open-metric-store.js';
import { channelSenders } from './notify/channel-senders.js';
import { createEmailTransport } from './notify/channels/email/index.js';
import { Dispatcher, type ChannelSenders } from './notify/dispatcher.js';
import { SelfMetrics } from './self-metrics.js';
import { SecretBox } from './store/secret-box.js';
import { openStore, type Store } from './store/store.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** The built-in metric store in DATA_DIR/metrics. */
  readonly metricStore: MetricStore;
  /** Evaluates the enabled policies every TOCSIN_EVALUATION_INTERVAL. */
  readonly evaluator: Evaluator;
  /** Sends what the outbox holds; call `notify()` after enqueueing. */
  readonly dispatcher: Dispatcher;
  /** The base URL the server listens on, e.g. http://127.0.0.1:9700. */
  readonly url: string;
  /** The admin token generated on this start, if one was; it is shown once and never stored in clear. */
  readonly generatedAdminToken: string | null;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Senders replacing built-in ones, e.g. a test double for a channel under test. */
  readonly senders?: ChannelSenders;
}

const KEY_FILE = 'secret.key';
const KEY_FINGERPRINT = 'encryption_key_fingerprint';

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.secret',
        '*.token',
        '*.password',
        '*.webhook',
      ],
      censor: '[redacted]',
    },
  });
}

/** The key that seals secrets: from configuration, else DATA_DIR/secret.key, created on first start. */
function loadEncryptionKey(config: ServerConfig): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  const path = join(config.dataDir, KEY_FILE);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${resolve(path)} does not hold a 32-byte base64 key`);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}

/** Refuses to start with a key other than the one the database's secrets were sealed with. */
async function checkEncryptionKey(store: Store, box: SecretBox, config: ServerConfig): Promise<void> {
  const stored = await store.meta.setIfAbsent(KEY_FINGERPRINT, box.fingerprint);
  if (stored !== box.fingerprint) {
    const source = config.encryptionKey ? 'TOCSIN_ENCRYPTION_KEY' : resolve(join(config.dataDir, KEY_FILE));
    throw new Error(
      `the encryption key (${source}) is not the one this database was created with; ` +
        'every instance sharing a database needs the same TOCSIN_ENCRYPTION_KEY',
    );
  }
}

/** Opens the configured database with the configured key, refusing a key the database was not sealed with. */
async function openConfiguredStore(config: ServerConfig, clock: Clock): Promise<Store> {
  mkdirSync(config.dataDir, { recursive: true });
  const box = new SecretBox(loadEncryptionKey(config));
  const store = await openStore({
    url: config.databaseUrl ?? join(config.dataDir, 'tocsin.db'),
    checkpointInBackground: true,
    box,
    now: () => clock.now(),
  });
  try {
    await checkEncryptionKey(store, box, config);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Creates an admin token straight in the database, for an operator who lost theirs; works while the
 * service runs. Returns the clear token, to be shown once.
 */
export async function createAdminTokenOffline(config: ServerConfig, name: string): Promise<string> {
  const store = await openConfiguredStore(config, systemClock);
  try {
    const token = generateToken();
    await store.apiTokens.create({ name, role: 'admin', tokenHash: hashToken(token) });
    return token;
  } finally {
    await store.close();
  }
}

/** Opens the built-in metric store; it lives in the data directory on PostgreSQL too (one per instance). */
function openConfiguredMetricStore(config: ServerConfig, clock: Clock, log: Logger): MetricStore {
  return openMetricStore({
    dir: join(config.dataDir, 'metrics'),
    now: () => clock.now(),
    log,
    retentionMs: config.metrics.retentionMs,
    maxSeriesPerTarget: config.metrics.maxSeriesPerTarget,
    maxSeriesPerMetric: config.metrics.maxSeriesPerMetric,
  });
}

/**
 * Stores what a sender sent, then the ARMS catalog metrics derived from it (JVM_FullGC from
 * jvm.gc.duration…). The sender is answered about its own points only; refusals of derived series are
 * logged.
 */
function seriesIngest(metricStore: MetricStore, log: Logger): (series: IngestSeries[]) => AppendResult {
  return (series) => {
    const result = metricStore.append(series);
    const derived = deriveCatalogBatch(series);
    if (derived.length > 0) {
      const derivedResult = metricStore.append(derived);
      if (derivedResult.rejections.length > 0) {
        log.warn({ rejections: derivedResult.rejections }, 'derived catalog series were not stored');
      }
    }
    return result;
  };
}

/** The remote-write forwarder of TOCSIN_REMOTE_WRITE_URL, its spool in DATA_DIR/remote-write. */
function remoteWriteForwarder(
  config: ServerConfig,
  log: Logger,
  selfMetrics: SelfMetrics,
): RemoteWriteForwarder | null {
  if (config.remoteWrite === null) return null;
  const forwarder = new RemoteWriteForwarder({
    target: { url: config.remoteWrite.url, bearerToken: config.remoteWrite.bearerToken, timeoutMs: 30_000 },
    dir: join(config.dataDir, 'remote-write'),
    maxSpoolBytes: config.remoteWrite.spoolLimitBytes,
    log,
    onResult: selfMetrics.recordForward,
  });
  selfMetrics.watchForwarder(forwarder);
  return forwarder;
}

/** Starts Tocsin with `config`: the HTTP API on config.host:config.port. */
export async function startServer(config: ServerConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const store = await openConfiguredStore(config, clock);
  let metricStore: MetricStore | null = null;
  try {
    metricStore = openConfiguredMetricStore(config, clock, log);
    const generatedAdminToken = await ensureAdminToken(store, config.adminToken);
    // The embedded SQLite store has one instance by design (several need PostgreSQL): what the previous
    // run left mid-send is due now instead of after its lease. On PostgreSQL leases cover other instances.
    if (store.dialect === 'sqlite') await store.notifications.releaseInFlight(clock.now());
    // One pooled SMTP transport for the whole service: the dispatcher and the contact test share it.
    const emailTransport = createEmailTransport(config.smtp);
    // One registry for /metrics, fed by the API, the evaluator, the dispatcher and the forwarder.
    const selfMetrics = new SelfMetrics({ store, metricStore });
    const forwarder = remoteWriteForwarder(config, log, selfMetrics);
    const dispatcher = new Dispatcher({
      store,
      clock,
      log,
      onRecorded: selfMetrics.recordDelivery,
      senders: {
        ...channelSenders({
          clock,
          timeoutMs: config.delivery.timeoutMs,
          allowedWebhookOrigins: config.allowedWebhookOrigins,
          emailTransport,
        }),
        ...options.senders,
      },
      options: {
        budgets: { dingtalk: { limit: config.delivery.dingtalkMessagesPerMinute, windowMs: 60_000 } },
        maxAttempts: config.delivery.maxAttempts,
        // A claim outlives a send, including DingTalk's one re-signed retry.
        leaseMs: Math.max(60_000, 4 * config.delivery.timeoutMs),
      },
    });
    // Where a policy's numbers come from, for the evaluator and the preview alike.
    const builtin = builtinDataSource(metricStore);
    const prometheus = prometheusDataSource({ lookup: (id) => store.datasources.get(id) });
    const dataSourceFor = (policy: AlertPolicy) => (policy.kind === 'prometheus' ? prometheus : builtin);
    const app = await buildApp({
      config,
      store,
      clock,
      log,
      emailTransport,
      metricStore,
      ingestSeries: seriesIngest(metricStore, log),
      ...(forwarder && { forwarder }),
      ingestBodyLimitBytes: config.metrics.bodyLimitBytes,
      selfMetrics,
      policyDataSource: dataSourceFor,
      notifier: dispatcher,
    });
    const address = await app.listen({ host: config.host, port: config.port });
    dispatcher.start();
    forwarder?.start();
    const evaluator = new Evaluator({
      store,
      clock,
      log,
      dataSourceFor,
      notifier: dispatcher,
      onTick: selfMetrics.recordTick,
      options: {
        intervalMs: config.evaluationIntervalMs,
        publicUrl: config.publicUrl,
        locale: config.notificationLocale,
        retentionMs: config.eventRetentionMs,
      },
    });
    evaluator.start();
    const openedMetricStore = metricStore;
    return {
      app,
      store,
      metricStore,
      evaluator,
      dispatcher,
      url: address,
      generatedAdminToken,
      async close() {
        await app.close();
        // What is not yet forwarded stays spooled on disk for the next start.
        await forwarder?.close();
        // The tick in flight commits (or not) before the dispatcher and the database close.
        await evaluator.stop();
        // Waits for the cycle in flight: a send already answered gets recorded before the database closes.
        await dispatcher.stop();
        emailTransport?.close();
        openedMetricStore.close();
        await store.close();
      },
    };
  } catch (error) {
    metricStore?.close();
    await store.close();
    throw error;
  }
}
