import { defineQuery } from '../dialect';

/**
 * The history a source already has in the warehouse (`obs start` continues the demo's instead of
 * backfilling it again, issue 12): its newest event time and how many calls its events stand for
 * since `since_ms` (a merged event counts its call_count, issue #18).
 */
export const sourceHistory = defineQuery(
  'source_history',
  `SELECT UNIX_MILLIS(MAX(event_ts)) AS latest_ms, COALESCE(SUM(COALESCE(call_count, 1)), 0) AS events
FROM {{metric_events}}
WHERE event_ts >= TIMESTAMP_MILLIS(@since_ms) AND event_ts < TIMESTAMP_MILLIS(@until_ms)
  AND service = @service`,
);

export const QUERIES = [sourceHistory];
