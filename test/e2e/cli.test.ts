// The `tocsin` resource commands, `export` and `apply`, driven in-process through `run(argv, io)` against
// the real service over HTTP: the seed's flow, idempotent apply, dry runs, round trips, errors and exit codes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d';
const SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';
const POLICY_NAME = 'JVM FullGC doubled vs previous hour';

const POLICY_YAML = `
name: ${POLICY_NAME}
kind: application
target: order-service
metricType: JVM_Monitoring
dimension: { mode: traverse, key: host }
rules:
  match: all
  conditions:
    - metric: JVM_FullGC
      windowMinutes: 5
      aggregation: avg
      comparator: increase_pct
      baseline: hour_ago
      threshold: 100
severity: P2
notification:
  channels: [dingtalk]
  contactGroups: [ops]
`;

/** The seed's configuration, hand-written: defaults left out, clear secrets, references by name. */
const SEED_DOCUMENT = `
contacts:
  - name: ops-robot
    dingtalk:
      webhook: ${WEBHOOK}
      secret: ${SECRET}
      keywords: [alert]
      atMobiles: ["13800000000"]
  - name: ops-mail
    email: ops@example.com
datasources:
  - name: prom
    url: http://prometheus.internal:9090/
    bearerToken: prom-token-0123456789
contactGroups:
  - name: ops
    contacts: [ops-robot, ops-mail]
alertPolicies:
  - ${POLICY_YAML.trim().replace(/\n/g, '\n    ')}
  - name: targets down
    kind: prometheus
    datasource: prom
    expr: |
      up == 0
    rules:
      conditions: [{ windowMinutes: 1, comparator: eq, threshold: 0 }]
    notification: { channels: [dingtalk, email], contactGroups: [ops] }
`;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the tocsin CLI against a running service', () => {
  let service: TestService;
  let dir: string;

  beforeEach(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'tocsin-cli-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await service.stop();
  });

  async function cli(
    argv: readonly string[],
    options: { env?: Record<string, string>; stdin?: string } = {},
  ) {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      env: { TOCSIN_URL: service.url, TOCSIN_TOKEN: ADMIN_TOKEN, ...options.env },
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.resolve(options.stdin ?? ''),
    });
    return { code, stdout, stderr } satisfies CliResult;
  }

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  async function names(collection: string): Promise<string[]> {
    const list = await service.api('GET', `/api/v1/${collection}`);
    return list.body.items.map((item: { name: string }) => item.name).sort();
  }

  it('walks the seed’s flow: robot contact from flags, group by contact name, policy from YAML, then edits', async () => {
    const contact = await cli([
      'contacts',
      'create',
      '--name',
      'ops-robot',
      '--dingtalk-webhook',
      WEBHOOK,
      '--dingtalk-secret',
      SECRET,
      '--keyword',
      'alert',
      '--at-mobile',
      '13800000000',
    ]);
    expect(contact).toMatchObject({ code: 0, stderr: '' });
    expect(contact.stdout).toMatch(/^created contact ops-robot \(id [0-9a-z]+\)\n$/);

    expect(await cli(['groups', 'create', '--name', 'ops', '--contact', 'ops-robot'])).toMatchObject({
      code: 0,
    });
    const policy = await cli(['policies', 'create', '-f', file('policy.yaml', POLICY_YAML)]);
    expect(policy).toMatchObject({ code: 0, stderr: '' });
    expect(policy.stdout).toContain(`created alert policy "${POLICY_NAME}"`);

    // Edit by name: the file's fields replace the current ones; the rest stays.
    const edit = file(
      'edit.yaml',
      'rules:\n  match: any\n  conditions:\n    - { metric: JVM_FullGC, windowMinutes: 5, comparator: increase_pct, baseline: hour_ago, threshold: 150 }\n',
    );
    expect(await cli(['policies', 'update', POLICY_NAME, '-f', edit])).toMatchObject({ code: 0 });
    const shown = await cli(['policies', 'get', POLICY_NAME, '-o', 'json']);
    const stored = JSON.parse(shown.stdout);
    expect(stored).toMatchObject({
      severity: 'P2',
      target: 'order-service',
      rules: { match: 'any', conditions: [{ threshold: 150 }] },
      notification: { silenceMinutes: 1440, effective: { timeZone: 'Asia/Shanghai' } },
    });

    // Flags merge into the fetched contact; its masked secrets go back and keep the stored ones.
    expect(await cli(['contacts', 'update', 'ops-robot', '--email', 'ops@example.com'])).toMatchObject({
      code: 0,
    });
    const saved = await service.server.store.contacts.get(contact.stdout.match(/id (\w+)/)![1]!);
    expect(saved).toMatchObject({
      email: 'ops@example.com',
      dingtalk: { webhook: WEBHOOK, secret: SECRET, keywords: ['alert'] },
    });

    const yaml = await cli(['contacts', 'get', 'ops-robot']);
    expect(yaml.stdout).toContain('secret: SEC…a54c');
    expect(yaml.stdout).toContain('access_token=…9c0d');
    expect(yaml.stdout).not.toContain('1a2b3c4d5e6f7a8b9c0d');

    const table = await cli(['policies', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+TARGET\s+SEVERITY\s+ENABLED\s+ID$/);
    expect(table.stdout).toMatch(new RegExp(`${POLICY_NAME}\\s+application\\s+order-service\\s+P2\\s+true`));
    expect(await cli(['policies', 'disable', POLICY_NAME])).toMatchObject({
      code: 0,
      stdout: `disabled alert policy "${POLICY_NAME}"\n`,
    });
    expect((await service.api('GET', `/api/v1/alert-policies/${stored.id}`)).body.enabled).toBe(false);
    expect(await cli(['policies', 'enable', stored.id])).toMatchObject({ code: 0 });

    expect(await cli(['groups', 'delete', 'ops'])).toMatchObject({ code: 1 });
    expect(await cli(['policies', 'delete', POLICY_NAME])).toMatchObject({ code: 0 });
    expect(await cli(['groups', 'delete', 'ops'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^deleted contact group ops/),
    });
  });

  it('applies a hand-written document in dependency order, and a second apply reports every object unchanged', async () => {
    const path = file('seed.yaml', SEED_DOCUMENT);
    const first = await cli(['apply', '-f', path]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      [
        '+ datasource prom',
        '+ contact ops-robot',
        '+ contact ops-mail',
        '+ contact-group ops',
        `+ alert-policy "${POLICY_NAME}"`,
        '+ alert-policy "targets down"',
        'applied: 6 created, 0 updated, 0 unchanged',
        '',
      ].join('\n'),
    );
    const robot = (await service.api('GET', '/api/v1/contacts?q=ops-robot')).body.items[0];
    expect((await service.server.store.contacts.get(robot.id))?.dingtalk?.secret).toBe(SECRET);

    const second = await cli(['apply', '-f', path]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('= contact-group ops (unchanged)\n');
    expect(second.stdout).toContain('applied: 0 created, 0 updated, 6 unchanged\n');
  });

  it('prints the plan for --dry-run and changes nothing, then applies the same change for real', async () => {
    const path = file('seed.yaml', SEED_DOCUMENT);
    const dry = await cli(['apply', '--dry-run', '-f', path]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ contact ops-robot\n');
    expect(dry.stdout).toContain(
      'dry run: would create 6, update 0, leave 0 unchanged; nothing was changed\n',
    );
    expect(await names('contacts')).toEqual([]);
    expect(await names('datasources')).toEqual([]);

    await cli(['apply', '-f', path]);
    const changed = file('changed.yaml', SEED_DOCUMENT.replace('threshold: 100', 'threshold: 150'));
    const line = `~ alert-policy "${POLICY_NAME}": rules.conditions[0].threshold: 100 → 150\n`;
    const plan = await cli(['apply', '-f', changed, '--dry-run']);
    expect(plan.stdout).toContain(line);
    const policy = (await service.api('GET', '/api/v1/alert-policies?q=JVM')).body.items[0];
    expect(policy.rules.conditions[0].threshold).toBe(100);

    const real = await cli(['apply', '-f', changed]);
    expect(real.stdout).toContain(line);
    expect(real.stdout).toContain('applied: 0 created, 1 updated, 5 unchanged\n');
    expect(
      (await service.api('GET', `/api/v1/alert-policies/${policy.id}`)).body.rules.conditions[0].threshold,
    ).toBe(150);
  });

  it('exports references by name with masked secrets, and applying the export reports everything unchanged', async () => {
    await cli(['apply', '-f', file('seed.yaml', SEED_DOCUMENT)]);
    const source = JSON.parse((await cli(['datasources', 'get', 'prom', '-o', 'json'])).stdout);
    expect(source).toMatchObject({ url: 'http://prometheus.internal:9090', bearerToken: '…6789' });
    const exported = await cli(['export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('contacts: [ops-robot, ops-mail]');
    expect(exported.stdout).toContain('secret: SEC…a54c');
    expect(exported.stdout).not.toMatch(/\bid:|createdAt|updatedAt|contactIds|contactGroupIds|datasourceId/);
    expect(exported.stdout).not.toContain(SECRET);
    expect(exported.stdout).not.toContain('prom-token-0123456789');

    const yamlRoundTrip = await cli(['apply', '-f', file('export.yaml', exported.stdout)]);
    expect(yamlRoundTrip.stdout).toContain('applied: 0 created, 0 updated, 6 unchanged\n');

    const json = await cli(['export', '--format', 'json', '-o', join(dir, 'export.json')]);
    expect(json).toMatchObject({ code: 0, stdout: `exported 6 objects to ${join(dir, 'export.json')}\n` });
    const fromStdin = await cli(['apply', '-f', '-'], {
      stdin: readFileSync(join(dir, 'export.json'), 'utf8'),
    });
    expect(fromStdin).toMatchObject({ code: 0, stderr: '' });
    expect(fromStdin.stdout).toContain('applied: 0 created, 0 updated, 6 unchanged\n');
  });

  it('exits 1 with the error code and every field at fault when the API refuses, without a stack trace', async () => {
    const bad = file(
      'bad-policy.yaml',
      POLICY_YAML.replace('windowMinutes: 5', 'windowMinutes: 5000')
        .replace('contactGroups: [ops]', 'contactGroupIds: [nope]')
        .replace('severity: P2', 'severity: P9'),
    );
    const refused = await cli(['policies', 'create', '-f', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^tocsin: invalid_request: /);
    expect(refused.stderr).toContain('\n  rules.conditions[0].windowMinutes: must be at most 1440 minutes');
    expect(refused.stderr).toContain('\n  severity: ');
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    expect(await cli(['contacts', 'create', '--name', 'x', '--email', 'ops@example.com'])).toMatchObject({
      code: 0,
    });
    const taken = await cli(['contacts', 'create', '--name', 'x', '--email', 'ops@example.com']);
    expect(taken).toMatchObject({ code: 1 });
    expect(taken.stderr).toContain('name_taken');
    expect(taken.stderr).toContain('\n  name: already taken');

    const missing = await cli(['groups', 'get', 'nobody']);
    expect(missing).toMatchObject({ code: 1, stderr: 'tocsin: no contact group named or with id nobody\n' });

    const masked = await cli([
      'apply',
      '-f',
      file(
        'masked.yaml',
        'contacts:\n  - name: new-robot\n    dingtalk: { webhook: "https://oapi.dingtalk.com/robot/send?access_token=…9c0d" }\n',
      ),
    ]);
    expect(masked.code).toBe(1);
    expect(masked.stderr).toContain('contact new-robot could not be created');
    expect(masked.stderr).toContain('  dingtalk.webhook: is a masked value');

    const unauthorized = await cli(['contacts', 'list'], { env: { TOCSIN_TOKEN: 'not-a-real-token' } });
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toContain('unauthorized');
  });

  it('refuses a bad document before changing anything: unreadable, not YAML, unknown key, dangling reference', async () => {
    const unreadable = await cli(['apply', '-f', join(dir, 'missing.yaml')]);
    expect(unreadable).toMatchObject({
      code: 1,
      stderr: `tocsin: cannot read ${join(dir, 'missing.yaml')}: no such file\n`,
    });

    const notYaml = await cli(['apply', '-f', file('broken.yaml', 'contacts: [\n')]);
    expect(notYaml.code).toBe(1);
    expect(notYaml.stderr).toMatch(/is not valid YAML: .*line 2/);

    const unknownKey = await cli(['apply', '-f', file('unknown.yaml', 'policies: []\n')]);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('unknown top-level key "policies"');

    const dangling = await cli([
      'apply',
      '-f',
      file(
        'dangling.yaml',
        'contacts: [{ name: a, email: a@example.com }]\ncontactGroups: [{ name: g, contacts: [a, ghost] }]\n',
      ),
    ]);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain('nothing was changed');
    expect(dangling.stderr).toContain(
      'contact-group g: contacts[1]: no contact named ghost in the file or on the server',
    );
    expect(await names('contacts')).toEqual([]);
  });

  it('exits 2 for usage and configuration errors', async () => {
    const unknownOption = await cli(['contacts', 'list', '--bogus']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--bogus'");
    expect((await cli(['contacts', 'get'])).code).toBe(2);
    expect((await cli(['contacts', 'list', '-o', 'xml'])).code).toBe(2);
    expect((await cli(['contacts', 'create'])).code).toBe(2);
    expect((await cli(['contacts', 'update', 'x'])).code).toBe(2);
    const badUrl = await cli(['contacts', 'list'], { env: { TOCSIN_URL: 'not a url' } });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('TOCSIN_URL');
    expect((await cli(['--help'])).code).toBe(0);
  });

  it('names the URL and `tocsin serve` when nothing listens there', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const url = `http://127.0.0.1:${closedPort}`;
    const refused = await cli(['--url', url, 'contacts', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot connect to the Tocsin API at ${url} (connection refused)`);
    expect(refused.stderr).toContain('is `tocsin serve` running?');
  });

  it('creates a token shown once, whose role limits what it may do, and deletes it by name', async () => {
    const created = await cli(['tokens', 'create', '--name', 'ci', '--role', 'viewer']);
    expect(created.code).toBe(0);
    const token = /\n {2}(tcs_\S+)\n/.exec(created.stdout)![1]!;
    expect((await cli(['tokens', 'list'])).stdout).toMatch(/ci\s+viewer/);

    expect(await cli(['contacts', 'list', '--token', token])).toMatchObject({ code: 0 });
    const forbidden = await cli([
      '--token',
      token,
      'contacts',
      'create',
      '--name',
      'm',
      '--email',
      'm@example.com',
    ]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('forbidden');

    expect(await cli(['tokens', 'delete', 'ci'])).toMatchObject({ code: 0 });
    expect((await cli(['contacts', 'list', '--token', token])).code).toBe(1);
    expect((await cli(['tokens', 'create', '--name', 'x', '--role', 'root'])).code).toBe(2);
  });
});
