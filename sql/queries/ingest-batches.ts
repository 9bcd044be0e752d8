import { defineQuery } from '../dialect';

/**
 * Reads of the change log `ingest_batches` (sql/change-log.ts) other than the rollup job's.
 *
 * `ingest_batches_extent`: what the writes stamped with one ingest time stored — the first and
 * last event time and the events. `obs ingest --file --at` reads it when its ingest time is behind
 * the rollup watermark (incremental runs will not see those events) to print the exact
 * `obs rebuild` that rolls them up. One ingest time is one partition: the equality is the filter.
 * Row: from_ms, to_ms (NULL when nothing was logged at that time), events.
 */
export const ingestBatchesExtent = defineQuery(
  'ingest_batches_extent',
  `SELECT UNIX_MILLIS(MIN(min_event_ts)) AS from_ms, UNIX_MILLIS(MAX(max_event_ts)) AS to_ms, COALESCE(SUM(events), 0) AS events
FROM {{ingest_batches}}
WHERE ingest_ts = TIMESTAMP_MILLIS(@ingest_ms)`,
);

export const QUERIES = [ingestBatchesExtent];
