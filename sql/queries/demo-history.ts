import { defineQuery } from '../dialect';

/**
 * The history a source already has in the warehouse (`obs start` continues the demo's instead of
 * backfilling it again, issue 12): its newest event time and how many events it has since
 * `since_ms`.
 */
export const sourceHistory = defineQuery(
  'source_history',
  `SELECT UNIX_MILLIS(MAX(event_ts)) AS latest_ms, COUNT(*) AS events
FROM {{metric_events}}
WHERE event_ts >= TIMESTAMP_MILLIS(@since_ms) AND event_ts < TIMESTAMP_MILLIS(@until_ms)
  AND service = @service`,
);

export const QUERIES = [sourceHistory];
