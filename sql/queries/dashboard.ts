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

/**
 * Recent alerts (the dashboard's "Recent alerts", last 24 hours): the firing episodes in
 * alert_log's transitions logged in [@since_ms, @now_ms], so a resolved P0 stays visible after
 * the alert state has moved on. One row per transition to `firing`, with the instance's next
 * transition when it is `resolved` (NULL while still firing); plus one row per `resolved` whose
 * firing was logged before @since_ms (fired_ms NULL). `value` is the value it fired with (from
 * the transition's detail). `fired_by` is the path that fired the episode, from the detail of the
 * row's transition (`streaming` or `scheduled`; NULL where it was not recorded). Newest first, at
 * most @limit rows.
 * Rows: fingerprint, rule_id, severity, fired_ms, resolved_ms, value, fired_by.
 */
export const recentAlertEpisodes = defineQuery(
  'dashboard_recent_alerts',
  `WITH transitions AS (
  SELECT fingerprint, rule_id, severity, to_state, logged_at,
    CAST(JSON_VALUE(detail, '$.value') AS FLOAT64) AS value,
    JSON_VALUE(detail, '$.firedBy') AS fired_by,
    LAG(to_state) OVER (PARTITION BY fingerprint ORDER BY logged_at, to_state) AS prev_state,
    LEAD(to_state) OVER (PARTITION BY fingerprint ORDER BY logged_at, to_state) AS next_state,
    LEAD(logged_at) OVER (PARTITION BY fingerprint ORDER BY logged_at, to_state) AS next_at
  FROM {{alert_log}}
  WHERE entry_type = 'transition'
    AND logged_at >= TIMESTAMP_MILLIS(@since_ms) AND logged_at <= TIMESTAMP_MILLIS(@now_ms)
)
SELECT fingerprint, rule_id, severity,
  CASE WHEN to_state = 'firing' THEN UNIX_MILLIS(logged_at) END AS fired_ms,
  CASE WHEN to_state = 'resolved' THEN UNIX_MILLIS(logged_at)
    WHEN next_state = 'resolved' THEN UNIX_MILLIS(next_at) END AS resolved_ms,
  CASE WHEN to_state = 'firing' THEN value END AS value,
  fired_by
FROM transitions
WHERE to_state = 'firing' OR (to_state = 'resolved' AND (prev_state IS NULL OR prev_state != 'firing'))
ORDER BY UNIX_MILLIS(logged_at) DESC, fingerprint
LIMIT @limit`,
);

export const QUERIES = [sloBudgetHistory, quantileSeries, pipelineMetricsSummary, recentAlertEpisodes];
