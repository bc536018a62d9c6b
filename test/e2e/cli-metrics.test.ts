// `tocsin metrics push | list | query | catalog` against the real service, in-process through run().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

let service: TestService;

beforeAll(async () => {
  service = await startTestService('sqlite');
}, 60_000);

afterAll(async () => {
  await service?.stop();
});

async function cli(argv: readonly string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    env: { TOCSIN_URL: service.url, TOCSIN_TOKEN: ADMIN_TOKEN },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: () => Promise.resolve(stdin),
  });
  return { code, stdout, stderr };
}

describe('tocsin metrics', () => {
  it('pushes samples, lists the metric, and queries it per dimension value', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    for (const [host, value] of [
      ['10.0.0.7', 3],
      ['10.0.0.8', 1],
    ] as const) {
      const pushed = await cli([
        'metrics',
        'push',
        'JVM_FullGC',
        String(value),
        '--kind',
        'application',
        '--target',
        'order-service',
        '--label',
        `host=${host}`,
        '--timestamp',
        String(minute - 60_000),
      ]);
      expect(pushed, pushed.stderr).toMatchObject({ code: 0, stdout: 'stored 1 point(s)\n' });
    }
    const fromFile = await cli(
      ['metrics', 'push', '-f', '-'],
      JSON.stringify({ samples: [{ metric: 'orders_pending', target: 'order-service', value: 42 }] }),
    );
    expect(fromFile.code, fromFile.stderr).toBe(0);

    const listed = await cli(['metrics', 'list', '--target', 'order-service']);
    expect(listed.stdout).toContain('JVM_FullGC');
    expect(listed.stdout).toContain('orders_pending');

    const query = await cli([
      'metrics',
      'query',
      'JVM_FullGC',
      '--kind',
      'application',
      '--target',
      'order-service',
      '--group-by',
      'host',
      '--window',
      '10m',
      '--aggregation',
      'sum',
      '-o',
      'json',
    ]);
    expect(query.code, query.stderr).toBe(0);
    const answer = JSON.parse(query.stdout) as { groups: { key: string; aggregate: number }[] };
    expect(answer.groups.map((g) => [g.key, g.aggregate]).sort()).toEqual([
      ['10.0.0.7', 3],
      ['10.0.0.8', 1],
    ]);
    const table = await cli([
      'metrics',
      'query',
      'JVM_FullGC',
      '--kind',
      'application',
      '--group-by',
      'host',
    ]);
    expect(table.stdout).toContain('10.0.0.7');
  });

  it('shows the catalog, and refuses bad input with a message and a non-zero exit', async () => {
    const catalog = await cli(['metrics', 'catalog', '--kind', 'application']);
    expect(catalog.stdout).toContain('JVM_FullGC');
    expect(catalog.stdout).toContain('FullGC 次数');
    const notNumber = await cli(['metrics', 'push', 'x', 'many']);
    expect(notNumber.code).not.toBe(0);
    expect(notNumber.stderr).toContain('must be a number');
    const badName = await cli(['metrics', 'push', 'bad metric', '1']);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('samples[0].metric');
    const unknown = await cli(['metrics', 'query', 'No_Such_Metric', '--kind', 'application']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('metric');
  });
});
