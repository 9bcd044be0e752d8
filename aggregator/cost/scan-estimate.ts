import type { SqlQuery } from '../../sql/dialect';
import { alertSeriesHistogram, alertSeriesTotals } from '../../sql/queries/alert-rules';
import { rollupChangedSpans, rollupMergeMinuteHistograms, rollupMergeMinutes } from '../../sql/queries/rollup-incremental';
import { LEVEL_MERGES } from '../../sql/queries/rollup-levels';
import { sloWindowGoodSums, sloWindowRollupSums } from '../../sql/queries/slo-window-sums';
import { partitionMinutes } from '../../sql/ddl';
import { TABLES } from '../../sql/tables';

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
 *    changed minutes' events; every reference to metric_events is filtered on the span's
 *    [@span_from_ms, @span_to_ms) of event_ts, so BigQuery prunes to the partitions that range
 *    touches — whole partitions (clustering on name and series_key does not narrow a read of every
 *    name). So each run reads the columns it uses (nearly the whole row; the row's size is taken)
 *    of its partition so far: with metric_events' partitions of P minutes (sql/tables.ts
 *    partitionGranularity, the DDL this build creates: HOUR, P = 60; DAY, P = 1,440) and data
 *    arriving evenly, the k-th run of a partition reads k / P of it, so a partition's bytes are
 *    read (P + 1) / 2 times per statement: 30.5 with hourly partitions, 720.5 with daily ones.
 */
export const BIGQUERY_MIN_BYTES_PER_TABLE = 10 * 1024 * 1024;
export const RUNS_PER_DAY = 1_440;

/** The queries each job sends once per run (see above for what is left out). */
export const JOB_QUERIES: Readonly<Record<'rollup' | 'slo' | 'alerts', readonly SqlQuery[]>> = {
  rollup: [rollupChangedSpans, rollupMergeMinutes, rollupMergeMinuteHistograms, ...LEVEL_MERGES.flatMap((l) => l.queries)],
  slo: [sloWindowRollupSums, sloWindowGoodSums],
  alerts: [alertSeriesTotals, alertSeriesHistogram],
};

/** The statements of a rollup run that read metric_events' partitions of the changed minutes. */
export const RECOMPUTE_STATEMENTS = 2;

/** metric_events' partition length in minutes, from the DDL this build creates (sql/ddl.ts). */
export const EVENTS_PARTITION_MINUTES = partitionMinutes(TABLES.metric_events) ?? RUNS_PER_DAY;

/**
 * How many times a day's bytes are read by one recompute statement over `runs` runs (one a minute
 * from the start of the day, the data arriving evenly over them), with partitions of
 * `partitionMinutes`: run k reads its partition so far, ((k − 1) mod P) + 1 minutes of data. For
 * r = qP + s runs that is (q·P(P + 1)/2 + s(s + 1)/2) minutes of data, over r minutes' worth per
 * day's bytes. A whole day: (P + 1) / 2 — 30.5 hourly, 720.5 daily.
 */
export function recomputeReadsPerDay(runs: number, partitionMinutes: number = EVENTS_PARTITION_MINUTES): number {
  if (runs <= 0) return 0;
  const q = Math.floor(runs / partitionMinutes);
  const s = runs - q * partitionMinutes;
  return (q * (partitionMinutes * (partitionMinutes + 1)) / 2 + (s * (s + 1)) / 2) / runs;
}

/** Distinct tables a query references (`{{table}}`). */
export function tableReferences(query: SqlQuery): number {
  return new Set([...query.text.matchAll(/\{\{([a-z_]+)\}\}/g)].map((m) => m[1])).size;
}

export const TABLE_REFERENCES_PER_MINUTE = Object.values(JOB_QUERIES)
  .flat()
  .reduce((sum, q) => sum + tableReferences(q), 0);

export interface ScanEstimate {
  /** metric_events' partition length the recompute estimate assumes (60: hourly, 1,440: daily). */
  readonly partitionMinutes: number;
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
export function estimateScans(dayBytes: ReadonlyArray<{ bytes: number; runs: number }>, runMinutes: number, partitionMinutes: number = EVENTS_PARTITION_MINUTES): ScanEstimate {
  const floorBytes = runMinutes * TABLE_REFERENCES_PER_MINUTE * BIGQUERY_MIN_BYTES_PER_TABLE;
  const recomputeBytes = dayBytes.reduce((sum, d) => sum + RECOMPUTE_STATEMENTS * d.bytes * recomputeReadsPerDay(d.runs, partitionMinutes), 0);
  return { partitionMinutes, runMinutes, tableReferencesPerMinute: TABLE_REFERENCES_PER_MINUTE, floorBytes, recomputeBytes, bytes: floorBytes + recomputeBytes };
}
