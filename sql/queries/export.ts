import { defineQuery } from '../dialect';

/**
 * Reads of the exporter stage (exporters/export-job.ts): the closed 1-minute rollups of a range of
 * minutes, and their histogram buckets, in one deterministic order (minute, name, series), so the
 * batches a run sends for a minute are the same on every attempt. Both filter on window_start
 * (the partition column). Rows of `export_minute_rollups`: window_start_ms, name, series_key,
 * tags (JSON text), kind, event_count, value_sum, value_min, value_max, last_value.
 */
export const exportMinuteRollups = defineQuery(
  'export_minute_rollups',
  `SELECT UNIX_MILLIS(window_start) AS window_start_ms, name, series_key, TO_JSON_STRING(tags) AS tags, kind,
  event_count, value_sum, value_min, value_max, last_value
FROM {{metric_rollups}}
WHERE window_seconds = 60
  AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
ORDER BY window_start_ms, name, series_key`,
);

/** The histogram buckets of the same minutes. Rows: window_start_ms, name, series_key, bucket, bucket_count. */
export const exportMinuteHistograms = defineQuery(
  'export_minute_histograms',
  `SELECT UNIX_MILLIS(window_start) AS window_start_ms, name, series_key, bucket, bucket_count
FROM {{metric_histograms}}
WHERE window_seconds = 60
  AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
ORDER BY window_start_ms, name, series_key, bucket`,
);

export const QUERIES = [exportMinuteRollups, exportMinuteHistograms];
