// The README's curl walk-through, run as written against a real service, so the docs cannot rot.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

const run = promisify(execFile);

function walkThrough(): string {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const block = /```sh\n(API=http[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no curl walk-through starting with API=http');
  return block;
}

describe('the README walk-through', () => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService('sqlite');
  });
  afterEach(async () => {
    await service.stop();
  });

  it('creates the contact, group and policy and edits the policy exactly as written', async () => {
    const script = walkThrough().replace('http://127.0.0.1:9700', service.url);
    await run('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...process.env, TOCSIN_TOKEN: ADMIN_TOKEN },
    });
    const policies = await service.api('GET', '/api/v1/alert-policies');
    expect(policies.body.items).toHaveLength(1);
    expect(policies.body.items[0]).toMatchObject({
      name: 'JVM FullGC doubled vs previous hour',
      enabled: true,
      rules: { conditions: [{ threshold: 150, baseline: 'hour_ago' }] },
    });
    const groups = await service.api('GET', '/api/v1/contact-groups');
    expect(policies.body.items[0].notification.contactGroupIds).toEqual([groups.body.items[0].id]);
  });
});
