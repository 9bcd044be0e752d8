import { METRICS, METRIC_NAMES, type MetricName } from '../../shared/metric-catalogue';
import { defineQuery } from '../dialect';
import { analystsRawCallsPerMinute, analystsRawLatencyPercentiles } from './analysts-raw-events';
import { bucketValueOf } from './rollup-fragments';

/**
 * Example queries for analysts (docs/ANALYSTS.md shows their BigQuery renderings, the golden files,
 * verbatim; test/unit/sql/analysts-queries.test.ts runs each on DuckDB over data the real pipeline
 * produced). They follow the two rules every query over these tables must follow in BigQuery:
 *   - filter on the table's partition column (require_partition_filter, sql/ddl.ts), in every
 *     table a query reads, a join included;
 *   - read `metric_events` deduplicated by event_id (docs/INGEST.md). The rollups are computed from
 *     deduplicated events already.
 * Parameters are epoch milliseconds, as everywhere in sql/queries (sql/dialect.ts).
 */

/**
 * p95 latency per endpoint per hour of `infra.http.request.latency_ms`, from the 1-hour histograms
 * in [@from_ms, @to_ms) (hour-aligned bounds): every series of an endpoint (tiers, methods, status
 * classes) merged by adding bucket counts, then the nearest-rank bucket — the first whose running
 * count reaches ⌈0.95 n⌉ — reported as its value 2γ^i/(γ + 1), within 1% of the true p95
 * (sql/queries/rollup-read.ts explains the method). Histograms carry no tags: the endpoint comes
 * from the rollup row of the same series and window (`tags`, JSON).
 * Rows: endpoint, hour_start_ms, requests, p95_ms.
 */
export const analystsP95LatencyByEndpoint = defineQuery(
  'analysts_p95_latency_by_endpoint',
  `WITH endpoint_buckets AS (
  SELECT JSON_VALUE(r.tags, '$.endpoint') AS endpoint, h.window_start, h.bucket, SUM(h.bucket_count) AS n
  FROM {{metric_histograms}} AS h
  JOIN {{metric_rollups}} AS r
    ON r.name = h.name AND r.series_key = h.series_key
    AND r.window_seconds = h.window_seconds AND r.window_start = h.window_start
  WHERE h.name = 'infra.http.request.latency_ms' AND h.window_seconds = 3600
    AND h.window_start >= TIMESTAMP_MILLIS(@from_ms) AND h.window_start < TIMESTAMP_MILLIS(@to_ms)
    AND r.window_start >= TIMESTAMP_MILLIS(@from_ms) AND r.window_start < TIMESTAMP_MILLIS(@to_ms)
  GROUP BY endpoint, h.window_start, h.bucket
), cumulative AS (
  SELECT endpoint, window_start, bucket,
    SUM(n) OVER (PARTITION BY endpoint, window_start ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(n) OVER (PARTITION BY endpoint, window_start) AS total
  FROM endpoint_buckets
), ranked AS (
  SELECT endpoint, window_start, MAX(total) AS requests,
    MIN(CASE WHEN running >= DIV(total * 95 + 99, 100) THEN bucket END) AS p95_bucket
  FROM cumulative
  GROUP BY endpoint, window_start
)
SELECT endpoint, UNIX_MILLIS(window_start) AS hour_start_ms, requests,
  ${bucketValueOf('p95_bucket')} AS p95_ms
FROM ranked
ORDER BY endpoint, hour_start_ms`,
);

/**
 * The error budget of every SLO as of @at_ms: the newest slo_status row of each SLO computed in the
 * day up to @at_ms (the aggregator writes one a minute; an SLO missing here has had no
 * computation for a day). budget_remaining is the fraction left (negative when overspent, NULL
 * without data); budget_minutes_remaining, for availability SLOs, the same as minutes of full
 * outage (docs/SLOS.md).
 */
export const analystsErrorBudgetRemaining = defineQuery(
  'analysts_error_budget_remaining',
  `SELECT slo_id, UNIX_MILLIS(computed_at) AS computed_at_ms, objective, window_days, total_events, attainment,
  budget_remaining, budget_minutes_remaining, exhaustion_hours, status
FROM {{slo_status}}
WHERE computed_at > TIMESTAMP_MILLIS(@at_ms - 86400000) AND computed_at <= TIMESTAMP_MILLIS(@at_ms)
QUALIFY ROW_NUMBER() OVER (PARTITION BY slo_id ORDER BY computed_at DESC) = 1
ORDER BY slo_id`,
);

/**
 * The failure metrics of the catalogue: count metrics whose name says the thing failed or errored
 * (`….failed`, `….failed.count`, `….error.count`), with their module — the "feature" of the
 * admin dashboard's feature matrix. Generated from shared/metric-catalogue.ts, so a new failure
 * metric shows up in the golden file.
 */
export function failureMetrics(): Array<{ name: MetricName; module: string }> {
  return METRIC_NAMES.filter((n) => METRICS[n].kind === 'count' && n.split('.').some((part) => part === 'failed' || part === 'error'))
    .sort()
    .map((name) => ({ name, module: METRICS[name].module }));
}

const failureMetricsCte = () =>
  `failure_metrics AS (\n  ${failureMetrics()
    .map((m) => `SELECT '${m.name}' AS name, '${m.module}' AS module`)
    .join('\n  UNION ALL ')}\n)`;

/**
 * Failures by module, metric, feature tag and reason over [@from_ms, @to_ms) (minute-aligned
 * bounds are exact: it reads the 1-minute rollups), most failures first. `failures` is the sum of
 * the counted values (one event may count several); `reason` is the `reason` tag, or the
 * `error_code` tag for the error counters; `feature` is the `feature` tag where the metric has one
 * (wallet spends: chat, gift, …).
 * Rows: module, metric, feature, reason, failures, events, last_failure_ms.
 */
export const analystsTopFailures = defineQuery(
  'analysts_top_failures',
  `WITH ${failureMetricsCte()}
SELECT f.module, r.name AS metric, JSON_VALUE(r.tags, '$.feature') AS feature,
  COALESCE(JSON_VALUE(r.tags, '$.reason'), JSON_VALUE(r.tags, '$.error_code')) AS reason,
  SUM(r.value_sum) AS failures, SUM(r.event_count) AS events, UNIX_MILLIS(MAX(r.last_ts)) AS last_failure_ms
FROM {{metric_rollups}} AS r
JOIN failure_metrics AS f ON f.name = r.name
WHERE r.window_seconds = 60
  AND r.window_start >= TIMESTAMP_MILLIS(@from_ms) AND r.window_start < TIMESTAMP_MILLIS(@to_ms)
GROUP BY f.module, metric, feature, reason
HAVING SUM(r.value_sum) > 0
ORDER BY failures DESC, f.module, metric, feature NULLS LAST, reason NULLS LAST`,
);

/**
 * Every event of the minute starting at @minute_ms whose name starts with @name_prefix ('' for
 * all), one row per event_id — the first stored copy; BigQuery may hold a redelivered event twice
 * (docs/INGEST.md). Ordered by event time. Rows: event_id, event_ts_ms, name, kind, value, calls
 * (COALESCE(call_count, 1): a merged event stands for several calls, issue #18), tags, service,
 * environment, ingest_ts_ms, message_id.
 */
export const analystsIncidentMinuteEvents = defineQuery(
  'analysts_incident_minute_events',
  `SELECT event_id, UNIX_MILLIS(event_ts) AS event_ts_ms, name, kind, value, COALESCE(call_count, 1) AS calls, TO_JSON_STRING(tags) AS tags,
  service, environment, UNIX_MILLIS(ingest_ts) AS ingest_ts_ms, message_id
FROM {{metric_events}}
WHERE event_ts >= TIMESTAMP_MILLIS(@minute_ms) AND event_ts < TIMESTAMP_MILLIS(@minute_ms + 60000)
  AND STARTS_WITH(name, @name_prefix)
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY ingest_ts, message_id) = 1
ORDER BY event_ts_ms, event_id`,
);

/**
 * Alert history over [@from_ms, @to_ms) from alert_log's transitions, per rule and severity: how
 * often it fired and resolved, the first and last firing, and the shortest and longest firing
 * episodes in minutes (firing → the instance's next transition, when that is `resolved` within
 * the range) — short episodes are the noisy alerts of the monthly review (docs/OPERATIONS.md).
 * Most firings first. alert_log is append-only and its writers are idempotent by log_id.
 * Rows: rule_id, severity, firings, resolutions, first_fired_ms, last_fired_ms,
 * shortest_firing_minutes, longest_firing_minutes.
 */
export const analystsAlertHistory = defineQuery(
  'analysts_alert_history',
  `WITH transitions AS (
  SELECT rule_id, severity, fingerprint, to_state, logged_at,
    LEAD(to_state) OVER (PARTITION BY fingerprint ORDER BY logged_at, to_state) AS next_state,
    LEAD(logged_at) OVER (PARTITION BY fingerprint ORDER BY logged_at, to_state) AS next_at
  FROM {{alert_log}}
  WHERE entry_type = 'transition'
    AND logged_at >= TIMESTAMP_MILLIS(@from_ms) AND logged_at < TIMESTAMP_MILLIS(@to_ms)
), episodes AS (
  SELECT *, CASE WHEN to_state = 'firing' AND next_state = 'resolved'
    THEN (UNIX_MILLIS(next_at) - UNIX_MILLIS(logged_at)) / 60000 END AS firing_minutes
  FROM transitions
)
SELECT rule_id, severity,
  COUNTIF(to_state = 'firing') AS firings,
  COUNTIF(to_state = 'resolved') AS resolutions,
  UNIX_MILLIS(MIN(CASE WHEN to_state = 'firing' THEN logged_at END)) AS first_fired_ms,
  UNIX_MILLIS(MAX(CASE WHEN to_state = 'firing' THEN logged_at END)) AS last_fired_ms,
  MIN(firing_minutes) AS shortest_firing_minutes,
  MAX(firing_minutes) AS longest_firing_minutes
FROM episodes
GROUP BY rule_id, severity
HAVING COUNTIF(to_state = 'firing') > 0
ORDER BY firings DESC, severity, rule_id`,
);

/**
 * Dead letters over [@from_ms, @to_ms) by rejection reasons, scope and service, most first,
 * counted once per dead_letter_id (BigQuery's streaming dedup is best effort, as for events).
 * `example_dead_letter_id` names one of them to look at (its `reasons` and `raw_payload`).
 * Rows: reason_codes, scope, service, dead_letter_count, first_ms, last_ms, example_dead_letter_id.
 */
export const analystsDeadLettersByReason = defineQuery(
  'analysts_dead_letters_by_reason',
  `SELECT reason_codes, scope, service, COUNT(DISTINCT dead_letter_id) AS dead_letter_count,
  UNIX_MILLIS(MIN(received_at)) AS first_ms, UNIX_MILLIS(MAX(received_at)) AS last_ms,
  MIN(dead_letter_id) AS example_dead_letter_id
FROM {{dead_letters}}
WHERE received_at >= TIMESTAMP_MILLIS(@from_ms) AND received_at < TIMESTAMP_MILLIS(@to_ms)
GROUP BY reason_codes, scope, service
ORDER BY dead_letter_count DESC, reason_codes, scope, service NULLS LAST`,
);

/**
 * The pipeline's own dead letters per hour and reason over [@from_ms, @to_ms) (hour-aligned bounds),
 * from the 1-hour rollups of `infra.pipeline.ingest.dead_letter.count` (tagged with the first
 * reason code of each dead letter), beside the messages ingest handled in the same hour
 * (`infra.pipeline.ingest.message.count`, 0 when none were reported) for scale. Hours without dead
 * letters are left out. Rows: hour_start_ms, reason, dead_letters, messages.
 */
export const analystsPipelineDeadLettersPerHour = defineQuery(
  'analysts_pipeline_dead_letters_per_hour',
  `WITH hourly AS (
  SELECT window_start, name, JSON_VALUE(tags, '$.reason') AS reason, SUM(value_sum) AS n
  FROM {{metric_rollups}}
  WHERE name IN ('infra.pipeline.ingest.dead_letter.count', 'infra.pipeline.ingest.message.count')
    AND window_seconds = 3600
    AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
  GROUP BY window_start, name, reason
), messages AS (
  SELECT window_start, SUM(n) AS messages
  FROM hourly
  WHERE name = 'infra.pipeline.ingest.message.count'
  GROUP BY window_start
)
SELECT UNIX_MILLIS(d.window_start) AS hour_start_ms, d.reason, d.n AS dead_letters, COALESCE(m.messages, 0) AS messages
FROM hourly AS d
LEFT JOIN messages AS m ON m.window_start = d.window_start
WHERE d.name = 'infra.pipeline.ingest.dead_letter.count' AND d.n > 0
ORDER BY hour_start_ms, dead_letters DESC, d.reason`,
);

/**
 * p95 and the largest ingest lag per hour over [@from_ms, @to_ms) (hour-aligned bounds), from the
 * 1-hour histograms of `infra.pipeline.ingest.lag_ms` — one observation per ingest report
 * interval and process, the worst lag (ingest time − event time) of that interval. Buckets of all
 * series merged, nearest rank as in the first query. Rows: hour_start_ms, reports, p95_lag_ms,
 * max_lag_ms (the largest bucket's value, within 1% of the largest lag).
 */
export const analystsPipelineIngestLag = defineQuery(
  'analysts_pipeline_ingest_lag',
  `WITH buckets AS (
  SELECT window_start, bucket, SUM(bucket_count) AS n
  FROM {{metric_histograms}}
  WHERE name = 'infra.pipeline.ingest.lag_ms' AND window_seconds = 3600
    AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
  GROUP BY window_start, bucket
), cumulative AS (
  SELECT window_start, bucket,
    SUM(n) OVER (PARTITION BY window_start ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(n) OVER (PARTITION BY window_start) AS total
  FROM buckets
), ranked AS (
  SELECT window_start, MAX(total) AS reports,
    MIN(CASE WHEN running >= DIV(total * 95 + 99, 100) THEN bucket END) AS p95_bucket,
    MAX(bucket) AS max_bucket
  FROM cumulative
  GROUP BY window_start
)
SELECT UNIX_MILLIS(window_start) AS hour_start_ms, reports,
  ${bucketValueOf('p95_bucket')} AS p95_lag_ms,
  ${bucketValueOf('max_bucket')} AS max_lag_ms
FROM ranked
ORDER BY hour_start_ms`,
);

export const QUERIES = [
  analystsP95LatencyByEndpoint,
  analystsErrorBudgetRemaining,
  analystsTopFailures,
  analystsIncidentMinuteEvents,
  analystsRawCallsPerMinute,
  analystsRawLatencyPercentiles,
  analystsAlertHistory,
  analystsDeadLettersByReason,
  analystsPipelineDeadLettersPerHour,
  analystsPipelineIngestLag,
];
