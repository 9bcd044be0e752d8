import { defineQuery } from '../dialect';

/**
 * Delivery attempts per notification channel in [@from_ms, @to_ms), from alert_log, for the
 * `pipeline-channel-failing` alert rule (alerts/evaluate/pipeline-evaluator.ts). alert_log is in
 * the warehouse in production as locally, so the rule reads the same rows whichever alert store
 * (Firestore or warehouse) holds the ledger.
 *
 * An attempt is a delivery outcome row (`delivered`, `retryable`, `failed`) whose detail counts at
 * least one send: a batch put back unsent (held behind an earlier notification, or past the run's
 * deadline) is logged as `retryable` with `attempts: 0` and says nothing about the channel.
 * A run that retries a send within itself logs one row (its detail has the count).
 *
 * Per channel: attempts, the last success, and the failed attempts after it — their number and
 * the first and last of them (all failures when nothing succeeded in the window).
 */
export const pipelineChannelDeliveries = defineQuery(
  'pipeline_channel_deliveries',
  `WITH attempts AS (
  SELECT channel, logged_at, delivery_status = 'delivered' AS ok
  FROM {{alert_log}}
  WHERE logged_at >= TIMESTAMP_MILLIS(@from_ms) AND logged_at < TIMESTAMP_MILLIS(@to_ms)
    AND entry_type = 'delivery'
    AND delivery_status IN ('delivered', 'retryable', 'failed')
    AND channel IS NOT NULL
    AND COALESCE(CAST(JSON_VALUE(detail, '$.attempts') AS INT64), 1) > 0
), last_ok AS (
  SELECT channel, MAX(CASE WHEN ok THEN logged_at END) AS last_ok_at
  FROM attempts
  GROUP BY channel
), marked AS (
  SELECT a.channel, a.logged_at, a.ok, l.last_ok_at,
    NOT a.ok AND (l.last_ok_at IS NULL OR a.logged_at > l.last_ok_at) AS failed_since_ok
  FROM attempts AS a
  JOIN last_ok AS l ON a.channel = l.channel
)
SELECT channel,
  COUNT(*) AS attempts,
  UNIX_MILLIS(MAX(last_ok_at)) AS last_success_ms,
  SUM(CASE WHEN failed_since_ok THEN 1 ELSE 0 END) AS failures_since_success,
  UNIX_MILLIS(MIN(CASE WHEN failed_since_ok THEN logged_at END)) AS first_failure_since_success_ms,
  UNIX_MILLIS(MAX(CASE WHEN NOT ok THEN logged_at END)) AS last_failure_ms
FROM marked
GROUP BY channel
ORDER BY channel`,
);

export const QUERIES = [pipelineChannelDeliveries];
