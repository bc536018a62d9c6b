// The effective window: days and hours in the policy's zone, overnight windows belonging to the day they
// start, 24:00, daylight-saving gaps and repeats, and when a closed window opens next.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EffectiveWindow } from './alert-policy.js';
import { isInsideEffectiveWindow, nextEffectiveWindowOpening } from './effective-window.js';

const at = (iso: string) => Date.parse(iso);
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

function window(patch: Partial<EffectiveWindow> = {}): EffectiveWindow {
  return { days: ALL_DAYS, from: '00:00', to: '24:00', timeZone: 'Asia/Shanghai', ...patch };
}

describe('isInsideEffectiveWindow', () => {
  it('is always open with the default window (every day, 00:00–24:00)', () => {
    expect(isInsideEffectiveWindow(window(), at('2025-01-05T15:59:59Z'))).toBe(true);
    expect(isInsideEffectiveWindow(window(), at('2025-01-05T16:00:00Z'))).toBe(true);
  });

  it('reads the hours in the policy time zone, from inclusive and to exclusive', () => {
    const office = window({ from: '09:00', to: '18:00' }); // Shanghai is UTC+8
    expect(isInsideEffectiveWindow(office, at('2025-01-06T00:59:00Z'))).toBe(false);
    expect(isInsideEffectiveWindow(office, at('2025-01-06T01:00:00Z'))).toBe(true);
    expect(isInsideEffectiveWindow(office, at('2025-01-06T09:59:59Z'))).toBe(true);
    expect(isInsideEffectiveWindow(office, at('2025-01-06T10:00:00Z'))).toBe(false);
  });

  it('reads the weekday in the policy time zone, Monday first', () => {
    const weekdays = window({ days: [1, 2, 3, 4, 5] });
    // Sunday 2025-01-05 20:00 UTC is Monday 04:00 in Shanghai.
    expect(isInsideEffectiveWindow(weekdays, at('2025-01-05T20:00:00Z'))).toBe(true);
    // Friday 2025-01-10 16:00 UTC is Saturday 00:00 in Shanghai.
    expect(isInsideEffectiveWindow(weekdays, at('2025-01-10T16:00:00Z'))).toBe(false);
    const sunday = window({ days: [7], timeZone: 'UTC' });
    expect(isInsideEffectiveWindow(sunday, at('2025-01-05T12:00:00Z'))).toBe(true);
    expect(isInsideEffectiveWindow(sunday, at('2025-01-06T12:00:00Z'))).toBe(false);
  });

  it('runs an overnight window (from later than to) into the next day, as part of the day it starts on', () => {
    const mondayNight = window({ days: [1], from: '22:00', to: '06:00', timeZone: 'UTC' });
    expect(isInsideEffectiveWindow(mondayNight, at('2025-01-06T21:59:00Z'))).toBe(false); // Monday
    expect(isInsideEffectiveWindow(mondayNight, at('2025-01-06T22:00:00Z'))).toBe(true);
    expect(isInsideEffectiveWindow(mondayNight, at('2025-01-07T05:59:00Z'))).toBe(true); // Tuesday
    expect(isInsideEffectiveWindow(mondayNight, at('2025-01-07T06:00:00Z'))).toBe(false);
    // Monday early morning belongs to Sunday's night, which is not listed.
    expect(isInsideEffectiveWindow(mondayNight, at('2025-01-06T03:00:00Z'))).toBe(false);
    // Sunday's night belongs to Sunday, which ends Monday 06:00.
    const sundayNight = window({ days: [7], from: '22:00', to: '06:00', timeZone: 'UTC' });
    expect(isInsideEffectiveWindow(sundayNight, at('2025-01-06T03:00:00Z'))).toBe(true);
  });

  it('follows daylight saving: 09:00 New York is 14:00 UTC in winter and 13:00 UTC in summer', () => {
    const office = window({ from: '09:00', to: '17:00', timeZone: 'America/New_York' });
    expect(isInsideEffectiveWindow(office, at('2025-01-06T14:00:00Z'))).toBe(true);
    expect(isInsideEffectiveWindow(office, at('2025-01-06T13:30:00Z'))).toBe(false);
    expect(isInsideEffectiveWindow(office, at('2025-07-07T13:00:00Z'))).toBe(true);
    expect(isInsideEffectiveWindow(office, at('2025-07-07T21:00:00Z'))).toBe(false);
  });
});

describe('nextEffectiveWindowOpening', () => {
  it('answers now when the window is open', () => {
    expect(nextEffectiveWindowOpening(window(), at('2025-01-06T12:34:56Z'))).toBe(at('2025-01-06T12:34:56Z'));
  });

  it('answers today at "from" before it, and the next listed day after "to"', () => {
    const office = window({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', timeZone: 'UTC' });
    expect(nextEffectiveWindowOpening(office, at('2025-01-06T07:15:00Z'))).toBe(at('2025-01-06T09:00:00Z'));
    expect(nextEffectiveWindowOpening(office, at('2025-01-06T18:00:00Z'))).toBe(at('2025-01-07T09:00:00Z'));
    // Friday evening: the next opening is Monday.
    expect(nextEffectiveWindowOpening(office, at('2025-01-10T19:00:00Z'))).toBe(at('2025-01-13T09:00:00Z'));
  });

  it('answers a week later for a single day whose window has just closed', () => {
    const mondays = window({ days: [1], from: '09:00', to: '18:00', timeZone: 'UTC' });
    expect(nextEffectiveWindowOpening(mondays, at('2025-01-06T18:00:00Z'))).toBe(at('2025-01-13T09:00:00Z'));
  });

  it('opens at the end of a spring-forward gap that swallowed "from" (02:30 does not exist on 2025-03-09 in New York)', () => {
    const night = window({ from: '02:30', to: '05:00', timeZone: 'America/New_York' });
    // 01:00 EST on 2025-03-09 is 06:00 UTC; at 02:00 EST the clock jumps to 03:00 EDT (07:00 UTC).
    expect(nextEffectiveWindowOpening(night, at('2025-03-09T06:00:00Z'))).toBe(at('2025-03-09T07:00:00Z'));
  });

  it('opens at the first of two 01:30s when the clock falls back (2025-11-02 in New York)', () => {
    const night = window({ from: '01:30', to: '04:00', timeZone: 'America/New_York' });
    // 01:30 EDT is 05:30 UTC; 01:30 EST an hour later.
    expect(nextEffectiveWindowOpening(night, at('2025-11-02T04:00:00Z'))).toBe(at('2025-11-02T05:30:00Z'));
  });

  it('is open at the instant it answers and closed the minute before (property)', () => {
    const zones = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'];
    const clock = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        clock,
        fc.oneof(clock, fc.constant('24:00')),
        fc.constantFrom(...zones),
        fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2026-12-31T00:00:00Z') }),
        (days, from, to, timeZone, ms) => {
          fc.pre(from !== to);
          const w = window({ days, from, to, timeZone });
          const opening = nextEffectiveWindowOpening(w, ms);
          expect(opening).not.toBeNull();
          expect(opening!).toBeGreaterThanOrEqual(ms);
          expect(opening! - ms).toBeLessThanOrEqual(8 * 86_400_000);
          expect(isInsideEffectiveWindow(w, opening!)).toBe(true);
          if (opening! > ms) {
            expect(isInsideEffectiveWindow(w, Math.max(ms, opening! - 60_000))).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
