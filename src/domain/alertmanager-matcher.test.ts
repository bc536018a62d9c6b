// Alertmanager matchers as Alertmanager 0.25 parses one entry of a route's `matchers`: operators, quoting
// and escapes, anchored regular expressions with RE2's leading flags, missing labels as '', and the
// reasons given for what it refuses.
import { describe, expect, it } from 'vitest';
import { matcherMatches, matchersMatch, parseMatcher, type LabelMatcher } from './alertmanager-matcher.js';

function matcher(text: string): LabelMatcher {
  const parsed = parseMatcher(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed.matcher;
}

function reason(text: string): string {
  const parsed = parseMatcher(text);
  if (parsed.ok) throw new Error(`${text} parsed`);
  return parsed.reason;
}

describe('parseMatcher', () => {
  it('reads the four operators with quoted and bare values, spaces around them allowed', () => {
    expect(matcher('team="ops"')).toMatchObject({ name: 'team', operator: '=', value: 'ops' });
    expect(matcher('  alertname != "Watchdog" ')).toMatchObject({
      name: 'alertname',
      operator: '!=',
      value: 'Watchdog',
    });
    expect(matcher('severity=~"critical|warning"')).toMatchObject({
      operator: '=~',
      value: 'critical|warning',
    });
    expect(matcher('env!~staging.*')).toMatchObject({ operator: '!~', value: 'staging.*' });
    expect(matcher('team=ops')).toMatchObject({ value: 'ops' });
    expect(matcher('team=""')).toMatchObject({ value: '' });
  });

  it('undoes \\" \\\\ and \\n, and keeps other backslashes for regular expressions', () => {
    expect(matcher('msg="say \\"hi\\""').value).toBe('say "hi"');
    expect(matcher('path="C:\\\\temp"').value).toBe('C:\\temp');
    expect(matcher('text="a\\nb"').value).toBe('a\nb');
    expect(matcher('instance=~"10\\.0\\.0\\.\\d+:9100"').value).toBe('10\\.0\\.0\\.\\d+:9100');
  });

  it('refuses what is not one matcher, saying why', () => {
    expect(reason('severity')).toContain('an operator (= != =~ !~)');
    expect(reason('{severity="critical"}')).toContain('a label name');
    expect(reason('1abc="x"')).toContain('a label name');
    expect(reason('team="ops", severity="critical"')).toBe(
      'holds more than one matcher: put each in its own list entry',
    );
    expect(reason('team=ops,severity=critical')).toBe(
      'holds more than one matcher: put each in its own list entry',
    );
    expect(reason('team="ops')).toBe('the value opens a double quote it does not close');
    expect(reason('team="o"ps"')).toContain('unescaped double quote');
    expect(reason('severity=~"(critical"')).toMatch(/^the value is not a valid regular expression: /);
    expect(reason(`team="${'x'.repeat(1000)}"`)).toBe('must be at most 1000 characters');
  });
});

describe('matching labels', () => {
  const labels = { alertname: 'HighLatency', severity: 'critical', team: 'ops', instance: '10.0.0.7:9100' };

  it('anchors regular expressions at both ends, as Alertmanager does', () => {
    expect(matcherMatches(matcher('severity=~"crit"'), labels)).toBe(false);
    expect(matcherMatches(matcher('severity=~"crit.*"'), labels)).toBe(true);
    expect(matcherMatches(matcher('severity=~"critical|warning"'), labels)).toBe(true);
    expect(matcherMatches(matcher('severity!~"critical|warning"'), labels)).toBe(false);
    expect(matcherMatches(matcher('instance=~"10\\.0\\.0\\.\\d+:9100"'), labels)).toBe(true);
  });

  it('takes RE2 flags written at the start, such as (?i)', () => {
    expect(matcherMatches(matcher('severity=~"(?i)CRITICAL"'), labels)).toBe(true);
    expect(matcherMatches(matcher('severity=~"CRITICAL"'), labels)).toBe(false);
  });

  it('reads a missing label as the empty string', () => {
    expect(matcherMatches(matcher('region=""'), labels)).toBe(true);
    expect(matcherMatches(matcher('region!=""'), labels)).toBe(false);
    expect(matcherMatches(matcher('region=~".*"'), labels)).toBe(true);
    expect(matcherMatches(matcher('team!=""'), labels)).toBe(true);
  });

  it('needs every matcher, and matches everything without any', () => {
    expect(matchersMatch([matcher('team="ops"'), matcher('alertname!="Watchdog"')], labels)).toBe(true);
    expect(matchersMatch([matcher('team="ops"'), matcher('alertname="Watchdog"')], labels)).toBe(false);
    expect(matchersMatch([], labels)).toBe(true);
  });

  it('does not read a label from the object prototype', () => {
    expect(matcherMatches(matcher('constructor=""'), labels)).toBe(true);
  });
});
