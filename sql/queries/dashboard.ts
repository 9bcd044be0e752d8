import { defineQuery } from '../dialect';

/** Error-budget burn-down: the last slo_status row of each SLO in each hour of [since, now]. */
export const sloBudgetHistory = defineQuery(
  'dashboard_slo_budget_history',
  `SELECT slo_id, UNIX_MILLIS(computed_at) AS t_ms, budget_remaining, attainment
FROM {{slo_status}}
WHERE computed_at >= TIMESTAMP_MILLIS(@since_ms) AND computed_at <= TIMESTAMP_MILLIS(@now_ms)
QUALIFY ROW_NUMBER() OVER (PARTITION BY slo_id, DIV(UNIX_SECONDS(computed_at), 3600) ORDER BY computed_at DESC) = 1
ORDER BY slo_id, t_ms`,
);

/**
 * A quantile of one timing metric (all series merged) per `@step_s` seconds over [since, now),
 * from the 1-minute histograms: merge buckets per step, then take the nearest-rank bucket — the
 * smallest bucket whose cumulative count reaches CEIL(q × total). The caller turns the bucket
 * index into a value with shared/histogram.ts bucketValue (within 1%).
 */
export const quantileSeries = defineQuery(
  'dashboard_quantile_series',
  `WITH merged AS (
  SELECT DIV(UNIX_SECONDS(window_start), @step_s) * @step_s AS t_s, bucket, SUM(bucket_count) AS n
  FROM {{metric_histograms}}
  WHERE name = @name AND window_seconds = 60
    AND window_start >= TIMESTAMP_MILLIS(@since_ms) AND window_start < TIMESTAMP_MILLIS(@now_ms)
  GROUP BY t_s, bucket
), cumulative AS (
  SELECT t_s, bucket,
    SUM(n) OVER (PARTITION BY t_s ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(n) OVER (PARTITION BY t_s) AS total
  FROM merged
)
SELECT t_s * 1000 AS t_ms, MIN(bucket) AS bucket, MAX(total) AS total
FROM cumulative
WHERE running >= CEIL(@q * total)
GROUP BY t_s
ORDER BY t_ms`,
);

/**
 * The pipeline card (dashboard/pipeline-card.ts): every series of the pipeline's own metrics
 * (`infra.pipeline.*`, docs/OPERATIONS.md) summed over the 1-minute rollups starting in
 * [@since_ms, @now_ms) — never the raw events. Per (name, series): the total counted (counts),
 * the number of events, the largest value, the mean of the newest minute (timings: the run of
 * that minute, the jobs run once a minute), the last value (gauges: the latest level) and when
 * the last event happened. Rows: name, kind, tags (JSON text), total, events, max_value,
 * newest_mean, last_value, last_ms.
 */
export const pipelineMetricsSummary = defineQuery(
  'dashboard_pipeline_metrics',
  `SELECT name, MAX(kind) AS kind, TO_JSON_STRING(ANY_VALUE(tags)) AS tags,
  SUM(value_sum) AS total, SUM(event_count) AS events, MAX(value_max) AS max_value,
  MAX_BY(value_sum / event_count, window_start) AS newest_mean,
  MAX_BY(last_value, last_ts) AS last_value,
  UNIX_MILLIS(MAX(last_ts)) AS last_ms
FROM {{metric_rollups}}
WHERE window_seconds = 60
  AND window_start >= TIMESTAMP_MILLIS(@since_ms) AND window_start < TIMESTAMP_MILLIS(@now_ms)
  AND STARTS_WITH(name, 'infra.pipeline.')
GROUP BY name, series_key
ORDER BY name, series_key`,
);

export const QUERIES = [sloBudgetHistory, quantileSeries, pipelineMetricsSummary];
