import { defineQuery } from '../dialect';

/**
 * Ingest health for the `pipeline-dead-letters` alert rule (alerts/evaluate/pipeline-evaluator.ts):
 * how many messages ingest received in [@from_ms, @to_ms), and how many of them were dead-lettered.
 *
 * - A message is received when it has an event stored in metric_events with ingest_ts in the
 *   window, or a dead letter with received_at in it (a message dead-lettered whole stores nothing).
 *   `messages` counts the distinct message ids of both together, so a message with some events
 *   stored and some dead-lettered counts once.
 * - `dead_lettered_messages` counts the distinct messages with at least one dead letter (the
 *   whole message or some of its events); a dead letter without a message id counts as its own
 *   message. `dead_letters` is the number of rows.
 *
 * Batches a provider rejected (scope `export`, exporters/export-job.ts) are not ingest's: left out.
 *
 * Partitions: metric_events is partitioned on event_ts, not ingest_ts, so the stored side also
 * bounds event_ts to [@event_from_ms, @event_to_ms) — the window widened by an hour of producer
 * delay before it and by the wire format's future skew after it. A message whose events are all
 * older than that is not counted as received, which can only raise the ratio (never hides dead
 * letters). BigQuery then scans today's partition (and yesterday's in the first hour of a day).
 */
export const pipelineDeadLetterCounts = defineQuery(
  'pipeline_dead_letter_counts',
  `WITH stored AS (
  SELECT DISTINCT message_id
  FROM {{metric_events}}
  WHERE event_ts >= TIMESTAMP_MILLIS(@event_from_ms) AND event_ts < TIMESTAMP_MILLIS(@event_to_ms)
    AND ingest_ts >= TIMESTAMP_MILLIS(@from_ms) AND ingest_ts < TIMESTAMP_MILLIS(@to_ms)
    AND message_id IS NOT NULL
), dead AS (
  SELECT COALESCE(message_id, dead_letter_id) AS message_id, COUNT(*) AS rows_in_message
  FROM {{dead_letters}}
  WHERE received_at >= TIMESTAMP_MILLIS(@from_ms) AND received_at < TIMESTAMP_MILLIS(@to_ms)
    AND scope <> 'export'
  GROUP BY 1
), received AS (
  SELECT message_id FROM stored
  UNION ALL
  SELECT message_id FROM dead
)
SELECT
  (SELECT COUNT(DISTINCT message_id) FROM received) AS messages,
  (SELECT COUNT(*) FROM dead) AS dead_lettered_messages,
  (SELECT COALESCE(SUM(rows_in_message), 0) FROM dead) AS dead_letters`,
);

export const QUERIES = [pipelineDeadLetterCounts];
