import { changeLogRows, type IngestBatchRow } from '../change-log';
import type { EventRow } from '../warehouse';
import type { StreamingRow } from './bigquery-values';

const iso = (ms: number) => new Date(ms).toISOString();

/** One `ingest_batches` row for insertAll; insertId = ingest time, first message and first event time (a retried request is dropped). */
export function changeLogStreamingRow(r: IngestBatchRow): StreamingRow {
  return {
    insertId: `${r.ingest_ts_ms}|${r.message_id ?? ''}|${r.min_event_ts_ms}`,
    json: {
      ingest_ts: iso(r.ingest_ts_ms),
      message_id: r.message_id,
      messages: r.messages,
      min_event_ts: iso(r.min_event_ts_ms),
      max_event_ts: iso(r.max_event_ts_ms),
      events: r.events,
    },
  };
}

/**
 * The change log of `rows` (sql/change-log.ts) as rows for `ingest_batches`. The warehouse writes
 * them BEFORE the events, on the same write path (insertAll or the Storage Write API): BigQuery
 * has no transaction across two writes, so the order decides what a failure half-way leaves.
 * Log first, then events:
 *  - the log fails: nothing is stored, the call throws, the message is redelivered;
 *  - the events fail after the log: a log row without (all of) its events; the rollup job
 *    recomputes those windows from what is stored (at worst no change), and the redelivery
 *    writes a new log row with its new ingest time.
 * The other order could store events that no log row points at, which the incremental rollup
 * would never see. BigQuery cannot tell which event ids it already holds, so every row sent is
 * logged (duplicates are stored rows there, and readers dedup by event_id).
 */
export function changeLogStreamingRows(rows: readonly EventRow[]): StreamingRow[] {
  return changeLogRows(rows).map(changeLogStreamingRow);
}
