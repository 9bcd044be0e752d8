import { DateTime } from 'luxon';

/**
 * Epoch-aligned windows. `window_start` = floor(ts / size) × size, identical in TypeScript,
 * BigQuery and DuckDB, so rollups of one window always cover the same events.
 */
export const WINDOW_SECONDS = { minute: 60, hour: 3_600, day: 86_400 } as const;
export type WindowSeconds = (typeof WINDOW_SECONDS)[keyof typeof WINDOW_SECONDS];

/** Start (epoch ms) of the window of `sizeSeconds` that contains `tsMs`. */
export function windowStartMs(tsMs: number, sizeSeconds: number): number {
  const sizeMs = sizeSeconds * 1000;
  return Math.floor(tsMs / sizeMs) * sizeMs;
}

/** Burn-rate lookback windows (SRE Workbook ch. 5), in seconds. */
export const BURN_WINDOWS = {
  '5m': 300,
  '30m': 1_800,
  '1h': 3_600,
  '2h': 7_200,
  '6h': 21_600,
  '1d': 86_400,
  '3d': 259_200,
} as const;
export type BurnWindow = keyof typeof BURN_WINDOWS;

/** Parses `5m`, `1h`, `30s`, `2d` into seconds. Throws on anything else. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration; use a number followed by s, m, h or d (e.g. 15m)`);
  const unit = { s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The UTC calendar month `YYYY-MM` as [start, end) epoch ms. Throws on a malformed month. */
export function monthRangeMs(month: string): { startMs: number; endMs: number } {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`"${month}" is not a month; use YYYY-MM`);
  const start = DateTime.fromISO(`${month}-01T00:00:00`, { zone: 'utc' });
  return { startMs: start.toMillis(), endMs: start.plus({ months: 1 }).toMillis() };
}

/** Parses an ISO-8601 instant (as given to `--at`). Throws with the offending text. */
export function parseInstantMs(text: string): number {
  const parsed = DateTime.fromISO(text, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`"${text}" is not an ISO-8601 time (e.g. 2026-11-26T12:00:00Z): ${parsed.invalidExplanation ?? parsed.invalidReason ?? 'invalid'}`);
  return parsed.toMillis();
}
