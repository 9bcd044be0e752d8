import { defineQuery } from '../dialect';
import { bucketOf, bucketValueOf } from './rollup-fragments';

/**
 * Analysts' queries over the raw event log in both of its shapes (issue #18): a row of
 * metric_events is one call, or — from an aggregating emitter — `call_count` calls of one series
 * merged (docs/WIRE_FORMAT.md, "Merged events"). Listed in analysts.ts's QUERIES (docs/ANALYSTS.md
 * shows them; test/unit/sql/analysts-queries.test.ts runs them). Read deduplicated by event_id,
 * with the partition filter, as every analysts query.
 */

/** The events of one metric in [@from_ms, @to_ms), first stored copy of each event_id. */
const rawEvents = (columns: string) => `SELECT ${columns}
  FROM {{metric_events}}
  WHERE event_ts >= TIMESTAMP_MILLIS(@from_ms) AND event_ts < TIMESTAMP_MILLIS(@to_ms)
    AND name = @name
  QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY ingest_ts, message_id) = 1`;

/**
 * Calls of one metric per minute from the raw events, whatever their shape: `events` rows,
 * `calls` = SUM(COALESCE(call_count, 1)) (NULL = one call), `value_total` = the total counted for
 * a count, the summed milliseconds for a timing, the sum of readings for a gauge
 * (COALESCE(value_sum, value): a merged gauge's `value` is its last reading). Equal to the
 * 1-minute rollups' event_count and value_sum. Rows: minute_ms, events, calls, value_total.
 */
export const analystsRawCallsPerMinute = defineQuery(
  'analysts_raw_calls_per_minute',
  `WITH events AS (
  ${rawEvents('value, call_count, value_sum, event_ts')}
)
SELECT DIV(UNIX_MILLIS(event_ts), 60000) * 60000 AS minute_ms,
  COUNT(*) AS events,
  SUM(COALESCE(call_count, 1)) AS calls,
  SUM(COALESCE(value_sum, value)) AS value_total
FROM events
GROUP BY minute_ms
ORDER BY minute_ms`,
);

/**
 * p50/p95/p99 of one timing metric over [@from_ms, @to_ms) from the raw events: a single timing
 * is one observation in the bucket of its value, CEIL(LN(v)/LN(γ)) (the zero bucket for 0); a
 * merged one brings its stored [bucket, count] pairs (UNNEST(JSON_QUERY_ARRAY(histogram)),
 * LAX_INT64 for each number). The buckets add up, and the nearest-rank bucket is read as in
 * metric_histograms — within 1% of the exact percentile. Rows: calls, p50_ms, p95_ms, p99_ms.
 */
export const analystsRawLatencyPercentiles = defineQuery(
  'analysts_raw_latency_percentiles',
  `WITH events AS (
  ${rawEvents('value, histogram')}
), buckets AS (
  SELECT ${bucketOf('value')} AS bucket, 1 AS n
  FROM events
  WHERE histogram IS NULL
  UNION ALL
  SELECT LAX_INT64(JSON_QUERY(pair, '$[0]')) AS bucket, LAX_INT64(JSON_QUERY(pair, '$[1]')) AS n
  FROM events AS e, UNNEST(JSON_QUERY_ARRAY(e.histogram)) AS pair
  WHERE e.histogram IS NOT NULL
), cumulative AS (
  SELECT bucket,
    SUM(n) OVER (ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(n) OVER () AS total
  FROM (SELECT bucket, SUM(n) AS n FROM buckets GROUP BY bucket) AS merged
), ranked AS (
  SELECT MAX(total) AS calls,
    MIN(CASE WHEN running >= DIV(total * 50 + 99, 100) THEN bucket END) AS b50,
    MIN(CASE WHEN running >= DIV(total * 95 + 99, 100) THEN bucket END) AS b95,
    MIN(CASE WHEN running >= DIV(total * 99 + 99, 100) THEN bucket END) AS b99
  FROM cumulative
)
SELECT COALESCE(calls, 0) AS calls,
  ${bucketValueOf('b50')} AS p50_ms,
  ${bucketValueOf('b95')} AS p95_ms,
  ${bucketValueOf('b99')} AS p99_ms
FROM ranked`,
);
