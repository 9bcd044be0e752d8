import { jobLabels } from './bigquery-job-scans';
import type { Query } from '@google-cloud/bigquery';
import type { ColumnType, TableDef } from '../tables';
import type { DeadLetterRow, EventRow, Params, Row, SqlValue } from '../warehouse';
import { parameterTypes } from './bigquery-parameters';

/**
 * Conversions between the port's values (timestamps as epoch ms, JSON as text) and BigQuery's.
 *
 * Streaming rows (tabledata.insertAll): TIMESTAMP as an RFC 3339 string (what the Node client
 * itself sends for a Date), JSON columns as JSON text (the legacy streaming API takes JSON values
 * as strings).
 */
export interface StreamingRow {
  readonly insertId: string;
  readonly json: Record<string, SqlValue>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** insertId = event_id: BigQuery drops a repeat of an insertId it saw in about the last minute. */
export function eventStreamingRow(r: EventRow): StreamingRow {
  return {
    insertId: r.event_id,
    json: {
      event_id: r.event_id,
      name: r.name,
      kind: r.kind,
      value: r.value,
      event_ts: iso(r.event_ts_ms),
      ingest_ts: iso(r.ingest_ts_ms),
      series_key: r.series_key,
      tags: r.tags,
      service: r.service,
      environment: r.environment,
      message_id: r.message_id,
      ...aggregateFields(r),
    },
  };
}

/**
 * The columns of a merged event (issue #18), only those it has: a single call sends none (they are
 * NULL), so its row stays as small as before. JSON as text, like tags; TIMESTAMP as RFC 3339.
 */
function aggregateFields(r: EventRow): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  if (r.call_count != null) out.call_count = r.call_count;
  if (r.value_min != null) out.value_min = r.value_min;
  if (r.value_max != null) out.value_max = r.value_max;
  if (r.last_value != null) out.last_value = r.last_value;
  if (r.start_ts_ms != null) out.start_ts = iso(r.start_ts_ms);
  if (r.histogram != null) out.histogram = r.histogram;
  if (r.value_sum != null) out.value_sum = r.value_sum;
  return out;
}

export function deadLetterStreamingRow(r: DeadLetterRow): StreamingRow {
  const { received_at_ms, ...rest } = r;
  return { insertId: r.dead_letter_id, json: { ...rest, received_at: iso(received_at_ms) } };
}

/**
 * Query options for a parameterised query: `params` as given, and `types` for every one of them,
 * nulls included, from the parameter's name (bigquery-parameters.ts) — never inferred from the
 * value, so a null or a whole-number FLOAT64 goes out with the type the SQL expects.
 */
export function queryOptions(queryName: string, sql: string, params: Params, location: string | undefined, dataset: string): Query {
  const types = parameterTypes(queryName, params);
  return {
    query: sql,
    params,
    ...(Object.keys(types).length > 0 ? { types } : {}),
    ...(location ? { location } : {}),
    // Which query and which deployment: `obs cost` sums the month's bytes billed by these (bigquery-job-scans.ts).
    labels: jobLabels(queryName, dataset),
  };
}

/** The parameter type a column's values travel as (TIMESTAMP as INT64 epoch ms, JSON as text). */
export function parameterType(type: ColumnType): string {
  switch (type) {
    case 'TIMESTAMP':
      return 'INT64';
    case 'JSON':
      return 'STRING';
    default:
      return type;
  }
}

/** ARRAY<STRUCT<…>> parameter types of `columns` of `table`, for `UNNEST(@rows)`. */
export function rowStructType(table: TableDef, columns: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of columns) {
    const column = table.columns.find((c) => c.name === name);
    if (!column) throw new Error(`${table.name} has no column ${name}`);
    out[name] = parameterType(column.type);
  }
  return out;
}

/**
 * A result row as the port promises: numbers, strings, booleans, nulls. The client hands back
 * BigQueryTimestamp / BigQueryDate / Big (NUMERIC) / BigQueryInt wrappers for some types:
 * timestamps become epoch ms, the others their plain value; arrays and structs JSON text.
 */
export function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = normaliseValue(value);
  return out;
}

function normaliseValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  const kind = (value as { constructor?: { name?: string } }).constructor?.name;
  const inner = (value as { value?: unknown }).value;
  if (kind === 'BigQueryTimestamp' && typeof inner === 'string') return Date.parse(inner);
  if (kind === 'BigQueryInt' && inner !== undefined) return Number(inner);
  if (kind === 'Big') return Number((value as { toString(): string }).toString()); // NUMERIC, BIGNUMERIC
  if (typeof inner === 'string') return inner; // BigQueryDate, BigQueryDatetime, BigQueryTime, Geography
  return JSON.stringify(value);
}
