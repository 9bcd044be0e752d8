/**
 * The change log of `metric_events` (table `ingest_batches`, sql/tables.ts): what one warehouse
 * write of ingest stored, as one row per ingest time and run of consecutive event minutes.
 *
 * Why: the incremental rollup (aggregator/rollup-job.ts) has to find the minutes that received new
 * events. Scanning `metric_events` for `ingest_ts > watermark` reads event_ts and ingest_ts of every
 * event in the late-data horizon on BigQuery (its partitions are by event time), so each run's
 * bytes grew with the table. The log is a few rows per write, partitioned by ingest time.
 *
 * Rows per write: one per run of consecutive event minutes, so the union of the rows' minute
 * ranges is exactly the set of minutes that received new events — the change detection of the
 * scan, from the log alone (sql/queries/rollup-incremental.ts). Live traffic is one row per write
 * (its events fall in a minute or two); a late event adds one. A write scattered over more than
 * {@link MAX_LOG_ROWS_PER_WRITE} runs (an unsorted import) has its closest runs joined: the ranges
 * then also cover minutes with nothing new, which costs the job a wider read, never a missed window.
 *
 * Who writes it: each adapter's `insertEvents`, in the same write path as the events and never
 * after them (sql/warehouse.ts): DuckDB in the same transaction, BigQuery before the events.
 */

/** What the log needs of a stored event. */
export interface LoggedEvent {
  readonly event_ts_ms: number;
  readonly ingest_ts_ms: number;
  readonly message_id: string | null;
}

/** One row of `ingest_batches`, as the warehouse port carries it (timestamps as epoch ms). */
export interface IngestBatchRow {
  ingest_ts_ms: number;
  message_id: string | null;
  messages: number;
  min_event_ts_ms: number;
  max_event_ts_ms: number;
  events: number;
}

/** At most this many log rows per write and ingest time; closer runs of minutes are joined first. */
export const MAX_LOG_ROWS_PER_WRITE = 64;

const MINUTE_MS = 60_000;

interface Run {
  fromMinute: number;
  toMinute: number;
  min: number;
  max: number;
  events: number;
  messages: Set<string | null>;
}

/**
 * The log rows for events a write stored (only the new ones: pass what was actually stored).
 * Pure; rows ordered by ingest time, then event time. No events, no rows.
 */
export function changeLogRows(events: readonly LoggedEvent[], maxRows = MAX_LOG_ROWS_PER_WRITE): IngestBatchRow[] {
  // Per ingest time (one per write in practice), per epoch minute: min, max, count, messages. The
  // hot path of ingest (~0.1 µs an event): the last minute's run is reused without a lookup, and a
  // message id is added to its set only when it changes (a message's events arrive together).
  const byIngest = new Map<number, { first: string | null; minutes: Map<number, Run> }>();
  let group: { first: string | null; minutes: Map<number, Run> } | undefined;
  let groupIngest = Number.NaN;
  let run: Run | undefined;
  let lastMessage: string | null | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as LoggedEvent;
    if (e.ingest_ts_ms !== groupIngest) {
      groupIngest = e.ingest_ts_ms;
      group = byIngest.get(groupIngest);
      if (!group) byIngest.set(groupIngest, (group = { first: e.message_id, minutes: new Map() }));
      run = undefined;
    }
    const minute = Math.floor(e.event_ts_ms / MINUTE_MS);
    if (run === undefined || run.fromMinute !== minute) {
      const minutes = (group as { minutes: Map<number, Run> }).minutes;
      run = minutes.get(minute);
      if (!run) {
        minutes.set(minute, (run = { fromMinute: minute, toMinute: minute, min: e.event_ts_ms, max: e.event_ts_ms, events: 0, messages: new Set() }));
      }
      lastMessage = undefined;
    }
    if (e.event_ts_ms < run.min) run.min = e.event_ts_ms;
    else if (e.event_ts_ms > run.max) run.max = e.event_ts_ms;
    run.events++;
    if (e.message_id !== lastMessage) {
      run.messages.add(e.message_id);
      lastMessage = e.message_id;
    }
  }
  const out: IngestBatchRow[] = [];
  for (const [ingestMs, group] of [...byIngest].sort((a, b) => a[0] - b[0])) {
    const runs: Run[] = [];
    for (const minute of [...group.minutes.values()].sort((a, b) => a.fromMinute - b.fromMinute)) {
      const last = runs[runs.length - 1];
      if (last && minute.fromMinute === last.toMinute + 1) join(last, minute);
      else runs.push(minute);
    }
    while (runs.length > Math.max(1, maxRows)) {
      let closest = 0;
      for (let i = 1; i < runs.length - 1; i++) if (gap(runs, i) < gap(runs, closest)) closest = i;
      join(runs[closest] as Run, runs[closest + 1] as Run);
      runs.splice(closest + 1, 1);
    }
    for (const run of runs) {
      out.push({ ingest_ts_ms: ingestMs, message_id: group.first, messages: run.messages.size, min_event_ts_ms: run.min, max_event_ts_ms: run.max, events: run.events });
    }
  }
  return out;
}

const gap = (runs: readonly Run[], i: number) => (runs[i + 1] as Run).fromMinute - (runs[i] as Run).toMinute;

function join(into: Run, next: Run): void {
  into.toMinute = next.toMinute;
  into.min = Math.min(into.min, next.min);
  into.max = Math.max(into.max, next.max);
  into.events += next.events;
  for (const m of next.messages) into.messages.add(m);
}
