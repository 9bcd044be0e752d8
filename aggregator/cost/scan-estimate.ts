import type { SqlQuery } from '../../sql/dialect';
import { alertSeriesHistogram, alertSeriesTotals } from '../../sql/queries/alert-rules';
import { rollupChangedSpans, rollupMergeMinuteWindows, SPAN_EVENTS_TABLE } from '../../sql/queries/rollup-incremental';
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
 *  - the floor: BigQuery bills at least 10 MB per table each statement references. Each run of
 *    each job sends the queries below (at least: the alert job sends its two once per rule kind,
 *    the job_state reads and writes are not counted), so a month costs runs × references × 10 MB
 *    however little data there is;
 *  - the minute recompute (`rollup_merge_minute_windows`, one script): its first statement reads
 *    the changed minutes' events into a temporary table, filtered on the span's
 *    [@span_from_ms, @span_to_ms) of event_ts, so BigQuery prunes to the partitions that range
 *    touches — whole partitions (clustering on name and series_key does not narrow a read of every
 *    name), and of them the columns it reads (RECOMPUTE_COLUMNS). With metric_events' partitions of
 *    P minutes (sql/tables.ts partitionGranularity, the DDL this build creates: HOUR, P = 60; DAY,
 *    P = 1,440) and data arriving evenly, the k-th run of a partition reads k / P of it, so a
 *    partition's bytes are read (P + 1) / 2 times: 30.5 with hourly partitions, 720.5 with daily
 *    ones. The two MERGEs then read the temporary table: the changed windows' events, each
 *    window's taken here as recomputed in SPAN_RUNS_PER_EVENT runs.
 */
export const BIGQUERY_MIN_BYTES_PER_TABLE = 10 * 1024 * 1024;
export const RUNS_PER_DAY = 1_440;

/** The queries each job sends once per run (see above for what is left out). */
export const JOB_QUERIES: Readonly<Record<'rollup' | 'slo' | 'alerts', readonly SqlQuery[]>> = {
  rollup: [rollupChangedSpans, rollupMergeMinuteWindows, ...LEVEL_MERGES.flatMap((l) => l.queries)],
  slo: [sloWindowRollupSums, sloWindowGoodSums],
  alerts: [alertSeriesTotals, alertSeriesHistogram],
};

/** Statements of a rollup run that read metric_events' partitions of the changed minutes: one, the script's first. */
export const RECOMPUTE_STATEMENTS = 1;
/** Statements of the script that read its temporary table of the span's events: the two MERGEs. */
export const SPAN_TABLE_READS = 2;
/**
 * In how many runs an event's window is recomputed: the run after the minute it happened in, and
 * (events of one minute arrive over the next run too: the emitter's flush, Pub/Sub, ingest) the
 * run after that. Taken as 2, the upper end, for the temporary table's reads.
 */
export const SPAN_RUNS_PER_EVENT = 2;

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

/**
 * Tables a query references, as BigQuery's minimum counts them: per statement, each distinct
 * `{{table}}` and the script's temporary table where a statement reads it.
 */
export function tableReferences(query: SqlQuery): number {
  const temporary = new RegExp(`\\bFROM ${SPAN_EVENTS_TABLE}\\b`);
  return (query.statements ?? [query.text]).reduce(
    (sum, text) => sum + new Set([...text.matchAll(/\{\{([a-z_]+)\}\}/g)].map((m) => m[1])).size + (temporary.test(text) ? 1 : 0),
    0,
  );
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
 * `dayBytes`: per UTC day of the span, the data size of the columns of metric_events the recompute
 * reads (RECOMPUTE_COLUMNS, sql/queries/cost.ts `cost_recompute_metric_events`) and the job runs
 * that day (1,440 for a whole day, the minutes so far for today); `runMinutes`: the minutes of the
 * span the jobs ran.
 */
export function estimateScans(dayBytes: ReadonlyArray<{ bytes: number; runs: number }>, runMinutes: number, partitionMinutes: number = EVENTS_PARTITION_MINUTES): ScanEstimate {
  const floorBytes = runMinutes * TABLE_REFERENCES_PER_MINUTE * BIGQUERY_MIN_BYTES_PER_TABLE;
  const recomputeBytes = dayBytes.reduce(
    (sum, d) => sum + RECOMPUTE_STATEMENTS * d.bytes * recomputeReadsPerDay(d.runs, partitionMinutes) + (d.runs > 0 ? SPAN_TABLE_READS * SPAN_RUNS_PER_EVENT * d.bytes : 0),
    0,
  );
  return { partitionMinutes, runMinutes, tableReferencesPerMinute: TABLE_REFERENCES_PER_MINUTE, floorBytes, recomputeBytes, bytes: floorBytes + recomputeBytes };
}
