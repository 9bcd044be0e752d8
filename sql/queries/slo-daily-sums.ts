import { defineQuery } from '../dialect';
import { sliMetricFilter, thresholdsCte } from './slo-fragments';

/**
 * Per-day sums of the SLI metrics over [@from_ms, @to_ms) — whole UTC days, so the 1-day rollups
 * cover the range exactly — for the monthly compliance report (aggregator/slo-report.ts).
 */

/** Per (name, series_key, day): events (SUM event_count) and value_sum (SUM value_sum). */
export const sloDailyRollupSums = defineQuery(
  'slo_daily_rollup_sums',
  `SELECT name, series_key, UNIX_MILLIS(window_start) AS day_ms,
  SUM(event_count) AS events,
  SUM(value_sum) AS value_sum
FROM {{metric_rollups}}
WHERE window_seconds = 86400
  AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND ${sliMetricFilter('name')}
GROUP BY name, series_key, window_start
ORDER BY day_ms`,
);

/** Per (name, series_key, max_ms, day): good observations of each latency threshold. */
export const sloDailyGoodSums = defineQuery(
  'slo_daily_good_sums',
  `WITH ${thresholdsCte()}
SELECT h.name, h.series_key, t.max_ms, UNIX_MILLIS(h.window_start) AS day_ms,
  SUM(h.bucket_count) AS good
FROM {{metric_histograms}} AS h
JOIN thresholds AS t ON h.name = t.name AND h.bucket <= t.max_bucket
WHERE h.window_seconds = 86400
  AND h.window_start >= TIMESTAMP_MILLIS(@from_ms) AND h.window_start < TIMESTAMP_MILLIS(@to_ms)
GROUP BY h.name, h.series_key, t.max_ms, h.window_start
ORDER BY day_ms`,
);

export const QUERIES = [sloDailyRollupSums, sloDailyGoodSums];
