import { defineQuery } from '../dialect';

/** The newest slo_status row of each SLO computed in [since, now]. */
export const latestSloStatus = defineQuery(
  'status_latest_slo',
  `SELECT slo_id, status, attainment, objective, budget_remaining, budget_minutes_remaining,
  exhaustion_hours, TO_JSON_STRING(burn_rates) AS burn_rates, UNIX_MILLIS(computed_at) AS computed_ms
FROM {{slo_status}}
WHERE computed_at >= TIMESTAMP_MILLIS(@since_ms) AND computed_at <= TIMESTAMP_MILLIS(@now_ms)
QUALIFY ROW_NUMBER() OVER (PARTITION BY slo_id ORDER BY computed_at DESC) = 1`,
);

/** Which metrics have 1-minute rollups in [since, now], and when each last had data. */
export const recentMetrics = defineQuery(
  'status_recent_metrics',
  `SELECT name, UNIX_MILLIS(MAX(window_start)) AS last_window_ms, SUM(event_count) AS events
FROM {{metric_rollups}}
WHERE window_seconds = 60
  AND window_start >= TIMESTAMP_MILLIS(@since_ms) AND window_start <= TIMESTAMP_MILLIS(@now_ms)
GROUP BY name`,
);

export const QUERIES = [latestSloStatus, recentMetrics];
