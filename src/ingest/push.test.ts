// JSON push bodies: the DESIGN.md §4 example, defaults (kind, target, timestamp, temporality), grouping
// of samples into series, and every validation problem reported with its path.
import { describe, expect, it } from 'vitest';
import { decodePush, MAX_PUSH_SAMPLES } from './push.js';

const NOW = 1_732_406_460_000;

describe('decodePush', () => {
  it('decodes the example of DESIGN.md §4', () => {
    const body = {
      samples: [
        {
          kind: 'application',
          target: 'order-service',
          metric: 'JVM_FullGC',
          labels: { host: '10.0.0.7' },
          value: 3,
          timestamp: 1732406400000,
        },
      ],
    };
    expect(decodePush(body, { nowMs: NOW })).toEqual({
      ok: true,
      value: [
        {
          scope: 'application',
          target: 'order-service',
          metric: 'JVM_FullGC',
          labels: { host: '10.0.0.7' },
          temporality: 'gauge',
          timestampsMs: [1732406400000],
          values: [3],
        },
      ],
    });
  });

  it("defaults kind to custom, target to '', labels to none and the timestamp to now", () => {
    const result = decodePush({ samples: [{ metric: 'orders.paid', value: 1.5 }] }, { nowMs: NOW });
    expect(result).toEqual({
      ok: true,
      value: [
        {
          scope: 'custom',
          target: '',
          metric: 'orders.paid',
          labels: {},
          temporality: 'gauge',
          timestampsMs: [NOW],
          values: [1.5],
        },
      ],
    });
  });

  it('takes the temporality from the sample type, else from defaultTemporality(scope, metric)', () => {
    const calls: string[] = [];
    const result = decodePush(
      {
        samples: [
          { metric: 'a', value: 1, type: 'delta' },
          { kind: 'application', metric: 'JVM_FullGC', value: 1 },
        ],
      },
      {
        nowMs: NOW,
        defaultTemporality: (scope, metric) => {
          calls.push(`${scope}/${metric}`);
          return 'cumulative';
        },
      },
    );
    expect(result.ok && result.value.map((s) => s.temporality)).toEqual(['delta', 'cumulative']);
    expect(calls).toEqual(['application/JVM_FullGC']);
  });

  it('gathers samples of the same series into one, whatever their label order, and keeps other series apart', () => {
    const result = decodePush(
      {
        samples: [
          { target: 'web', metric: 'm', labels: { a: '1', b: '2' }, value: 1, timestamp: 1000 },
          { target: 'web', metric: 'm', labels: { a: '1', b: '3' }, value: 2, timestamp: 1000 },
          { target: 'web', metric: 'm', labels: { b: '2', a: '1' }, value: 3, timestamp: 2000 },
          {
            target: 'web',
            metric: 'm',
            labels: { a: '1', b: '2' },
            value: 4,
            timestamp: 3000,
            type: 'delta',
          },
          { target: 'api', metric: 'm', labels: { a: '1', b: '2' }, value: 5, timestamp: 1000 },
        ],
      },
      { nowMs: NOW },
    );
    expect(result.ok && result.value.map((s) => [s.target, s.labels.b, s.temporality, s.values])).toEqual([
      ['web', '2', 'gauge', [1, 3]],
      ['web', '3', 'gauge', [2]],
      ['web', '2', 'delta', [4]],
      ['api', '2', 'gauge', [5]],
    ]);
  });

  it('reports every bad field with its path', () => {
    const result = decodePush(
      {
        samples: [
          { metric: 'ok', value: 1 },
          { metric: '9lives', value: 'high' },
          { kind: 'prometheus', metric: 'm', value: 1, timestamp: -5, type: 'rate' },
          { metric: 'm', value: 1, labels: { 'bad-name': 'x', __reserved: 'y', long: 'v'.repeat(1025) } },
          { metric: 'm', value: 1, extra: true },
          {
            metric: 'm',
            value: 1,
            labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v'])),
          },
          { value: 1 },
        ],
      },
      { nowMs: NOW },
    );
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'samples[1].metric',
        'samples[1].value',
        'samples[2].kind',
        'samples[2].timestamp',
        'samples[2].type',
        'samples[3].labels.long',
        'samples[4].extra',
        'samples[5].labels',
        'samples[6].metric',
      ]),
    );
    expect(
      fields.some((field) => field.startsWith('samples[3].labels') && field !== 'samples[3].labels.long'),
    ).toBe(true);
    expect(fields.some((field) => field.startsWith('samples[0]'))).toBe(false);
  });

  it('explains a bad label name', () => {
    const result = decodePush(
      { samples: [{ metric: 'm', value: 1, labels: { 'bad-name': 'x' } }] },
      { nowMs: NOW },
    );
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        field: expect.stringContaining('samples[0].labels') as string,
        reason: expect.stringContaining('letters') as string,
      }),
    ]);
  });

  it('refuses a label value holding NUL, a body without samples and a body that is not an object', () => {
    const nul = decodePush(
      { samples: [{ metric: 'm', value: 1, labels: { a: 'x\u0000' } }] },
      { nowMs: NOW },
    );
    expect(nul.ok ? [] : nul.problems.map((p) => p.field)).toEqual(['samples[0].labels.a']);
    const missing = decodePush({}, { nowMs: NOW });
    expect(missing.ok ? [] : missing.problems).toEqual([{ field: 'samples', reason: 'is required' }]);
    expect(decodePush('samples', { nowMs: NOW }).ok).toBe(false);
  });

  it(`accepts ${MAX_PUSH_SAMPLES} samples and refuses one more`, () => {
    const samples = Array.from({ length: MAX_PUSH_SAMPLES }, (_, i) => ({
      metric: 'm',
      labels: { i: String(i % 100) },
      value: i,
    }));
    const accepted = decodePush({ samples }, { nowMs: NOW });
    expect(accepted.ok && accepted.value.length).toBe(100);
    const refused = decodePush({ samples: [...samples, { metric: 'm', value: 0 }] }, { nowMs: NOW });
    expect(refused.ok ? [] : refused.problems.map((p) => p.field)).toEqual(['samples']);
  });

  it('lists at most 100 problems and says how many more there were', () => {
    const samples = Array.from({ length: 300 }, () => ({ metric: '', value: 'x' }));
    const result = decodePush({ samples }, { nowMs: NOW });
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(101);
    expect(problems[100]).toEqual({ field: 'samples', reason: 'and 500 more problems not listed' });
  });
});
