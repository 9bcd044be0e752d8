import { defineQuery, type SqlQuery } from '../dialect';

/**
 * Retention (issue #13, sql/retention.ts): the rows past a table's cut-off, counted (`--dry-run`
 * and the report) and deleted with the same WHERE, so a dry run's counts are what a real run
 * removes. Every range is [@from_ms, @cutoff_ms) on the partition column (BigQuery requires a
 * partition filter; @from_ms is the epoch on DuckDB). The rollup tables hold three window sizes
 * in one table: their 1-minute rows and their hour and day rows are separate targets with
 * separate cut-offs, disjoint by window_seconds.
 */
export interface RetentionTarget {
  /** Shown in the report: the table and, for the rollup tables, which windows. */
  readonly label: string;
  readonly table: 'metric_events' | 'dead_letters' | 'metric_rollups' | 'metric_histograms' | 'ingest_batches';
  readonly count: SqlQuery;
  readonly remove: SqlQuery;
}

function target(label: string, table: RetentionTarget['table'], column: string, key: string, windows?: '= 60' | '<> 60'): RetentionTarget {
  const where = `${column} >= TIMESTAMP_MILLIS(@from_ms) AND ${column} < TIMESTAMP_MILLIS(@cutoff_ms)${windows ? `\n  AND window_seconds ${windows}` : ''}`;
  return {
    label,
    table,
    count: defineQuery(`retention_count_${key}`, `SELECT COUNT(*) AS removable\nFROM {{${table}}}\nWHERE ${where}`),
    remove: defineQuery(`retention_delete_${key}`, `DELETE FROM {{${table}}}\nWHERE ${where}`),
  };
}

export const RETENTION_EVENTS = target('metric_events', 'metric_events', 'event_ts', 'events');
export const RETENTION_DEAD_LETTERS = target('dead_letters', 'dead_letters', 'received_at', 'dead_letters');
export const RETENTION_MINUTE_ROLLUPS = target('metric_rollups (1m)', 'metric_rollups', 'window_start', 'minute_rollups', '= 60');
export const RETENTION_MINUTE_HISTOGRAMS = target('metric_histograms (1m)', 'metric_histograms', 'window_start', 'minute_histograms', '= 60');
export const RETENTION_ROLLUPS = target('metric_rollups (1h, 1d)', 'metric_rollups', 'window_start', 'rollups', '<> 60');
export const RETENTION_HISTOGRAMS = target('metric_histograms (1h, 1d)', 'metric_histograms', 'window_start', 'histograms', '<> 60');
/** The change log (sql/change-log.ts) by ingest time, kept as long as the events it describes. */
export const RETENTION_INGEST_BATCHES = target('ingest_batches', 'ingest_batches', 'ingest_ts', 'ingest_batches');

export const QUERIES = [RETENTION_EVENTS, RETENTION_DEAD_LETTERS, RETENTION_MINUTE_ROLLUPS, RETENTION_MINUTE_HISTOGRAMS, RETENTION_ROLLUPS, RETENTION_HISTOGRAMS, RETENTION_INGEST_BATCHES].flatMap((t) => [t.count, t.remove]);

/**
 * For `obs rebuild` after retention (aggregator/retention.ts, checkRebuildRange): the UTC days of
 * [@from_ms, @to_ms) that have rollups (every rolled-up day has its 1-day row), and those that have
 * raw events, as epoch days.
 */
export const retentionRollupDays = defineQuery(
  'retention_rollup_days',
  `SELECT DISTINCT DIV(UNIX_MILLIS(window_start), 86400000) AS day
FROM {{metric_rollups}}
WHERE window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 86400`,
);

export const retentionEventDays = defineQuery(
  'retention_event_days',
  `SELECT DISTINCT DIV(UNIX_MILLIS(event_ts), 86400000) AS day
FROM {{metric_events}}
WHERE event_ts >= TIMESTAMP_MILLIS(@from_ms) AND event_ts < TIMESTAMP_MILLIS(@to_ms)`,
);

QUERIES.push(retentionRollupDays, retentionEventDays);
