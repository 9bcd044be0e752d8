import type { SqlQuery } from '../../sql/dialect';
import { alertSeriesHistogram, alertSeriesTotals } from '../../sql/queries/alert-rules';
import { rollupChangedSpans, rollupMergeMinuteHistograms, rollupMergeMinutes } from '../../sql/queries/rollup-incremental';
import { LEVEL_MERGES } from '../../sql/queries/rollup-levels';
import { sloWindowGoodSums, sloWindowRollupSums } from '../../sql/queries/slo-window-sums';

/**
 * An estimate of the bytes BigQuery's on-demand pricing bills the scheduled jobs for, from the
 * stored data and the production schedule (index.ts: rollup, SLO and alert jobs every minute).
 * Used on DuckDB, and on BigQuery too while the adapter does not record its jobs' statistics
 * (docs/COST.md, "Scans": not built yet). Two parts:
 *
 *  - the floor: BigQuery bills at least 10 MB per table a query references. Each run of each job
 *    sends the queries below (at least: the alert job sends its two once per rule kind, the
 *    job_state reads and writes are not counted), so a month costs runs × references × 10 MB
 *    however little data there is;
 *  - the minute recompute: `rollup_merge_minutes` and `rollup_merge_minute_histograms` read the
 *    changed minutes' events, but metric_events is partitioned by DAY of event_ts and clustered by
 *    name and series_key, so BigQuery prunes to the day's partition only: each run reads the
 *    columns it uses (nearly the whole row; the row's size is taken) of the day so far. Over a day
 *    of N runs with data arriving evenly that is (N + 1) / 2 times the day's bytes, per statement.
 */
export const BIGQUERY_MIN_BYTES_PER_TABLE = 10 * 1024 * 1024;
export const RUNS_PER_DAY = 1_440;

/** The queries each job sends once per run (see above for what is left out). */
export const JOB_QUERIES: Readonly<Record<'rollup' | 'slo' | 'alerts', readonly SqlQuery[]>> = {
  rollup: [rollupChangedSpans, rollupMergeMinutes, rollupMergeMinuteHistograms, ...LEVEL_MERGES.flatMap((l) => l.queries)],
  slo: [sloWindowRollupSums, sloWindowGoodSums],
  alerts: [alertSeriesTotals, alertSeriesHistogram],
};

/** The statements of a rollup run that read the day's metric_events partition. */
export const RECOMPUTE_STATEMENTS = 2;

/** Distinct tables a query references (`{{table}}`). */
export function tableReferences(query: SqlQuery): number {
  return new Set([...query.text.matchAll(/\{\{([a-z_]+)\}\}/g)].map((m) => m[1])).size;
}

export const TABLE_REFERENCES_PER_MINUTE = Object.values(JOB_QUERIES)
  .flat()
  .reduce((sum, q) => sum + tableReferences(q), 0);

export interface ScanEstimate {
  readonly runMinutes: number;
  readonly tableReferencesPerMinute: number;
  readonly floorBytes: number;
  readonly recomputeBytes: number;
  readonly bytes: number;
}

/**
 * `dayBytes`: metric_events' data size per UTC day of the span and the job runs that day (1,440 for
 * a whole day, the minutes so far for today); `runMinutes`: the minutes of the span the jobs ran.
 */
export function estimateScans(dayBytes: ReadonlyArray<{ bytes: number; runs: number }>, runMinutes: number): ScanEstimate {
  const floorBytes = runMinutes * TABLE_REFERENCES_PER_MINUTE * BIGQUERY_MIN_BYTES_PER_TABLE;
  // The day's bytes arriving evenly over its r runs: run k reads k / r of them, Σ = bytes (r + 1) / 2.
  const recomputeBytes = dayBytes.reduce((sum, d) => sum + (d.runs > 0 ? (RECOMPUTE_STATEMENTS * d.bytes * (d.runs + 1)) / 2 : 0), 0);
  return { runMinutes, tableReferencesPerMinute: TABLE_REFERENCES_PER_MINUTE, floorBytes, recomputeBytes, bytes: floorBytes + recomputeBytes };
}
