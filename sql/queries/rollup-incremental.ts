import { defineQuery, defineScript } from '../dialect';
import { EVENT_SPAN, MINUTE_HISTOGRAM_SELECT, MINUTE_ROLLUP_SELECT, mergeInto, minuteOf, uniqueEventsCte } from './rollup-fragments';

/**
 * The incremental rollup run (aggregator/rollup-job.ts), step by step:
 *
 *  1. `rollup_changed_spans`: which minutes received events ingested in (@after_ms, @upto_ms],
 *     as contiguous spans of minutes (gaps and islands), with the number of new events — read from
 *     the change log `ingest_batches` (sql/change-log.ts), a few rows per ingest write, so the
 *     bytes it reads follow the new data, not the size of `metric_events`. Before the log can be
 *     trusted (the job's first run, the first run after an upgrade from a build without it),
 *     `rollup_changed_spans_scan` finds the same spans by scanning `metric_events`.
 *  2. For each span: `rollup_merge_minute_windows` (one script) recomputes whole every (metric,
 *     series, minute) window that received a new event, from all of that window's events
 *     (deduplicated by event_id), and MERGEs the minute rollups and histograms in.
 *  3. `rollup_merge_hours` … `rollup_merge_day_histograms` (rollup-levels.ts) re-derive the
 *     hour and day windows above the minutes written in step 2.
 *
 * A late event (minutes or days late) has a new ingest_ts and an old event_ts: step 1 finds its
 * minute, so its window and the hour and day above it are recomputed. Read from the log there is
 * no late-data horizon: history imported with `obs ingest --file`, however old, is rolled up. Every statement is a whole-
 * window recompute plus MERGE, so running one twice leaves the same rows.
 */

/** The events a run has to look at: ingested in (@after_ms, @upto_ms], event time ≥ @horizon_ms. */
const NEW_EVENTS = `ingest_ts > TIMESTAMP_MILLIS(@after_ms) AND ingest_ts <= TIMESTAMP_MILLIS(@upto_ms)`;

/**
 * Contiguous spans of minutes that received new events, from the change log. Each log row covers
 * a run of consecutive minutes [from, to) that all received new events (sql/change-log.ts); rows
 * whose ranges overlap or touch are merged (a new island wherever a range starts after the
 * furthest end of the ranges that start before it; RANGE frames, so rows with one start — ties —
 * always fall in one island, whatever order the engine puts them in), so the spans are those of
 * the scan below. Reads four columns of
 * the log rows ingested in (@after_ms, @upto_ms] — BigQuery's partition filter — and nothing of
 * metric_events. Rows: from_ms, to_ms (minute-aligned), minutes (minutes in the span that received
 * new events), events (new events).
 */
export const rollupChangedSpans = defineQuery(
  'rollup_changed_spans',
  `WITH logged AS (
  SELECT ${minuteOf('min_event_ts')} AS from_minute, ${minuteOf('max_event_ts')} + 1 AS to_minute, events
  FROM {{ingest_batches}}
  WHERE ingest_ts > TIMESTAMP_MILLIS(@after_ms) AND ingest_ts <= TIMESTAMP_MILLIS(@upto_ms)
), reach AS (
  SELECT from_minute, to_minute, events,
    MAX(to_minute) OVER (ORDER BY from_minute RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
  FROM logged
), islands AS (
  SELECT from_minute, to_minute, events,
    SUM(CASE WHEN reached IS NULL OR from_minute > reached THEN 1 ELSE 0 END)
      OVER (ORDER BY from_minute RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM reach
)
SELECT MIN(from_minute) * 60000 AS from_ms, MAX(to_minute) * 60000 AS to_ms, MAX(to_minute) - MIN(from_minute) AS minutes, SUM(events) AS events
FROM islands
GROUP BY island
ORDER BY from_ms`,
);

/**
 * The same spans found by scanning metric_events (the job's only way before the change log): the
 * first run, and the first after an upgrade. `@horizon_ms` bounds the event time scanned (the
 * late-data horizon, and BigQuery's partition filter) — which is why this reads event_ts and
 * ingest_ts of every event of the last seven days on BigQuery, and why events older than the
 * horizon were never seen. Rows as {@link rollupChangedSpans}, minutes counted distinct.
 */
export const rollupChangedSpansScan = defineQuery(
  'rollup_changed_spans_scan',
  `WITH changed AS (
  SELECT ${minuteOf('event_ts')} AS minute, COUNT(*) AS events
  FROM {{metric_events}}
  WHERE event_ts >= TIMESTAMP_MILLIS(@horizon_ms)
    AND ${NEW_EVENTS}
  GROUP BY minute
), islands AS (
  SELECT minute, events, minute - ROW_NUMBER() OVER (ORDER BY minute) AS island
  FROM changed
)
SELECT MIN(minute) * 60000 AS from_ms, (MAX(minute) + 1) * 60000 AS to_ms, COUNT(*) AS minutes, SUM(events) AS events
FROM islands
GROUP BY island
ORDER BY from_ms`,
);

/** The (name, series_key, minute) windows of one span that received new events. */
const CHANGED_WINDOWS = `changed AS (
    SELECT DISTINCT name, series_key, ${minuteOf('event_ts')} AS minute
    FROM {{metric_events}}
    WHERE ${EVENT_SPAN}
      AND ${NEW_EVENTS}
  )`;
const JOIN_CHANGED = `JOIN changed AS c ON e.name = c.name AND e.series_key = c.series_key AND ${minuteOf('e.event_ts')} = c.minute`;

const MINUTE_TARGET = `t.window_seconds = 60
  AND t.window_start >= TIMESTAMP_MILLIS(@span_from_ms) AND t.window_start < TIMESTAMP_MILLIS(@span_to_ms)`;

/**
 * The temporary table of one run's span: every event of the changed windows, once per event_id.
 * A table of the script (BigQuery: a temporary table of the multi-statement query, gone when it
 * ends; DuckDB: of the connection), not of the dataset.
 */
export const SPAN_EVENTS_TABLE = 'span_events';

/**
 * The columns of metric_events the minute recompute reads (docs/COST.md, "Scans"): BigQuery bills
 * a query by the columns it reads, of every row of the partitions it reads. `changed` reads name,
 * series_key, event_ts and ingest_ts; `repeated` event_id and event_ts; `events` the rest. Never
 * read: service, environment, message_id, start_ts. test/unit/sql/partition-pruning.test.ts holds
 * the statement to this list, and aggregator/cost/ prices the bytes of these columns.
 */
export const RECOMPUTE_COLUMNS = ['event_id', 'name', 'kind', 'value', 'event_ts', 'ingest_ts', 'series_key', 'tags', 'call_count', 'value_min', 'value_max', 'last_value', 'histogram', 'value_sum'] as const;

/**
 * Recomputes the 1-minute rollups and histograms of the changed windows of [@span_from_ms,
 * @span_to_ms), stamped `updated_at = @updated_at_ms` (the hour merge finds them by that stamp).
 *
 * One script, four statements, so that metric_events is read once a run, not once per target
 * table (issue #13: on BigQuery that read is the largest cost of the pipeline, docs/COST.md):
 *  1. the changed windows' events, deduplicated, into the temporary table `span_events` — the one
 *     read of metric_events' partitions;
 *  2. MERGE of their minute rollups into metric_rollups, from `span_events`;
 *  3. MERGE of their timing histograms into metric_histograms, from `span_events`;
 *  4. DROP of the temporary table.
 * BigQuery runs the text as one multi-statement query; DuckDB runs the statements in order on its
 * one connection (sql/duckdb/duckdb-warehouse.ts). The MERGEs compute each window with the same
 * fragments as the rebuild (rollup-fragments.ts), so a rebuild still equals the incremental result.
 */
export const rollupMergeMinuteWindows = defineScript('rollup_merge_minute_windows', [
  `CREATE OR REPLACE TEMP TABLE ${SPAN_EVENTS_TABLE} AS
WITH ${CHANGED_WINDOWS},
  ${uniqueEventsCte({ join: JOIN_CHANGED })}
SELECT * FROM events`,
  mergeInto(
    'metric_rollups',
    `WITH events AS (SELECT * FROM ${SPAN_EVENTS_TABLE})
  ${MINUTE_ROLLUP_SELECT}`,
    MINUTE_TARGET,
  ),
  mergeInto(
    'metric_histograms',
    `WITH events AS (SELECT * FROM ${SPAN_EVENTS_TABLE} WHERE kind = 'timing')
  ${MINUTE_HISTOGRAM_SELECT}`,
    MINUTE_TARGET,
  ),
  `DROP TABLE ${SPAN_EVENTS_TABLE}`,
]);

export const QUERIES = [rollupChangedSpans, rollupChangedSpansScan, rollupMergeMinuteWindows];
