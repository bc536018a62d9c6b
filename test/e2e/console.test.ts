// Issue 6's bar: the seed's flow through the web console in Debian's Chromium — sign in with a token,
// create the DingTalk robot contact and test it against the sandbox, create the contact group, create the
// seed's application alarm in the Create Alarm dialog (its preview chart showing where it would have
// fired), edit it — then make it fire on pushed metrics and see the event in Alert Event History, the
// signed message in the sandbox and its entry in Alert Sending History; chart a metric; and visit every
// page on a 390-px phone. Selects by role and label as a user would, with screenshots of each page in
// test-output/console/.
//
// Time is a manual clock shared by Tocsin and the sandbox (test/seed-history.ts): the hour of history the
// period-over-period rule needs is pushed in a second, and the test runs the evaluation itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONSOLE_DIR } from '../../src/api/console/routes.js';
import {
  computeSign,
  createManualClock,
  startSandbox,
  type ManualClock,
  type RunningSandbox,
} from '../../src/dingtalk-sandbox/index.js';
import { SEED_CONDITION, SEED_SECRET } from '../seed-fixtures.js';
import { evaluateAt, MINUTE, pushFullGcHistory, robotMessages } from '../seed-history.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SHOTS = join(import.meta.dirname, '../../test-output/console');
const ROBOT = 'consolerobot0123456789';
const KEYWORD = '告警';
const ALARM_NAME = 'alert on JVM-GC times in period-over-period comparison';
const APPLICATION = 'order-service';
/** FullGC runs per minute; the first two hosts' rate more than doubles in the last five minutes. */
const NORMAL_RATE = 2;
const HIGH_RATE = 5;
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'] as const;
const DOUBLED: readonly string[] = ['10.0.0.1', '10.0.0.2'];
/** The edit raises the threshold from the seed's 100% to this; the doubled hosts' +150% still passes it. */
const EDITED_THRESHOLD = 120;

let clock: ManualClock;
let sandbox: RunningSandbox;
let service: TestService;
let browser: Browser;
let page: Page;
/** The start of the minute whose evaluation fires: the windows end there. */
let nowMinute: number;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Picks an option of an antd Select in the open dialog: types part of its text, clicks the option. */
async function choose(label: string, text: string): Promise<void> {
  const box = page.getByLabel(label, { exact: true });
  await box.click();
  await box.fill(text);
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: text })
    .first()
    .click();
  // A click on the dialog's title closes the option list of a multiple select.
  await page.locator('.ant-modal-title').last().click();
}

/**
 * Checks an antd radio or checkbox: its input is visually hidden, so the user (and the test) clicks its
 * label.
 */
async function check(control: ReturnType<Page['getByRole']>): Promise<void> {
  if (!(await control.isChecked())) await control.locator('xpath=ancestor::label[1]').click();
  expect(await control.isChecked()).toBe(true);
}

/** The form item (label, control and its error) holding the control labelled `label`. */
function formItem(label: string) {
  return page
    .locator('.ant-form-item')
    .filter({ has: page.getByLabel(label, { exact: true }) })
    .last();
}

/** How far the page reaches past the viewport's right edge; 0 when nothing overflows horizontally. */
async function horizontalOverflow(): Promise<number> {
  // Runs in the page; a string, since the test's own TypeScript has no DOM types.
  return page.evaluate(`(() => {
    const wrap = document.querySelector('.ant-modal-wrap, .ant-drawer-content-wrapper');
    const widest = Math.max(document.scrollingElement.scrollWidth, wrap ? wrap.scrollWidth : 0);
    return Math.max(0, widest - window.innerWidth);
  })()`);
}

async function policyNamed(name: string): Promise<any> {
  const list = await service.api('GET', `/api/v1/alert-policies?q=${encodeURIComponent(name)}`);
  return list.body.items.find((policy: { name: string }) => policy.name === name);
}

describe.skipIf(!hasChromium)(
  `the console in Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium)`}`,
  () => {
    beforeAll(async () => {
      // `npm test` builds first; a lone vitest run builds the console itself when it is missing.
      if (!existsSync(join(DEFAULT_CONSOLE_DIR, 'index.html'))) {
        execFileSync('npx', ['vite', 'build', 'console', '--logLevel', 'warn'], { stdio: 'inherit' });
      }
      mkdirSync(SHOTS, { recursive: true });
      // The service's "now" is the browser's, to the minute, so its pages show times as they are.
      nowMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
      clock = createManualClock(nowMinute - 70 * MINUTE);
      sandbox = await startSandbox({
        port: 0,
        clock,
        robots: [{ token: ROBOT, secret: SEED_SECRET, keywords: [KEYWORD] }],
      });
      service = await startTestService(
        'sqlite',
        { TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin },
        { clock },
      );
      // The test runs each evaluation itself.
      await service.server.evaluator.stop();
      // An hour and ten minutes of FullGC per host, the last five minutes at a higher rate on two hosts:
      // what the seed's "average up 100% vs an hour ago" is for.
      await pushFullGcHistory(service, clock, {
        target: APPLICATION,
        hosts: HOSTS,
        fromMinute: nowMinute - 70 * MINUTE,
        toMinute: nowMinute,
        rateOf: (host, minute) =>
          minute >= nowMinute - 5 * MINUTE && DOUBLED.includes(host) ? HIGH_RATE : NORMAL_RATE,
      });
      clock.set(nowMinute + 30_000);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      page = await context.newPage();
      // Generous: CI runs this beside other suites on two cores, where a lazy page chunk can take seconds.
      page.setDefaultTimeout(30_000);
    }, 90_000);

    afterAll(async () => {
      if (page) await shot('last-state').catch(() => undefined);
      await browser?.close();
      await service?.stop();
      await sandbox?.close();
    });

    it('serves the built console at / with cache headers, and client routes but not API paths fall back to it', async () => {
      const index = await fetch(`${service.url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      const html = await index.text();
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(asset).toBeDefined();
      const script = await fetch(service.url + asset!);
      expect(script.headers.get('content-type')).toContain('text/javascript');
      expect(script.headers.get('cache-control')).toContain('immutable');
      const route = await fetch(`${service.url}/alerts/policies`);
      expect(await route.text()).toBe(html);
      expect((await fetch(`${service.url}/assets/missing-0123.js`)).status).toBe(404);
      const api = await fetch(`${service.url}/api/v1/nothing-here`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toContain('application/json');
      expect((await fetch(`${service.url}/healthz`)).headers.get('content-type')).toContain('json');
      expect(await (await fetch(`${service.url}/metrics`)).text()).not.toContain('<!doctype');
    });

    it("performs the seed's flow: contact with its Test, contact group, the application alarm with its preview chart, its edit", async () => {
      // Sign in, in Chinese at first (the browser's language), then in English.
      await page.goto(`${service.url}/`);
      await expect.poll(() => page.url()).toContain('/sign-in');
      await page.getByRole('heading', { name: '登录 Tocsin' }).waitFor();
      await check(page.getByRole('radio', { name: 'English' }));
      await page.getByRole('heading', { name: 'Sign in to Tocsin' }).waitFor();
      await shot('sign-in');
      await page.getByLabel('API token').fill('tcs_not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
      await page.getByLabel('API token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Alert Policies' }).waitFor();

      // Alerts > Contacts > Contact tab > New contact, with a bad e-mail first: the error sits under the
      // E-mail field and every typed value stays.
      await page.getByRole('menuitem', { name: 'Contacts' }).click();
      await page.getByRole('button', { name: 'New contact' }).click();
      const contactDialog = page.getByRole('dialog', { name: 'New contact' });
      await contactDialog.getByLabel('Name', { exact: true }).fill('ops-robot');
      await contactDialog.getByLabel('DingTalk webhook URL').fill(sandbox.webhookUrl(ROBOT));
      await contactDialog.getByLabel('Signing secret', { exact: true }).fill(SEED_SECRET);
      await contactDialog.getByLabel('Keywords').fill(KEYWORD);
      await contactDialog.getByLabel('@ mobiles').fill('13800000000');
      await contactDialog.getByLabel('E-mail').fill('not-an-address');
      await contactDialog.getByRole('button', { name: 'OK' }).click();
      await expect.poll(() => formItem('E-mail').textContent()).toContain('must be an e-mail address');
      expect(await contactDialog.getByLabel('DingTalk webhook URL').inputValue()).toBe(
        sandbox.webhookUrl(ROBOT),
      );
      expect(await contactDialog.getByLabel('Signing secret', { exact: true }).inputValue()).toBe(
        SEED_SECRET,
      );
      expect(await contactDialog.getByLabel('E-mail').inputValue()).toBe('not-an-address');
      await shot('contact-dialog-validation-error');
      await contactDialog.getByLabel('E-mail').fill('ops@example.com');
      await contactDialog.getByRole('button', { name: 'OK' }).click();
      await contactDialog.waitFor({ state: 'hidden' });
      await page.getByRole('cell', { name: 'ops-robot', exact: true }).waitFor();
      const contact = (await service.api('GET', '/api/v1/contacts?q=ops-robot')).body.items[0];
      expect(contact.dingtalk).toMatchObject({
        keywords: [KEYWORD],
        atMobiles: ['13800000000'],
        atUserIds: [],
        atAll: false,
        messageType: 'markdown',
      });
      expect(contact.email).toBe('ops@example.com');

      // Test: the sandbox robot receives a signed test message; its answer is shown.
      await page.getByRole('button', { name: 'Test ops-robot' }).click();
      const testResult = page.getByRole('dialog', { name: 'Test result of "ops-robot"' });
      await testResult.getByText('Delivered').waitFor();
      expect(await testResult.textContent()).toMatch(/errcode\s*0/);
      expect(await testResult.textContent()).toMatch(/errmsg\s*ok/);
      expect(sandbox.messages(ROBOT)).toHaveLength(1);
      await shot('contacts-test-result');
      await page.keyboard.press('Escape');
      await testResult.waitFor({ state: 'hidden' });
      await shot('contacts');

      // Contact Group tab > Create a contact group, picking the contact.
      await page.getByRole('tab', { name: 'Contact Group' }).click();
      await page.getByRole('button', { name: 'Create a contact group' }).click();
      const groupDialog = page.getByRole('dialog', { name: 'Create a contact group' });
      await groupDialog.getByLabel('Group name').fill('ops');
      await choose('Alarm contact', 'ops-robot');
      await groupDialog.getByRole('button', { name: 'OK' }).click();
      await groupDialog.waitFor({ state: 'hidden' });
      await page.getByRole('cell', { name: 'ops', exact: true }).waitFor();
      await shot('contact-groups');
      const group = (await service.api('GET', '/api/v1/contact-groups')).body.items[0];
      expect(group).toMatchObject({ name: 'ops', contactIds: [contact.id] });

      // Alerts > Alert Policies > Create Alarm > Application Monitoring Alarm, as the seed describes.
      await page.getByRole('menuitem', { name: 'Alert Policies' }).click();
      await page.getByRole('button', { name: /Create Alarm/ }).click();
      await page.getByRole('menuitem', { name: 'Application Monitoring Alarm' }).click();
      const alarm = page.getByRole('dialog', { name: 'Create Alarm' });
      await alarm.getByLabel('Alarm Name').fill(ALARM_NAME);
      await alarm
        .getByLabel('Description')
        .fill('FullGC runs per host, against the same minutes an hour ago');
      await alarm.getByLabel('Application Site').fill('order-service');
      await choose('Type', 'JVM_Monitoring');
      await check(alarm.getByRole('radio', { name: 'Traverse' }));
      await expect.poll(() => formItem('Dimension key').textContent()).toContain('host');
      await check(alarm.getByRole('radio', { name: 'Meet All of the Following Criteria' }));
      await alarm.getByLabel('Last N Minutes 1').fill('5');
      await choose('Aggregation 1', 'Average');
      await choose('Metric 1', 'JVM_FullGC (');
      await choose('Comparison 1', 'increases by % vs an hour ago');
      await alarm.getByLabel('Threshold 1').fill('100');
      await check(alarm.getByRole('checkbox', { name: 'Ding Ding Robot' }));
      await alarm.getByRole('list', { name: 'Contact Groups' }).getByRole('button', { name: 'ops' }).click();
      await alarm
        .getByRole('list', { name: 'Selected Groups' })
        .getByRole('button', { name: 'ops' })
        .waitFor();
      await check(alarm.getByRole('radio', { name: 'P2' }));
      // The preview replays the rule over the pushed hours: the two doubled hosts would have fired.
      const preview = alarm.getByRole('region', { name: 'Preview' });
      await expect
        .poll(() =>
          preview
            .getByRole('status')
            .textContent()
            .catch(() => ''),
        )
        .toMatch(/would have fired \d+ time\(s\), for 2 of 3 dimension values/);
      const previewChart = preview.getByRole('img', { name: /^JVM_FullGC/ });
      expect(await previewChart.getAttribute('aria-label')).toContain(
        'would have fired for 10.0.0.1, 10.0.0.2',
      );
      expect(await previewChart.locator('[data-kind="firing-interval"]').count()).toBeGreaterThan(0);
      await alarm.getByLabel('Alarm Name').scrollIntoViewIfNeeded();
      await shot('create-alarm-dialog');
      await check(preview.getByRole('radio', { name: '1 h' }));
      await preview.and(page.locator('[aria-busy="false"]')).waitFor();
      expect(await previewChart.getAttribute('aria-label')).toContain('last 1 h,');
      await preview.screenshot({ path: join(SHOTS, 'create-alarm-preview.png') });
      await alarm.getByRole('button', { name: 'Save' }).click();
      await alarm.waitFor({ state: 'hidden' });
      await page.getByRole('cell', { name: ALARM_NAME }).waitFor();
      const created = await policyNamed(ALARM_NAME);
      expect(created).toMatchObject({
        kind: 'application',
        target: APPLICATION,
        metricType: 'JVM_Monitoring',
        dimension: { mode: 'traverse', key: 'host' },
        rules: { match: 'all', conditions: [SEED_CONDITION] },
        severity: 'P2',
        forEvaluations: 1,
        recoveryMinutes: 5,
        noDataAction: 'keep',
        notification: { channels: ['dingtalk'], contactGroupIds: [group.id], template: null },
        enabled: true,
      });
      await shot('alert-policies');

      // Edit in the Actions column: the threshold is raised, nothing else changes.
      const row = page.getByRole('row').filter({ hasText: ALARM_NAME });
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit Alarm' });
      expect(await edit.getByLabel('Threshold 1').inputValue()).toBe('100');
      await edit.getByLabel('Threshold 1').fill(String(EDITED_THRESHOLD));
      // A template naming an unknown variable: the service's reason appears under the Message title field.
      await edit.getByLabel('Message title').fill('[{{severity}}] {{policy.nam}}');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => formItem('Message title').textContent())
        .toContain('unknown variable {{policy.nam}}');
      await shot('edit-alarm-validation-error');
      await edit.getByLabel('Message title').fill('');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden' });
      await expect
        .poll(async () => (await policyNamed(ALARM_NAME)).rules.conditions[0].threshold)
        .toBe(EDITED_THRESHOLD);
      const edited = await policyNamed(ALARM_NAME);
      expect({ ...edited, rules: created.rules, updatedAt: created.updatedAt }).toEqual(created);
      expect(edited.rules.conditions).toEqual([{ ...SEED_CONDITION, threshold: EDITED_THRESHOLD }]);

      // Disable and enable from the Actions column.
      await row.getByRole('button', { name: 'Disable' }).click();
      await row.getByText('Disabled').waitFor();
      expect((await policyNamed(ALARM_NAME)).enabled).toBe(false);
      await row.getByRole('button', { name: 'Enable' }).click();
      await row.getByText('Enabled').waitFor();

      // The language switch changes every label.
      await check(page.getByRole('radio', { name: '中文' }));
      await page.getByRole('heading', { name: '告警策略' }).waitFor();
      await page.getByRole('button', { name: /创建报警/ }).waitFor();
      await page.getByRole('menuitem', { name: '联系人' }).waitFor();
      await shot('alert-policies-zh-CN');
      await check(page.getByRole('radio', { name: 'English' }));
      await page.getByRole('heading', { name: 'Alert Policies' }).waitFor();
    }, 180_000);

    it('makes the alarm fire on pushed metrics: the event in Alert Event History with its chart, a signed markdown message naming the doubled hosts in the sandbox, its sending history entry', async () => {
      const policy = await policyNamed(ALARM_NAME);
      await evaluateAt(service, clock, nowMinute + 30_000);

      // The robot received the contact's test message, then one signed markdown alert naming both hosts.
      const messages = await robotMessages(sandbox, ROBOT, 2);
      expect(messages).toHaveLength(2);
      const alert = messages[1]!;
      expect(alert.msgtype).toBe('markdown');
      const text = JSON.stringify(alert.body);
      expect(text).toContain(KEYWORD);
      for (const host of HOSTS) {
        if (DOUBLED.includes(host)) expect(text).toContain(host);
        else expect(text).not.toContain(host);
      }
      const delivery = sandbox.attempts(ROBOT).find((attempt) => attempt.messageId === alert.id);
      expect(delivery?.query.timestamp).toBeDefined();
      expect(delivery!.query.sign).toBe(computeSign(delivery!.query.timestamp!, SEED_SECRET));

      // Alert Event History: two firing P2 events, one per doubled host, none for the third.
      await page.getByRole('menuitem', { name: 'Alert Event History', exact: true }).click();
      await page.getByRole('heading', { name: 'Alert Event History', exact: true }).waitFor();
      const overview = page
        .getByRole('region', { name: 'Firing now' })
        .getByRole('img', { name: /^Firing events by severity/ });
      await expect
        .poll(() => overview.getAttribute('aria-label'))
        .toBe('Firing events by severity: P1 0, P2 2, P3 0, P4 0');
      for (const host of DOUBLED) {
        await page
          .getByRole('row')
          .filter({ hasText: `host=${host}` })
          .getByText('Firing')
          .waitFor();
      }
      expect(await page.getByRole('row').filter({ hasText: 'host=10.0.0.3' }).count()).toBe(0);
      await page.waitForLoadState('networkidle');
      await shot('alert-events');
      await check(page.getByRole('radio', { name: '中文' }));
      await page.getByRole('heading', { name: '告警事件历史' }).waitFor();
      await page.getByRole('region', { name: '当前告警' }).getByText('当前告警：2').waitFor();
      await shot('alert-events-zh-CN');
      await check(page.getByRole('radio', { name: 'English' }));

      // Details: the rule's value around the event, its threshold, and the interval in which it fires.
      await page
        .getByRole('row')
        .filter({ hasText: `host=${DOUBLED[0]}` })
        .getByRole('button', { name: 'Details' })
        .click();
      const details = page.getByRole('dialog', { name: `Alert event: ${ALARM_NAME}` });
      const chart = details.getByRole('img', { name: /JVM_FullGC/ });
      await chart.waitFor();
      expect(await chart.getAttribute('aria-label')).toContain(DOUBLED[0]);
      expect(await chart.locator('[data-kind="firing-interval"]').count()).toBeGreaterThan(0);
      expect(await details.textContent()).toContain('+150%');
      // A trial click waits for the close button to stand still: the drawer has finished sliding in.
      await details.getByRole('button', { name: 'Close' }).click({ trial: true });
      await shot('alert-event-details');
      await page.keyboard.press('Escape');
      await details.waitFor({ state: 'hidden' });

      // Alert Sending History: the alert's notifications (one per event, merged into the one message),
      // sent to the robot.
      const sent = (await service.api('GET', `/api/v1/notifications?limit=1000`)).body.items.filter(
        (notification: { policyId: string | null }) => notification.policyId === policy.id,
      );
      expect(sent.length).toBeGreaterThan(0);
      for (const notification of sent)
        expect(notification).toMatchObject({ channel: 'dingtalk', state: 'sent' });
      await page.getByRole('menuitem', { name: 'Alert Sending History', exact: true }).click();
      await page.getByRole('heading', { name: 'Alert Sending History', exact: true }).waitFor();
      const entries = page.getByRole('row').filter({ hasText: sent[0].title });
      await expect.poll(() => entries.count()).toBe(sent.length);
      for (const entry of await entries.all()) expect(await entry.textContent()).toMatch(/sent.*dingtalk/);
      await shot('sending-history');
    }, 180_000);

    it('charts a metric per host in Metrics, names a bad filter next to its field, and adds a data source', async () => {
      await page.getByRole('menuitem', { name: 'Metrics', exact: true }).click();
      await page.getByRole('heading', { name: 'Metrics', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Chart JVM_FullGC' }).click();
      await page.getByLabel('Group by').fill('host');
      await page.keyboard.press('Escape');
      await check(page.getByRole('radio', { name: '1h' }));
      await page.getByRole('button', { name: 'Query' }).click();
      const chart = page.getByRole('img', { name: /^JVM_FullGC per minute by host/ });
      await chart.waitFor();
      expect(await chart.getAttribute('aria-label')).toContain(HOSTS.join(', '));
      await page.waitForLoadState('networkidle');
      await shot('metrics');

      await page.getByLabel('Filters').fill('host');
      await page.getByRole('button', { name: 'Query' }).click();
      await expect.poll(() => formItem('Filters').textContent()).toContain('must be label:value');

      await page.getByRole('menuitem', { name: 'Data sources', exact: true }).click();
      await page.getByRole('heading', { name: 'Data sources', exact: true }).waitFor();

      // New data source: a bad URL is named under its field, then fixed; basic auth; Test says why not.
      await page.getByRole('button', { name: 'New data source' }).click();
      const dialog = page.getByRole('dialog', { name: 'New data source' });
      await dialog.getByLabel('Name').fill('prom');
      await dialog.getByLabel('URL').fill('prometheus:9090');
      await check(dialog.getByRole('radio', { name: 'Basic auth' }));
      await dialog.getByLabel('User name').fill('grafana');
      await dialog.getByLabel('Password').fill('s3cret-pass');
      await dialog.getByRole('button', { name: 'OK' }).click();
      await expect.poll(() => formItem('URL').textContent()).toContain('must be an http(s) URL');
      await dialog.getByLabel('URL').fill('http://127.0.0.1:1');
      await dialog.getByRole('button', { name: 'OK' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Test prom' }).click();
      await page.getByText(/^Not reachable: cannot reach the Prometheus data source "prom"/).waitFor();
      await shot('datasources');

      // Edit keeps the stored password: it comes back masked and goes back masked.
      await page.getByRole('row').filter({ hasText: 'prom' }).getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit data source' });
      await edit.getByLabel('Timeout (seconds)').fill('5');
      await edit.getByRole('button', { name: 'OK' }).click();
      await edit.waitFor({ state: 'hidden' });
      await page
        .getByRole('row')
        .filter({ hasText: 'http://127.0.0.1:1' })
        .getByText('5', { exact: true })
        .waitFor();
      const stored = (await service.api('GET', '/api/v1/datasources')).body.items[0];
      expect(stored).toMatchObject({ name: 'prom', url: 'http://127.0.0.1:1', timeoutSeconds: 5 });
      expect(stored.basicAuth.username).toBe('grafana');
      const withSecrets = await service.server.store.datasources.get(stored.id);
      expect(withSecrets?.basicAuth?.password).toBe('s3cret-pass');
    }, 90_000);

    it('fits a 390×844 phone: every page, the alarm dialog and the event details, with the menu behind a button', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${service.url}/alerts/policies`);
      for (const [item, name] of [
        ['Alert Policies', 'alert-policies-phone'],
        ['Alert Event History', 'alert-events-phone'],
        ['Alert Sending History', 'sending-history-phone'],
        ['Contacts', 'contacts-phone'],
        ['Data sources', 'datasources-phone'],
        ['Metrics', 'metrics-phone'],
      ] as const) {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('menuitem', { name: item, exact: true }).click();
        await page.getByRole('heading', { name: item, exact: true }).waitFor();
        await page.getByRole('navigation', { name: 'Menu' }).waitFor({ state: 'hidden' });
        await page.waitForLoadState('networkidle');
        expect(await horizontalOverflow(), name).toBe(0);
        await shot(name);
      }
      await page.getByRole('button', { name: 'Menu' }).click();
      // Trial clicks wait for what they aim at to stand still: the drawer or dialog has finished moving.
      await page.getByRole('menuitem', { name: 'Alert Policies', exact: true }).click({ trial: true });
      await shot('menu-phone');
      await page.getByRole('menuitem', { name: 'Alert Policies', exact: true }).click();

      const row = page.getByRole('row').filter({ hasText: ALARM_NAME });
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit Alarm' });
      await edit
        .getByRole('region', { name: 'Preview' })
        .getByRole('img', { name: /^JVM_FullGC/ })
        .waitFor();
      await edit.getByRole('button', { name: 'Cancel' }).click({ trial: true });
      expect(await horizontalOverflow(), 'Edit Alarm').toBe(0);
      await shot('edit-alarm-phone');
      await edit.getByRole('region', { name: 'Preview' }).scrollIntoViewIfNeeded();
      await shot('edit-alarm-preview-phone');
      await edit.getByRole('button', { name: 'Cancel' }).click();
      await edit.waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('menuitem', { name: 'Alert Event History', exact: true }).click();
      await page
        .getByRole('row')
        .filter({ hasText: `host=${DOUBLED[1]}` })
        .getByRole('button', { name: 'Details' })
        .click();
      const details = page.getByRole('dialog', { name: `Alert event: ${ALARM_NAME}` });
      await details.getByRole('img', { name: /JVM_FullGC/ }).waitFor();
      await details.getByRole('button', { name: 'Close' }).click({ trial: true });
      expect(await horizontalOverflow(), 'event details').toBe(0);
      await shot('alert-event-details-phone');
    }, 180_000);
  },
);
