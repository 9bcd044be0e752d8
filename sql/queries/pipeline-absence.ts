import { defineQuery } from '../dialect';

/**
 * Module activity for the `pipeline-module-absent` alert rule (alerts/evaluate/pipeline-
 * evaluator.ts maps metrics to modules with the catalogue): events per metric
 *
 * - on each UTC day in [@days_from_ms, @today_ms), from the day rollups (window_seconds = 86400):
 *   rows with day_start_ms set;
 * - in the silent window [@from_ms, @to_ms), from the 1-minute rollups: rows with day_start_ms NULL.
 *
 * Cost: rows come back per metric and day, so at most (catalogue metrics) × (days + 1) whatever the
 * traffic. BigQuery reads the partitions of those days of metric_rollups (the day rows sit beside
 * the minute and hour rows of their day), four narrow columns of them; the raw events are never
 * read. Like the SLO burn windows, it reads rollups that are as fresh as the rollup watermark.
 */
export const pipelineModuleActivity = defineQuery(
  'pipeline_module_activity',
  `SELECT name, UNIX_MILLIS(window_start) AS day_start_ms, SUM(event_count) AS events
FROM {{metric_rollups}}
WHERE window_start >= TIMESTAMP_MILLIS(@days_from_ms) AND window_start < TIMESTAMP_MILLIS(@today_ms)
  AND window_seconds = 86400
GROUP BY name, window_start
UNION ALL
SELECT name, CAST(NULL AS INT64) AS day_start_ms, SUM(event_count) AS events
FROM {{metric_rollups}}
WHERE window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
GROUP BY name`,
);

export const QUERIES = [pipelineModuleActivity];
