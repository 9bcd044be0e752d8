import { defineQuery, type SqlQuery } from '../dialect';

/** Pub/Sub's minimum billable bytes per publish, push or pull request (shared/prices.ts). */
export const PUBSUB_MIN_REQUEST_BYTES = 1000;
import { TABLES, type TableDef } from '../tables';
import { RECOMPUTE_COLUMNS } from './rollup-incremental';

/**
 * Cost analytics (issue #13, aggregator/cost/, docs/COST.md): the bytes BigQuery bills, computed
 * from the stored rows by BigQuery's "data size calculation": STRING and JSON 2 + UTF-8 bytes,
 * INT64, FLOAT64 and TIMESTAMP 8, BOOL 1, NULL 0. One expression per table, generated from its
 * columns (sql/tables.ts), so a new column is counted without touching this file.
 */
export function rowBytesSql(table: TableDef, alias = '', only?: readonly string[]): string {
  const ref = (name: string) => (alias ? `${alias}.${name}` : name);
  return table.columns
    .filter((c) => only === undefined || only.includes(c.name))
    .map((c) => {
      const column = ref(c.name);
      const size =
        c.type === 'STRING' ? `2 + BYTE_LENGTH(${column})` : c.type === 'JSON' ? `2 + BYTE_LENGTH(TO_JSON_STRING(${column}))` : c.type === 'BOOL' ? '1' : '8';
      return c.required ? `(${size})` : `IF(${column} IS NULL, 0, ${size})`;
    })
    .join(' + ');
}

/**
 * The bytes one event takes in a wire v1 message (docs/WIRE_FORMAT.md), estimated from its row:
 * `{"id":…,"name":…,"kind":…,"value":…,"ts":…,"tags":…}` and the comma before it is 66 bytes of
 * keys, quotes and punctuation with a 13-digit ts; a value is taken as 5 characters; a merged
 * event adds count, min, max, last and start_ts (72 bytes with numbers of typical length) and a
 * timing its histogram. The bench (bench/cost.bench.ts) compares it with the bytes published.
 */
export const WIRE_EVENT_BYTES_SQL =
  '66 + 5 + BYTE_LENGTH(event_id) + BYTE_LENGTH(name) + BYTE_LENGTH(kind) + BYTE_LENGTH(TO_JSON_STRING(tags))' +
  ' + IF(call_count IS NULL, 0, 72 + IF(histogram IS NULL, 0, 13 + BYTE_LENGTH(TO_JSON_STRING(histogram))))';

const EVENTS = TABLES.metric_events as TableDef;
const MONTH = 'event_ts >= TIMESTAMP_MILLIS(@from_ms) AND event_ts < TIMESTAMP_MILLIS(@to_ms)';

/**
 * Per metric name, the events stored with event_ts in [@from_ms, @to_ms): rows, the calls they
 * stand for (merged events, issue #18), their BigQuery data size, the bytes insertAll bills (each
 * row at least 1 KB) and their estimated wire bytes.
 */
export const costEventsByMetric = defineQuery(
  'cost_events_by_metric',
  `WITH sized AS (
  SELECT name, COALESCE(call_count, 1) AS calls, ${rowBytesSql(EVENTS)} AS row_bytes,
    ${WIRE_EVENT_BYTES_SQL} AS wire_bytes
  FROM {{metric_events}}
  WHERE ${MONTH}
)
SELECT name, COUNT(*) AS events, SUM(calls) AS calls, SUM(row_bytes) AS row_bytes,
  SUM(GREATEST(1024, row_bytes)) AS insert_all_bytes, SUM(wire_bytes) AS wire_bytes
FROM sized
GROUP BY name
ORDER BY name`,
);

/**
 * The Pub/Sub messages of the same events (distinct message ids; an import's file:line ids count
 * too, see docs/COST.md): how many, and their bytes as Pub/Sub bills them — the events' wire
 * bytes, the envelope (`{"schema":"metrics.v1","source":{"service":…,"environment":…},"events":[…]}`:
 * 68 bytes and the two names), 20 bytes of publish timestamp and the message id — summed as they
 * are and with each message raised to the 1,000-byte minimum of a request (one message a request).
 */
export const costMessages = defineQuery(
  'cost_messages',
  `WITH messages AS (
  SELECT message_id,
    SUM(${WIRE_EVENT_BYTES_SQL}) + 68 + MAX(BYTE_LENGTH(service) + BYTE_LENGTH(environment)) + 20 + COALESCE(MAX(BYTE_LENGTH(message_id)), 0) AS message_bytes
  FROM {{metric_events}}
  WHERE ${MONTH}
  GROUP BY message_id
)
SELECT COUNT(*) AS messages, SUM(message_bytes) AS message_bytes,
  SUM(GREATEST(${PUBSUB_MIN_REQUEST_BYTES}, message_bytes)) AS message_billed_bytes
FROM messages`,
);

/** A stored table's data size per UTC day of its partition column, over [@from_ms, @to_ms): the storage model's input. */
export interface CostStorageQuery {
  readonly table: 'metric_events' | 'metric_rollups' | 'metric_histograms' | 'dead_letters';
  readonly query: SqlQuery;
}

function storageQuery(table: CostStorageQuery['table'], column: string, minuteSplit: boolean): CostStorageQuery {
  const def = TABLES[table] as TableDef;
  const windows = minuteSplit ? 'IF(window_seconds = 60, 1, 0)' : '0';
  return {
    table,
    query: defineQuery(
      `cost_storage_${table}`,
      `SELECT DIV(UNIX_MILLIS(${column}), 86400000) AS day, ${windows} AS minute_rows, COUNT(*) AS row_count, SUM(${rowBytesSql(def)}) AS bytes
FROM {{${table}}}
WHERE ${column} >= TIMESTAMP_MILLIS(@from_ms) AND ${column} < TIMESTAMP_MILLIS(@to_ms)
GROUP BY day, minute_rows
ORDER BY day, minute_rows`,
    ),
  };
}

export const COST_STORAGE: readonly CostStorageQuery[] = [
  storageQuery('metric_events', 'event_ts', false),
  storageQuery('metric_rollups', 'window_start', true),
  storageQuery('metric_histograms', 'window_start', true),
  storageQuery('dead_letters', 'received_at', false),
];

/**
 * Per UTC day of event_ts in [@from_ms, @to_ms), the data size of the columns of metric_events the
 * minute recompute reads (RECOMPUTE_COLUMNS of rollup-incremental.ts; BigQuery bills a query by
 * the columns it reads): the scan estimate's input (aggregator/cost/scan-estimate.ts).
 */
export const costRecomputeMetricEvents = defineQuery(
  'cost_recompute_metric_events',
  `SELECT DIV(UNIX_MILLIS(event_ts), 86400000) AS day, SUM(${rowBytesSql(EVENTS, '', RECOMPUTE_COLUMNS)}) AS bytes
FROM {{metric_events}}
WHERE ${MONTH}
GROUP BY day
ORDER BY day`,
);

export const QUERIES: SqlQuery[] = [costEventsByMetric, costMessages, ...COST_STORAGE.map((s) => s.query), costRecomputeMetricEvents];
