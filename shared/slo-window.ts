import { DateTime } from 'luxon';
import type { SloSpec } from './slo-catalogue';

/**
 * An SLO's own window as of a minute-aligned `endMs` (exclusive): the rolling `windowDays`, or the
 * calendar month (OpenSLO `calendar`) in the SLO's time zone that `endMs` falls in — from 00:00 on
 * the 1st there to `endMs`. Month arithmetic is luxon's, in the zone, so a month holds its own
 * number of days and a month with a DST change is an hour shorter or longer (March in Europe/Berlin:
 * 743 hours; October: 745). The budget of a calendar SLO is the whole month's: its length is
 * `lengthDays` (exhaustion and budget minutes use it), while the window so far is [startMs, endMs).
 */
export interface SloWindow {
  /** Lookback label: `30d`, or `month_<zone>` (an SQL-safe column suffix). */
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
  /** The window's whole length in days (a rolling window's days; the calendar month's, DST included). */
  readonly lengthDays: number;
}

const DAY_MS = 86_400_000;

/** The SQL-safe lookback label of a calendar month in `timeZone`. */
export const calendarLabel = (timeZone: string): string => `month_${timeZone.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;

/** The lookback label of an SLO's own window. */
export function sloWindowLabel(slo: Pick<SloSpec, 'windowDays' | 'calendar'>): string {
  return slo.calendar ? calendarLabel(slo.calendar.timeZone) : `${slo.windowDays}d`;
}

/** The calendar month containing `atMs` in `timeZone`: [startMs, endMs) of the whole month. */
export function calendarMonthMs(atMs: number, timeZone: string): { startMs: number; endMs: number } {
  const start = DateTime.fromMillis(atMs, { zone: timeZone }).startOf('month');
  if (!start.isValid) throw new Error(`"${timeZone}" is not a time zone luxon knows`);
  return { startMs: start.toMillis(), endMs: start.plus({ months: 1 }).toMillis() };
}

export function sloWindowAt(slo: Pick<SloSpec, 'windowDays' | 'calendar'>, endMs: number): SloWindow {
  if (!slo.calendar) return { label: sloWindowLabel(slo), startMs: endMs - slo.windowDays * DAY_MS, endMs, lengthDays: slo.windowDays };
  const month = calendarMonthMs(endMs, slo.calendar.timeZone);
  return { label: sloWindowLabel(slo), startMs: month.startMs, endMs, lengthDays: (month.endMs - month.startMs) / DAY_MS };
}
