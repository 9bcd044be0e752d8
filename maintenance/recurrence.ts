import { DateTime, IANAZone } from 'luxon';

/**
 * A recurring maintenance window's rule: every day, or every week on some weekdays, at a local
 * time of day in a time zone, for a duration. The command-line syntax (docs/ALERTS.md,
 * "Maintenance windows"):
 *
 *   --every daily  --time 02:00 --for 2h [--tz Europe/Berlin]
 *   --every weekly --on sun[,wed…] --time 02:00 --for 2h [--tz Europe/Berlin]
 *
 * Local time is what a person means by "Sunday at 02:00 in Berlin": an occurrence starts at that
 * wall-clock time on each matching local date, so its UTC time moves with daylight saving. A time
 * that does not exist on a date (clocks jump forward over it) starts when the jump ends (02:30 on
 * the spring-forward day in Berlin is 03:30 CEST); a time that happens twice (clocks go back)
 * starts at the second one (luxon's choice; both pinned by tests).
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface Recurrence {
  readonly every: 'daily' | 'weekly';
  /** Weekly only: the weekdays, in WEEKDAYS order (Monday first), at least one. Empty for daily. */
  readonly on: readonly Weekday[];
  /** Local time of day the occurrence starts, `HH:MM` (24-hour). */
  readonly time: string;
  readonly durationMinutes: number;
  /** IANA time zone of `time` and of the dates (default UTC). */
  readonly timeZone: string;
}

const FULL_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** `sun` or `sunday` (any case, already lower-cased here) → `sun`; anything else undefined. */
const weekdayOf = (word: string): Weekday | undefined => WEEKDAYS.find((d, i) => word === d || word === FULL_NAMES[i]);

/** The longest occurrence: a day for daily windows, a week for weekly ones (longer ones would overlap themselves). */
const MAX_MINUTES = { daily: 24 * 60, weekly: 7 * 24 * 60 } as const;

/** What the command line gives; every field as typed. */
export interface RecurrenceFlags {
  readonly every?: string;
  readonly on?: string;
  readonly time?: string;
  /** Already parsed from `--for` (shared/time-windows.ts parseDurationSeconds). */
  readonly durationSeconds?: number;
  readonly tz?: string;
}

/** Builds a recurrence from the flags; throws with a message naming the flag at fault. */
export function parseRecurrence(flags: RecurrenceFlags): Recurrence {
  const every = flags.every;
  if (every !== 'daily' && every !== 'weekly') throw new Error(`--every must be daily or weekly, not ${JSON.stringify(every ?? '')}`);
  let on: Weekday[] = [];
  if (every === 'weekly') {
    if (flags.on === undefined || flags.on.trim() === '') throw new Error(`--every weekly needs --on with the weekdays (e.g. --on sun or --on mon,thu; ${WEEKDAYS.join(', ')})`);
    const words = flags.on.split(',').map((d) => d.trim().toLowerCase());
    const unknown = words.filter((w) => weekdayOf(w) === undefined);
    if (unknown.length > 0) throw new Error(`--on: ${unknown.map((d) => JSON.stringify(d)).join(', ')} ${unknown.length === 1 ? 'is not a weekday' : 'are not weekdays'}; use ${WEEKDAYS.join(', ')} (or the full names)`);
    const days = new Set(words.map(weekdayOf));
    on = WEEKDAYS.filter((d) => days.has(d));
  } else if (flags.on !== undefined) {
    throw new Error('--on goes with --every weekly; a daily window repeats every day');
  }
  const time = flags.time;
  const hhmm = time === undefined ? null : /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time.trim());
  if (!hhmm) throw new Error(`--time must be the local time of day the window starts, HH:MM (e.g. --time 02:00), not ${JSON.stringify(time ?? '')}`);
  const timeText = `${hhmm[1]?.padStart(2, '0')}:${hhmm[2]}`;
  const seconds = flags.durationSeconds;
  if (seconds === undefined) throw new Error('--for is required with --every: how long each occurrence lasts (e.g. --for 2h)');
  if (!(seconds >= 60) || seconds % 60 !== 0) throw new Error('--for must be whole minutes, at least 1m (e.g. --for 90m)');
  const durationMinutes = seconds / 60;
  if (durationMinutes > MAX_MINUTES[every]) throw new Error(`--for: a ${every} window lasts at most ${every === 'daily' ? '24h' : '7d'} (it would overlap its next occurrence)`);
  const timeZone = (flags.tz ?? 'UTC').trim();
  if (!IANAZone.isValidZone(timeZone)) throw new Error(`--tz: ${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`);
  return { every, on, time: timeText, durationMinutes, timeZone };
}

/** Checks a stored recurrence (read back from the store): the same rules as the flags. */
export function checkRecurrence(value: unknown): Recurrence {
  const r = value as Partial<Recurrence> | null;
  if (r === null || typeof r !== 'object') throw new Error('a recurrence must be an object');
  return parseRecurrence({
    ...(r.every !== undefined ? { every: r.every } : {}),
    ...(r.every === 'weekly' ? { on: (r.on ?? []).join(',') } : {}),
    ...(r.time !== undefined ? { time: r.time } : {}),
    ...(typeof r.durationMinutes === 'number' ? { durationSeconds: r.durationMinutes * 60 } : {}),
    ...(r.timeZone !== undefined ? { tz: r.timeZone } : {}),
  });
}

/** `weekly on sun at 02:00 Europe/Berlin for 2h` — how lists show it. */
export function describeRecurrence(r: Recurrence): string {
  const minutes = r.durationMinutes;
  const duration = minutes % 60 === 0 ? `${minutes / 60}h` : minutes > 60 ? `${Math.floor(minutes / 60)}h${minutes % 60}m` : `${minutes}m`;
  return `${r.every}${r.every === 'weekly' ? ` on ${r.on.join(',')}` : ''} at ${r.time} ${r.timeZone} for ${duration}`;
}

/** Expansion refuses ranges longer than this (a status page reads 90 days; a mistake reads centuries). */
export const MAX_EXPANSION_DAYS = 3_700;

/**
 * The start instants (epoch ms) of the occurrences of `r` that overlap `[fromMs, toMs)`, each with
 * its end, restricted to starts in `[activeFromMs, activeUntilMs)` (the window's first instant and
 * its optional end). Ascending.
 */
export function expandRecurrence(
  r: Recurrence,
  range: { readonly fromMs: number; readonly toMs: number },
  active: { readonly fromMs: number; readonly untilMs: number | null },
): Array<{ startMs: number; endMs: number }> {
  const durationMs = r.durationMinutes * 60_000;
  const fromMs = Math.max(range.fromMs, active.fromMs - durationMs);
  const toMs = active.untilMs === null ? range.toMs : Math.min(range.toMs, active.untilMs);
  if (!(toMs > fromMs)) return [];
  if (toMs - fromMs > MAX_EXPANSION_DAYS * 86_400_000) throw new Error(`maintenance occurrences are expanded over at most ${MAX_EXPANSION_DAYS} days at a time`);
  const [hour, minute] = r.time.split(':').map(Number) as [number, number];
  const out: Array<{ startMs: number; endMs: number }> = [];
  // Local dates from the day before (an occurrence that started then may still run) to the end.
  let date = DateTime.fromMillis(fromMs - durationMs, { zone: r.timeZone }).startOf('day');
  const last = DateTime.fromMillis(toMs, { zone: r.timeZone }).startOf('day');
  for (; date <= last; date = date.plus({ days: 1 })) {
    if (r.every === 'weekly' && !r.on.includes(WEEKDAYS[date.weekday - 1] as Weekday)) continue;
    const start = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone: r.timeZone }).toMillis();
    const end = start + durationMs;
    if (start < active.fromMs || (active.untilMs !== null && start >= active.untilMs)) continue;
    if (start < range.toMs && end > range.fromMs) out.push({ startMs: start, endMs: end });
  }
  return out;
}
