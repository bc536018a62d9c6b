// The Alertmanager bridge end to end with the real Alertmanager (Debian `prometheus-alertmanager` 0.25):
// Alertmanager is configured with the receiver docs/alertmanager.md gives (only the timings shortened),
// alerts are posted to its API v2 as Prometheus would, and the DingTalk sandbox shows what the routed
// group's robot received — one firing message however often Alertmanager re-sends the group, none for
// the other group or an unrouted alert, and one recovery once the alert is resolved.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type ReceivedMessage, type RunningSandbox } from '../../src/dingtalk-sandbox/index.js';
import {
  alertmanagerInstalled,
  ALERTMANAGER_BINARY,
  postAlerts,
  startAlertmanager,
  type PostableAlert,
  type RunningAlertmanager,
} from '../alertmanager-server.js';
import { SEED_SECRET } from '../seed-fixtures.js';
import { startTestService, type TestService } from '../service.js';

const OPS_ROBOT = 'opsrobot0123456789abcdef';
const DB_ROBOT = 'dbrobot0123456789abcdef0';
const KEYWORD = '告警';

/** The receiver of docs/alertmanager.md, pointed at this test's Tocsin, with timings a test can wait for. */
function alertmanagerConfig(tocsinUrl: string, token: string): string {
  const docs = readFileSync(join(import.meta.dirname, '../../docs/alertmanager.md'), 'utf8');
  const block = /```yaml\n(# alertmanager\.yml[\s\S]*?)```/.exec(docs)?.[1];
  if (!block)
    throw new Error('docs/alertmanager.md has no alertmanager.yml block starting with "# alertmanager.yml"');
  const config = block
    .replace('http://tocsin.internal:9700', tocsinUrl)
    .replace(/credentials: \S+/, `credentials: ${token}`)
    .replace(/group_wait: \S+/, 'group_wait: 1s')
    .replace(/group_interval: \S+/, 'group_interval: 1s')
    // Alertmanager re-sends the still-firing group every 2 s: Tocsin must not notify again.
    .replace(/repeat_interval: \S+/, 'repeat_interval: 2s');
  expect(config).toContain(`${tocsinUrl}/api/v1/alertmanager`);
  return config;
}

let sandbox: RunningSandbox;
let service: TestService;
let alertmanager: RunningAlertmanager | undefined;

async function until<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(value)}\n${alertmanager?.output() ?? ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function textOf(message: ReceivedMessage): string {
  return JSON.stringify(message.body);
}

/** How many webhook notifications Alertmanager says it sent (its own counter). */
async function webhookNotificationsSent(): Promise<number> {
  const text = await (await fetch(`${alertmanager!.url}/metrics`)).text();
  const line = /^alertmanager_notifications_total\{integration="webhook"\} (\d+)/m.exec(text);
  return Number(line?.[1] ?? 0);
}

describe.skipIf(!alertmanagerInstalled())(
  `the Alertmanager bridge with the real Alertmanager (skipped without ${ALERTMANAGER_BINARY}: apt-get install prometheus-alertmanager)`,
  () => {
    beforeAll(async () => {
      sandbox = await startSandbox({
        port: 0,
        robots: [
          { token: OPS_ROBOT, secret: SEED_SECRET, keywords: [KEYWORD] },
          { token: DB_ROBOT, secret: SEED_SECRET, keywords: [KEYWORD] },
        ],
      });
      service = await startTestService('sqlite', {
        TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin,
      });
      // No policies here; the evaluator has nothing to do.
      await service.server.evaluator.stop();
      const groups: Record<string, string> = {};
      for (const [name, robot] of [
        ['ops', OPS_ROBOT],
        ['db', DB_ROBOT],
      ] as const) {
        const contact = await service.api('POST', '/api/v1/contacts', {
          name: `${name}-robot`,
          dingtalk: { webhook: sandbox.webhookUrl(robot), secret: SEED_SECRET, keywords: [KEYWORD] },
        });
        expect(contact.status, JSON.stringify(contact.body)).toBe(201);
        const group = await service.api('POST', '/api/v1/contact-groups', {
          name,
          contactIds: [contact.body.id],
        });
        groups[name] = group.body.id as string;
      }
      for (const [name, matchers] of [
        ['ops', ['team="ops"', 'alertname!="Watchdog"']],
        ['db', ['team=~"db|storage"']],
      ] as const) {
        const route = await service.api('POST', '/api/v1/alertmanager-routes', {
          name,
          matchers,
          contactGroupIds: [groups[name]],
          channels: ['dingtalk'],
        });
        expect(route.status, JSON.stringify(route.body)).toBe(201);
      }
      const token = await service.api('POST', '/api/v1/api-tokens', { name: 'alertmanager', role: 'ingest' });
      alertmanager = await startAlertmanager({
        config: alertmanagerConfig(service.url, token.body.token as string),
      });
    }, 60_000);

    afterAll(async () => {
      await alertmanager?.stop();
      await service?.stop();
      await sandbox?.close();
    });

    it('delivers one firing message to the routed group and, once resolved, one recovery', async () => {
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      const highErrors: PostableAlert = {
        labels: { alertname: 'HighErrorRate', team: 'ops', severity: 'critical', instance: '10.0.0.7:9100' },
        annotations: { summary: 'Error rate above 5%', description: 'api answers 5xx to 7% of requests' },
        startsAt,
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        generatorURL: 'http://prometheus.internal:9090/graph?g0.expr=errors',
      };
      const stray: PostableAlert = {
        labels: { alertname: 'DiskFull', team: 'web', severity: 'warning' },
        startsAt,
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      await postAlerts(alertmanager!, [highErrors, stray]);

      const firing = await until(
        'the firing message',
        () => sandbox.messages(OPS_ROBOT),
        (m) => m.length >= 1,
      );
      expect(firing).toHaveLength(1);
      const text = textOf(firing[0]!);
      expect(text).toContain('[P1 报警] HighErrorRate');
      expect(text).toContain('Error rate above 5%');
      expect(text).toContain('instance=10.0.0.7:9100');

      // Alertmanager keeps re-sending the firing group (repeat_interval 2 s); Tocsin sends nothing more.
      const sentBefore = await webhookNotificationsSent();
      await until('Alertmanager re-sending the group', webhookNotificationsSent, (n) => n >= sentBefore + 2);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(sandbox.messages(OPS_ROBOT)).toHaveLength(1);
      expect(sandbox.messages(DB_ROBOT)).toHaveLength(0);
      const open = await service.api('GET', '/api/v1/alert-events?source=alertmanager');
      expect(open.body.items).toHaveLength(1);
      expect(open.body.items[0]).toMatchObject({
        state: 'firing',
        policyName: 'HighErrorRate',
        severity: 'P1',
        notifyCount: 1,
        alertmanager: { routeName: 'ops', receiver: 'tocsin', externalURL: expect.stringContaining('http') },
      });

      // Prometheus resolves an alert by sending it with endsAt now; Alertmanager sends it as resolved.
      await postAlerts(alertmanager!, [{ ...highErrors, endsAt: new Date().toISOString() }]);
      const both = await until(
        'the recovery message',
        () => sandbox.messages(OPS_ROBOT),
        (m) => m.length >= 2,
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(sandbox.messages(OPS_ROBOT)).toHaveLength(2);
      expect(textOf(both[1]!)).toContain('[P1 报警恢复] HighErrorRate');
      expect(sandbox.messages(DB_ROBOT)).toHaveLength(0);
      const resolved = await service.api('GET', '/api/v1/alert-events?source=alertmanager&state=resolved');
      expect(resolved.body.items).toHaveLength(1);
      expect(resolved.body.items[0]).toMatchObject({ resolveReason: 'recovered', notifyCount: 1 });
    }, 90_000);
  },
);
