// A policy's effective window — days of the week (1 = Monday … 7 = Sunday) and a from–to time of day in
// its time zone — decides whether it may notify at an instant, and when it next may. Pure: the zone's
// rules (daylight saving included) come from Intl, never from the machine's own zone.
import type { EffectiveWindow } from './alert-policy.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** A wall-clock reading in one time zone. */
interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 1 = Monday … 7 = Sunday, as in the policy grammar. */
  readonly weekday: number;
  /** 0 … 1439. */
  readonly minuteOfDay: number;
  readonly second: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// Making a DateTimeFormat costs far more than using one; a policy's zone is asked every evaluation.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

/** "HH:MM" (or "24:00") as minutes since midnight. */
function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** How far the zone's wall clock is ahead of UTC at `ms`, in milliseconds. */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const wall = wallClock(ms, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, 0, wall.minuteOfDay, wall.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * Whether a policy may notify at `ms`. `from` is inclusive, `to` exclusive, `24:00` is the end of the
 * day. When `from` is later than `to` the window runs overnight and belongs to the day it starts on:
 * days [1] from 22:00 to 06:00 is open from Monday 22:00 to Tuesday 06:00.
 * @example isInsideEffectiveWindow({ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', timeZone: 'Asia/Shanghai' }, Date.parse('2025-01-06T02:00:00Z')) // true: Monday 10:00 in Shanghai
 */
export function isInsideEffectiveWindow(window: EffectiveWindow, ms: number): boolean {
  const { weekday, minuteOfDay } = wallClock(ms, window.timeZone);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from < to) return window.days.includes(weekday) && minuteOfDay >= from && minuteOfDay < to;
  if (minuteOfDay >= from) return window.days.includes(weekday);
  if (minuteOfDay < to) return window.days.includes(weekday === 1 ? 7 : weekday - 1);
  return false;
}

/** The instants whose wall-clock reading is `minuteOfDay` on the given date: two in a fall-back hour. */
function instantsAt(year: number, month: number, day: number, minuteOfDay: number, zone: string): number[] {
  const asUtc = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  // The offsets in force half a day either side cover both sides of any transition on that date.
  const offsets = new Set([
    zoneOffsetMs(asUtc - DAY_MINUTES * 30_000, zone),
    zoneOffsetMs(asUtc + DAY_MINUTES * 30_000, zone),
  ]);
  return [...offsets].map((offset) => asUtc - offset).sort((a, b) => a - b);
}

/** The first instant from `startMs` on (minute by minute, for at most `limitMinutes`) that is inside. */
function firstInside(window: EffectiveWindow, startMs: number, limitMinutes: number): number | null {
  for (let i = 0; i <= limitMinutes; i++) {
    const ms = startMs + i * MINUTE_MS;
    if (isInsideEffectiveWindow(window, ms)) return ms;
  }
  return null;
}

/**
 * When the window is next open: `ms` itself when it is open now, else the instant it opens — `from` on
 * the next listed day, or the end of a daylight-saving gap that swallowed `from` — or null when it never
 * opens (no days listed).
 * @example nextEffectiveWindowOpening({ days: [1], from: '09:00', to: '18:00', timeZone: 'UTC' }, Date.parse('2025-01-06T18:00:00Z')) // Date.parse('2025-01-13T09:00:00Z')
 */
export function nextEffectiveWindowOpening(window: EffectiveWindow, ms: number): number | null {
  if (isInsideEffectiveWindow(window, ms)) return ms;
  if (window.days.length === 0) return null;
  const from = minutesOf(window.from);
  const today = wallClock(ms, window.timeZone);
  // Eight days: today's opening may have passed, and the next one is at most a week later.
  for (let offset = 0; offset <= 8; offset++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
    if (!window.days.includes(weekday)) continue;
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    for (const instant of instantsAt(year, month, day, from, window.timeZone)) {
      if (instant + 3 * 60 * MINUTE_MS <= ms) continue;
      // A gap (spring forward) moves the wall clock past `from`: the window opens where the gap ends.
      const opening = firstInside(window, Math.max(instant, ms - (ms % MINUTE_MS) + MINUTE_MS), 180);
      if (opening !== null && opening > ms) return opening;
    }
  }
  return null;
}
