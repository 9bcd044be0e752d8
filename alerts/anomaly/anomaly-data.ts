import { MINUTE_MS, WEEK_MS } from './anomaly-model';

/**
 * What an anomaly rule reads (alerts/evaluate/warehouse-rule-data.ts fetches it with
 * sql/queries/anomaly.ts): per series, the 1-minute rollups of one metric in a few ranges only —
 * the recent range (the fallback's hours and the judged minutes) and, in each past week, the same
 * judged minutes widened by the neighbourhood. Never four weeks of every minute: for the defaults,
 * 185 + 4 × 9 minutes a series.
 */

/** One series' rollup of one minute. `buckets`: the merged histogram, for percentile rules only. */
export interface AnomalyMinuteRow {
  readonly seriesKey: string;
  readonly minuteMs: number;
  readonly eventCount: number;
  readonly valueSum: number;
  readonly lastValue: number | null;
  readonly buckets?: ReadonlyArray<readonly [number, number]>;
}

/** The read of one need: the rows, and where the judged minutes end (exclusive, minute-aligned). */
export interface AnomalyMinutesRead {
  readonly endMs: number;
  readonly rows: readonly AnomalyMinuteRow[];
}

/** The time ranges one read covers, [fromMs, toMs) each. */
export interface AnomalyRanges {
  readonly recent: readonly [number, number];
  /** Index 0 is a week ago. */
  readonly weeks: ReadonlyArray<readonly [number, number]>;
}

/** The shape of a read: which minutes before `endMs` it covers. */
export interface AnomalyReadShape {
  /** Minutes judged (or charted) before the end. */
  readonly judgedMinutes: number;
  readonly weeks: number;
  readonly neighbourMinutes: number;
  /** Minutes before the judged ones the fallback reads. */
  readonly recentMinutes: number;
}

/** The ranges of a read ending at `endMs`. */
export function anomalyRanges(shape: AnomalyReadShape, endMs: number): AnomalyRanges {
  const judgedFrom = endMs - shape.judgedMinutes * MINUTE_MS;
  const weeks: Array<readonly [number, number]> = [];
  for (let w = 1; w <= shape.weeks; w++) {
    weeks.push([judgedFrom - w * WEEK_MS - shape.neighbourMinutes * MINUTE_MS, endMs - w * WEEK_MS + shape.neighbourMinutes * MINUTE_MS]);
  }
  return { recent: [judgedFrom - shape.recentMinutes * MINUTE_MS, endMs], weeks };
}
