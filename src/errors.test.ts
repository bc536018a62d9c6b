// The error catalogue and its documentation stay in step: every code in ERROR_CODES has its section in
// docs/errors.md, with the right status, and the body AppError builds is the one DESIGN.md §4 fixes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, invalidRequest, type ErrorCode } from './errors.js';

const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

/** The text of one `## code` section, up to the next heading of the same level. */
function section(code: string): string | undefined {
  const start = docs.indexOf(`\n## ${code}\n`);
  if (start < 0) return undefined;
  const end = docs.indexOf('\n## ', start + 1);
  return docs.slice(start, end < 0 ? undefined : end);
}

describe('docs/errors.md', () => {
  it.each(codes)('has a "## %s" section', (code) => {
    expect(section(code)).toBeDefined();
  });

  it.each(codes)('gives the catalogued status for %s', (code) => {
    expect(section(code)).toContain(`**Status:** ${ERROR_CODES[code]}`);
  });

  it.each(codes)('says when %s happens, how to fix it, and shows an example body with that code', (code) => {
    const text = section(code) ?? '';
    expect(text).toContain('**When:**');
    expect(text).toContain('**How to fix:**');
    expect(text).toContain(`"code": "${code}"`);
  });

  it('documents no code the catalogue does not have', () => {
    const documented = [...docs.matchAll(/^## (\S+)$/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });
});

describe('AppError', () => {
  it('takes its status from the catalogue', () => {
    expect(new AppError('name_taken', 'taken').status).toBe(409);
  });

  it('builds the catalogued body, with extra details beside the fields', () => {
    const error = new AppError('in_use', 'still used', [], { details: { referencedBy: [] } });
    expect(error.toBody()).toEqual({
      error: { code: 'in_use', message: 'still used', fields: [], referencedBy: [] },
    });
  });

  it('summarises every field problem in the message of invalidRequest', () => {
    const error = invalidRequest([
      { field: 'name', reason: 'is required' },
      { field: '', reason: 'expected object' },
    ]);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe('invalid request: name: is required; expected object');
  });
});
