// Issue 6's bar: the seed's flow through the web console in Debian's Chromium — sign in with a token,
// create the DingTalk robot contact and test it against the sandbox, create the contact group, create the
// seed's application alarm in the Create Alarm dialog, edit it — selecting by role and label as a user
// would, with screenshots of each page in test-output/console/ (1280×800, and the policies on a phone).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONSOLE_DIR } from '../../src/api/console/routes.js';
import { startSandbox, type RunningSandbox } from '../../src/dingtalk-sandbox/index.js';
import { SEED_CONDITION, SEED_SECRET } from '../seed-fixtures.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SHOTS = join(import.meta.dirname, '../../test-output/console');
const ROBOT = 'consolerobot0123456789';
const KEYWORD = '告警';
const ALARM_NAME = 'alert on JVM-GC times in period-over-period comparison';

let sandbox: RunningSandbox;
let service: TestService;
let browser: Browser;
let page: Page;

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
      sandbox = await startSandbox({
        port: 0,
        robots: [{ token: ROBOT, secret: SEED_SECRET, keywords: [KEYWORD] }],
      });
      service = await startTestService('sqlite', {
        TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin,
      });
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
      page.setDefaultTimeout(10_000);
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

    it("performs the seed's flow: contact with its Test, contact group, the application alarm, its edit", async () => {
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
      await contactDialog.getByLabel('Signing secret').fill(SEED_SECRET);
      await contactDialog.getByLabel('Keywords').fill(KEYWORD);
      await contactDialog.getByLabel('@ mobiles').fill('13800000000');
      await contactDialog.getByLabel('E-mail').fill('not-an-address');
      await contactDialog.getByRole('button', { name: 'OK' }).click();
      await expect.poll(() => formItem('E-mail').textContent()).toContain('must be an e-mail address');
      expect(await contactDialog.getByLabel('DingTalk webhook URL').inputValue()).toBe(
        sandbox.webhookUrl(ROBOT),
      );
      expect(await contactDialog.getByLabel('Signing secret').inputValue()).toBe(SEED_SECRET);
      expect(await contactDialog.getByLabel('E-mail').inputValue()).toBe('not-an-address');
      await shot('contact-dialog-validation-error');
      await contactDialog.getByLabel('E-mail').fill('ops@example.com');
      await contactDialog.getByRole('button', { name: 'OK' }).click();
      await contactDialog.waitFor({ state: 'hidden' });
      await page.getByRole('cell', { name: 'ops-robot', exact: true }).waitFor();
      const contact = (await service.api('GET', '/api/v1/contacts?q=ops-robot')).body.items[0];
      expect(contact.dingtalk).toMatchObject({ keywords: [KEYWORD], atMobiles: ['13800000000'] });
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
      await shot('create-alarm-dialog');
      await alarm.getByRole('button', { name: 'Save' }).click();
      await alarm.waitFor({ state: 'hidden' });
      await page.getByRole('cell', { name: ALARM_NAME }).waitFor();
      const created = await policyNamed(ALARM_NAME);
      expect(created).toMatchObject({
        kind: 'application',
        target: 'order-service',
        metricType: 'JVM_Monitoring',
        dimension: { mode: 'traverse', key: 'host' },
        rules: { match: 'all', conditions: [SEED_CONDITION] },
        severity: 'P2',
        notification: { channels: ['dingtalk'], contactGroupIds: [group.id] },
        enabled: true,
      });
      await shot('alert-policies');

      // Edit in the Actions column: the threshold becomes 150, nothing else changes.
      const row = page.getByRole('row').filter({ hasText: ALARM_NAME });
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit Alarm' });
      expect(await edit.getByLabel('Threshold 1').inputValue()).toBe('100');
      await edit.getByLabel('Threshold 1').fill('150');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden' });
      await expect.poll(async () => (await policyNamed(ALARM_NAME)).rules.conditions[0].threshold).toBe(150);
      const edited = await policyNamed(ALARM_NAME);
      expect({ ...edited, rules: created.rules, updatedAt: created.updatedAt }).toEqual(created);
      expect(edited.rules.conditions).toEqual([{ ...SEED_CONDITION, threshold: 150 }]);

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

      // Every other page, at 1280×800.
      for (const [item, heading, name] of [
        ['Alert Event History', 'Alert Event History', 'alert-events'],
        ['Alert Sending History', 'Alert Sending History', 'sending-history'],
        ['Data sources', 'Data sources', 'datasources'],
        ['Metrics', 'Metrics', 'metrics'],
      ] as const) {
        await page.getByRole('menuitem', { name: item, exact: true }).click();
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.waitForLoadState('networkidle');
        await shot(name);
      }

      // A phone: the policies page at 390×844, the menu behind a button.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${service.url}/alerts/policies`);
      await page.getByRole('cell', { name: ALARM_NAME }).waitFor();
      await shot('alert-policies-phone');
      await page.getByRole('button', { name: /Menu/ }).click();
      await page.getByRole('menuitem', { name: 'Contacts' }).click();
      await page.getByRole('heading', { name: 'Contacts' }).waitFor();
      await shot('contacts-phone');
    }, 60_000);
  },
);
