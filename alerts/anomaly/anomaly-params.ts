/**
 * The parameters of an anomaly rule (issue #16) and their defaults. docs/ALERTS.md, "Anomaly
 * detection", explains each one; bench/anomaly.bench.ts measured the defaults.
 */

/** What an anomaly rule judges per minute of the 1-minute rollups. */
export type AnomalyValue =
  /** What was counted in the minute: a count metric's summed values (`metricCount(name, 12)` counts 12); a timing's or gauge's calls. */
  | 'count'
  /** The same per second (÷ 60). */
  | 'rate'
  /** A percentile of a timing metric's merged histogram in the minute. */
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  /** A gauge's last value in the minute (summed over the series of a group). */
  | 'last';

/** Which side of the band counts as anomalous. */
export type AnomalyDirection = 'up' | 'down' | 'both';

export interface AnomalyParams {
  /** Band half-width in robust standard deviations (1.4826 × MAD). */
  readonly k: number;
  /** Minutes in a row outside the band before the rule breaches (Prometheus `for`, counted in minutes of data). */
  readonly consecutiveMinutes: number;
  /** Weeks of history the seasonal baseline reads (the same minute-of-week in each). */
  readonly weeks: number;
  /** The baseline of minute t reads t ± this many minutes in each past week: 2·n+1 samples a week. */
  readonly neighbourMinutes: number;
  /** Fewer past weeks with data than this: the rolling-quantile fallback judges instead. */
  readonly minWeeks: number;
  /** The fallback's window: the hours before the judged minutes. */
  readonly fallbackHours: number;
  readonly direction: AnomalyDirection;
  /** The band's half-width is at least this fraction of |baseline| (a flat series does not alarm on tiny changes). */
  readonly relativeFloor: number;
  /** …and at least this, in the value's unit (a quiet series: a handful of events is no anomaly). */
  readonly absoluteFloor: number;
}

export const DEFAULT_ANOMALY_PARAMS: Omit<AnomalyParams, 'absoluteFloor'> = {
  k: 3,
  consecutiveMinutes: 5,
  weeks: 4,
  neighbourMinutes: 2,
  minWeeks: 2,
  fallbackHours: 3,
  direction: 'both',
  relativeFloor: 0.05,
};

/** The default absolute floor of a value: one event a minute for counts, 1 ms for percentiles, none for gauges. */
export function defaultAbsoluteFloor(value: AnomalyValue): number {
  switch (value) {
    case 'count':
      return 1;
    case 'rate':
      return 1 / 60;
    case 'p50':
    case 'p90':
    case 'p95':
    case 'p99':
      return 1;
    case 'last':
      return 0;
  }
}

/** The quantile a percentile value reads; undefined for the others. */
export function percentileOf(value: AnomalyValue): number | undefined {
  switch (value) {
    case 'p50':
      return 0.5;
    case 'p90':
      return 0.9;
    case 'p95':
      return 0.95;
    case 'p99':
      return 0.99;
    default:
      return undefined;
  }
}

/** Why the parameters cannot work, or undefined. */
export function anomalyParamsProblem(p: AnomalyParams): string | undefined {
  if (!(p.k > 0)) return `k must be positive, got ${p.k}`;
  if (!Number.isInteger(p.consecutiveMinutes) || p.consecutiveMinutes < 1 || p.consecutiveMinutes > 60) return `consecutiveMinutes must be a whole number from 1 to 60, got ${p.consecutiveMinutes}`;
  if (!Number.isInteger(p.weeks) || p.weeks < 1 || p.weeks > MAX_ANOMALY_WEEKS) return `weeks must be a whole number from 1 to ${MAX_ANOMALY_WEEKS}, got ${p.weeks}`;
  if (!Number.isInteger(p.neighbourMinutes) || p.neighbourMinutes < 0 || p.neighbourMinutes > 30) return `neighbourMinutes must be a whole number from 0 to 30, got ${p.neighbourMinutes}`;
  if (!Number.isInteger(p.minWeeks) || p.minWeeks < 1 || p.minWeeks > p.weeks) return `minWeeks must be a whole number from 1 to weeks (${p.weeks}), got ${p.minWeeks}`;
  if (!(p.fallbackHours > 0) || p.fallbackHours > 24) return `fallbackHours must be more than 0 and at most 24, got ${p.fallbackHours}`;
  if (!['up', 'down', 'both'].includes(p.direction)) return `direction must be up, down or both, got ${String(p.direction)}`;
  if (!(p.relativeFloor >= 0) || !(p.absoluteFloor >= 0)) return 'relativeFloor and absoluteFloor must not be negative';
  return undefined;
}

/** The most weeks of history a rule may read: the SQL reads one range per week (sql/queries/anomaly.ts). */
export const MAX_ANOMALY_WEEKS = 4;
