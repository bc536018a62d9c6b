// Field problems: zod issues turned into the paths users write (`rules.conditions[0].metric`), every
// problem at once, plus the NUL check that keeps text storable on PostgreSQL.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatFieldPath, nulProblems, problemsFromZodIssues, validate } from './field-problem.js';

describe('formatFieldPath', () => {
  it('joins keys with dots and puts indexes in brackets', () => {
    expect(formatFieldPath(['rules', 'conditions', 0, 'windowMinutes'])).toBe(
      'rules.conditions[0].windowMinutes',
    );
  });

  it('starts with a bracket when the path starts with an index', () => {
    expect(formatFieldPath([2, 'name'])).toBe('[2].name');
  });

  it('gives the empty string for the whole input', () => {
    expect(formatFieldPath([])).toBe('');
  });
});

describe('problemsFromZodIssues', () => {
  const schema = z.strictObject({
    name: z.string().min(1, 'must not be empty'),
    tags: z.array(z.string()),
    nested: z.strictObject({ n: z.number() }).optional(),
    headers: z.record(z.string().regex(/^[a-z]+$/, 'must be lower-case letters'), z.string()).optional(),
    either: z.union([z.strictObject({ a: z.number() }), z.strictObject({ b: z.string() })]).optional(),
  });
  const problems = (input: unknown) => {
    const result = schema.safeParse(input);
    return result.success ? [] : problemsFromZodIssues(result.error.issues);
  };

  it('reports every problem at once with its path', () => {
    expect(problems({ name: '', tags: ['a', 1] })).toEqual([
      { field: 'name', reason: 'must not be empty' },
      { field: 'tags[1]', reason: expect.any(String) },
    ]);
  });

  it('reports each unknown key on its own path', () => {
    expect(problems({ name: 'x', tags: [], colour: 1, nested: { n: 1, extra: 2 } })).toEqual([
      { field: 'nested.extra', reason: 'unknown field' },
      { field: 'colour', reason: 'unknown field' },
    ]);
  });

  it('says why a record key is refused instead of "Invalid key in record"', () => {
    expect(problems({ name: 'x', tags: [], headers: { Bad: 'v' } })).toEqual([
      { field: 'headers.Bad', reason: 'must be lower-case letters' },
    ]);
  });

  it('reports the union branch that got furthest instead of a bare "invalid input"', () => {
    expect(problems({ name: 'x', tags: [], either: { a: 'one' } })).toEqual([
      { field: 'either.a', reason: expect.stringContaining('expected number') },
    ]);
  });
});

describe('validate', () => {
  const schema = z.strictObject({ name: z.string(), size: z.number().optional() });

  it('returns the parsed value when the input is valid', () => {
    expect(validate(schema, { name: 'x' })).toEqual({ ok: true, value: { name: 'x' } });
  });

  it('says a missing field is required, rather than "expected string, received undefined"', () => {
    expect(validate(schema, {})).toEqual({ ok: false, problems: [{ field: 'name', reason: 'is required' }] });
  });

  it("keeps zod's wording for a value of the wrong type", () => {
    expect(validate(schema, { name: 1 })).toEqual({
      ok: false,
      problems: [{ field: 'name', reason: 'Invalid input: expected string, received number' }],
    });
  });

  it('refuses a NUL character even where the schema would accept the string', () => {
    expect(validate(schema, { name: 'a\u0000b' })).toEqual({
      ok: false,
      problems: [{ field: 'name', reason: expect.stringContaining('NUL') }],
    });
  });

  it('reports NUL problems together with the schema problems', () => {
    const result = validate(schema, { name: 'a\u0000', size: 'big' });
    expect(result.ok ? [] : result.problems.map((problem) => problem.field).sort()).toEqual(['name', 'size']);
  });
});

describe('nulProblems', () => {
  it('finds NUL in values and keys at any depth, with their paths', () => {
    expect(nulProblems({ a: ['ok', 'b\u0000'], c: { 'd\u0000': 'x' } }).map((p) => p.field)).toEqual([
      'a[1]',
      'c.d\u0000',
    ]);
  });

  it('names the whole input with the empty path', () => {
    expect(nulProblems('\u0000')).toEqual([{ field: '', reason: expect.any(String) }]);
  });

  it('finds nothing in clean input, numbers, booleans and null', () => {
    expect(nulProblems({ a: 1, b: true, c: null, d: ['x'], e: 'no nul here' })).toEqual([]);
  });

  it('walks input nested 100000 deep without overflowing the stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const [problem] = nulProblems(deep);
    expect(problem?.field).toBe('[0]'.repeat(100_000));
  });

  it('stops after ten problems', () => {
    expect(nulProblems(Array.from({ length: 50 }, () => '\u0000'))).toHaveLength(10);
  });
});
