import { defineQuery } from '../dialect';

/**
 * Reads for threshold-rule evaluation (alerts/evaluate/; SLO burn rates come from the aggregator's
 * SLO queries, sql/queries/slo-window-sums.ts). Both read the 1-minute rollups whose
 * window starts in [@from_ms, @to_ms): with `to` = now and `from` = now − the rule's window, that
 * is exactly window ÷ 60 minutes, the current (partial) minute included. Rows are per series;
 * tag filters and grouping happen in TypeScript on the parsed series key, so one query serves
 * every rule with the same window.
 */

/** Totals per (metric, series) over one rule window: threshold rules with sum, count, avg, max. */
export const alertSeriesTotals = defineQuery(
  'alert_series_totals',
  `SELECT name, series_key,
  SUM(event_count) AS event_count,
  SUM(value_sum) AS value_sum,
  MAX(value_max) AS value_max
FROM {{metric_rollups}}
WHERE window_start >= TIMESTAMP_MILLIS(@from_ms)
  AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
GROUP BY name, series_key`,
);

/** Merged histogram buckets per series of one timing metric over one rule window: p95 rules. */
export const alertSeriesHistogram = defineQuery(
  'alert_series_histogram',
  `SELECT series_key, bucket, SUM(bucket_count) AS bucket_count
FROM {{metric_histograms}}
WHERE window_start >= TIMESTAMP_MILLIS(@from_ms)
  AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
  AND name = @name
GROUP BY series_key, bucket`,
);

export const QUERIES = [alertSeriesTotals, alertSeriesHistogram];
