// `kill -9` during a storm, restart: nothing lost. The real service runs in a child process against the
// DingTalk sandbox run here; it is SIGKILLed mid-delivery and a new one started on the same database.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/dingtalk-sandbox/index.js';
import type { NotificationRecord } from '../../src/store/notifications.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { openStore } from '../../src/store/store.js';
import { accountStorm, allNotifications, eventMarker, STORM_KEYWORD, stormRobot } from '../alert-storm.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../databases.js';
import type { StormCommand } from '../storm-service.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_TOKEN = 'crash-test-admin-token-0123456789';
const ROBOTS = 10;
const EVENTS = 2_000;
/**
 * On PostgreSQL the service leases claimed rows for max(60 s, 4 × send timeout); rows the killed process
 * held are taken over only when that lease has run out. The restarted service's clock starts this far
 * ahead, as if it came back a minute later, so the test need not wait it out in real time.
 */
const LEASE_MS = 60_000;
/** Generous for a loaded 2-core machine: these bound waits for real effects, never correctness. */
const DEADLINE_MS = 30_000;

/** A `node --import tsx test/storm-service.ts` child: its JSON lines, its stderr for diagnostics. */
class ServiceProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Record<string, unknown>[] = [];
  #stderr = '';

  constructor(env: NodeJS.ProcessEnv, args: readonly string[] = []) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'test/storm-service.ts', ...args], {
      cwd: REPO,
      env,
    });
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.#lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The first line carrying `key`, waiting for it with a deadline. */
  async line(key: string): Promise<unknown> {
    await waitUntil(() => this.#lines.some((l) => key in l) || !this.running, `the service's "${key}"`);
    const found = this.#lines.find((l) => key in l);
    if (!found) throw new Error(`the service exited before saying "${key}":\n${this.#stderr}`);
    return found[key];
  }

  send(command: StormCommand): void {
    this.#child.stdin.write(JSON.stringify(command) + '\n');
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill(signal);
    await exited;
  }

  /** SIGTERM, and SIGKILL if it does not stop in time. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface ApiRow {
  readonly id: string;
  readonly state: string;
  readonly contactId: string;
  readonly eventId: string | null;
  readonly messageId: string | null;
}

for (const dialect of DIALECTS) {
  describe(`kill -9 during a storm on ${dialect}`, () => {
    let sandbox: RunningSandbox;
    let database: TestDatabase;
    const services: ServiceProcess[] = [];

    beforeEach(async () => {
      sandbox = await startSandbox({
        port: 0,
        maxRecords: 100_000,
        robots: Array.from({ length: ROBOTS }, (_, i) => stormRobot('crash', i)),
      });
      database = await createTestDatabase(dialect);
    });

    afterEach(async () => {
      for (const service of services.splice(0)) await service.stop();
      await database.drop();
      await sandbox.close();
    });

    function serviceEnv(): NodeJS.ProcessEnv {
      const inherited = Object.entries(process.env).filter(([key]) => !key.startsWith('TOCSIN_'));
      return {
        ...Object.fromEntries(inherited),
        TOCSIN_HOST: '127.0.0.1',
        TOCSIN_PORT: '0',
        TOCSIN_DATA_DIR: database.dataDir,
        TOCSIN_ADMIN_TOKEN: ADMIN_TOKEN,
        TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin,
        TOCSIN_LOG_LEVEL: 'silent',
        ...(dialect === 'postgres' && { TOCSIN_DATABASE_URL: database.url }),
      };
    }

    async function startService(
      args: readonly string[] = [],
    ): Promise<{ process: ServiceProcess; url: string }> {
      const service = new ServiceProcess(serviceEnv(), args);
      services.push(service);
      return { process: service, url: String(await service.line('url')) };
    }

    async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
      const response = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    }

    async function allRows(url: string): Promise<ApiRow[]> {
      const rows: ApiRow[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await api(
          url,
          'GET',
          `/api/v1/notifications?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        );
        rows.push(...(page.items as ApiRow[]));
        cursor = page.nextCursor as string | null;
      } while (cursor !== null);
      return rows;
    }

    async function unfinished(url: string): Promise<number> {
      let count = 0;
      for (const state of ['queued', 'sending', 'retrying']) {
        count += (await api(url, 'GET', `/api/v1/notifications?state=${state}&limit=1000`)).items.length;
      }
      return count;
    }

    /** The outbox as the killed process left it, read straight from the database. */
    async function outboxAfterKill(): Promise<NotificationRecord[]> {
      const store = await openStore({
        url: database.url,
        box: new SecretBox(randomBytes(32)),
        now: Date.now,
      });
      try {
        return await allNotifications(store);
      } finally {
        await store.close();
      }
    }

    it('sends every event after a SIGKILL mid-delivery and a restart: none lost, none failed, 0 rate-limit answers', async () => {
      const first = await startService();
      const tokens = new Map<string, string>();
      for (let i = 0; i < ROBOTS; i++) {
        const robot = stormRobot('crash', i);
        const contact = await api(first.url, 'POST', '/api/v1/contacts', {
          name: robot.token,
          dingtalk: {
            webhook: sandbox.webhookUrl(robot.token),
            secret: robot.secret ?? null,
            keywords: [STORM_KEYWORD],
          },
        });
        tokens.set(contact.id as string, robot.token);
      }
      // Slow answers keep each message in flight for long enough that the kill surely lands among sends,
      // even on a loaded machine where polling the API is slow (every waiting event rides in one message).
      sandbox.injectFault({ kind: 'latency', latencyMs: 1_500, durationMs: 10 * 60_000 });
      first.process.send({ storm: { contactIds: [...tokens.keys()], events: EVENTS, chunk: 250 } });
      expect(await first.process.line('enqueued')).toBe(EVENTS);
      await waitUntil(() => sandbox.messages().length >= 5, 'the first messages of the storm');
      // Kill while a cycle holds claimed rows: the case leases exist for.
      await waitUntil(
        async () =>
          (await api(first.url, 'GET', '/api/v1/notifications?state=sending&limit=1')).items.length > 0,
        'rows being sent',
      );

      await first.process.kill('SIGKILL');
      const atKill = await outboxAfterKill();
      const inFlight = new Set(atKill.filter((row) => row.state === 'sending').map((row) => row.eventId));
      expect(atKill).toHaveLength(EVENTS);
      expect(inFlight.size, 'rows were being sent when the process died').toBeGreaterThan(0);
      expect(
        atKill.filter((row) => row.state !== 'sent').length,
        'the storm was not yet delivered',
      ).toBeGreaterThan(0);
      sandbox.clearFaults();

      // SQLite (one instance) sends what the dead process held at once; PostgreSQL waits out its lease.
      const offset = dialect === 'postgres' ? LEASE_MS + 1_000 : 0;
      const second = await startService(['--clock-offset-ms', String(offset)]);
      await waitUntil(async () => (await unfinished(second.url)) === 0, 'every notification to be finished');

      const rows = await allRows(second.url);
      expect(rows).toHaveLength(EVENTS);
      expect(rows.filter((row) => row.state !== 'sent')).toEqual([]);
      expect(new Set(rows.map((row) => row.eventId))).toEqual(
        new Set(Array.from({ length: EVENTS }, (_, n) => eventMarker(n))),
      );
      const messages = sandbox.messages();
      const account = accountStorm(
        rows.map((row) => ({
          eventId: row.eventId,
          token: tokens.get(row.contactId)!,
          messageId: row.messageId,
        })),
        messages,
      );
      expect(account).toMatchObject({ matchedRows: EVENTS, countedInMessages: EVENTS, mismatchedRows: 0 });
      // A message answered but not recorded before the kill is the only source of duplicates: it shows
      // rows that were in flight, and together such messages hold no more events than were in flight.
      for (const message of account.unrecorded) {
        for (const marker of message.shown) expect(inFlight, `${marker} sent twice`).toContain(marker);
      }
      expect(account.unrecorded.reduce((sum, m) => sum + m.shown.size + m.more, 0)).toBeLessThanOrEqual(
        inFlight.size,
      );
      const rateLimited = sandbox.attempts().filter((a) => a.errcode === 130101 || a.errcode === 410100);
      expect(rateLimited).toEqual([]);
    }, 90_000);
  });
}
