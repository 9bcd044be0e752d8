import { defineQuery } from '../dialect';

/**
 * Reads for anomaly rules (alerts/anomaly/, issue #16) and the dashboard's band chart: one
 * metric's 1-minute rollups per series in a few ranges only — the recent range
 * [@recent_from_ms, @to_ms) and one range per past week [@weekN_from_ms, @weekN_to_ms), N = 1…4
 * (alerts/anomaly/anomaly-data.ts computes them; an unused week passes an empty range). Each
 * range is a constant interval of the partition column, so BigQuery prunes to the days they touch.
 *
 * Bounded whatever the number of series: the @max_series series with the most events come back as
 * themselves, the rest summed per minute under the overflow series `overflow=true` (as the
 * threshold rules' reads, sql/queries/alert-rules.ts). `last_value` is summed over the folded
 * series (a gauge group's level).
 */

const RANGES = `window_seconds = 60
    AND name = @name
    AND (
      (window_start >= TIMESTAMP_MILLIS(@recent_from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms))
      OR (window_start >= TIMESTAMP_MILLIS(@week1_from_ms) AND window_start < TIMESTAMP_MILLIS(@week1_to_ms))
      OR (window_start >= TIMESTAMP_MILLIS(@week2_from_ms) AND window_start < TIMESTAMP_MILLIS(@week2_to_ms))
      OR (window_start >= TIMESTAMP_MILLIS(@week3_from_ms) AND window_start < TIMESTAMP_MILLIS(@week3_to_ms))
      OR (window_start >= TIMESTAMP_MILLIS(@week4_from_ms) AND window_start < TIMESTAMP_MILLIS(@week4_to_ms))
    )`;

/** Per (series, minute): events, summed values and the last value, for count, rate and gauge rules. */
export const anomalyMinuteTotals = defineQuery(
  'anomaly_minute_totals',
  `WITH minutes AS (
  SELECT series_key, window_start, event_count, value_sum, last_value
  FROM {{metric_rollups}}
  WHERE ${RANGES}
), ranked AS (
  SELECT series_key, ROW_NUMBER() OVER (ORDER BY SUM(event_count) DESC, series_key) AS series_rank
  FROM minutes
  GROUP BY series_key
)
SELECT CASE WHEN r.series_rank <= @max_series THEN m.series_key ELSE 'overflow=true' END AS series_key,
  UNIX_MILLIS(m.window_start) AS minute_ms,
  SUM(m.event_count) AS event_count,
  SUM(m.value_sum) AS value_sum,
  SUM(m.last_value) AS last_value
FROM minutes AS m
JOIN ranked AS r ON m.series_key = r.series_key
GROUP BY 1, 2`,
);

/** Per (series, minute, bucket): a timing metric's histogram, for percentile rules. */
export const anomalyMinuteHistogram = defineQuery(
  'anomaly_minute_histogram',
  `WITH buckets AS (
  SELECT series_key, window_start, bucket, bucket_count
  FROM {{metric_histograms}}
  WHERE ${RANGES}
), ranked AS (
  SELECT series_key, ROW_NUMBER() OVER (ORDER BY SUM(bucket_count) DESC, series_key) AS series_rank
  FROM buckets
  GROUP BY series_key
)
SELECT CASE WHEN r.series_rank <= @max_series THEN b.series_key ELSE 'overflow=true' END AS series_key,
  UNIX_MILLIS(b.window_start) AS minute_ms,
  b.bucket,
  SUM(b.bucket_count) AS bucket_count
FROM buckets AS b
JOIN ranked AS r ON b.series_key = r.series_key
GROUP BY 1, 2, 3`,
);

export const QUERIES = [anomalyMinuteTotals, anomalyMinuteHistogram];
