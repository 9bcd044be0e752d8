import type { JobScan } from './bigquery/bigquery-job-scans';
import type { Dialect, SqlQuery } from './dialect';
import type { TableName } from './tables';

/**
 * A value crossing the warehouse port. Timestamps cross as epoch milliseconds (numbers); JSON
 * columns as JSON text. Adapters convert BIGINT/INT64 results to numbers (exact below 2^53).
 */
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, SqlValue>;
export type Params = Record<string, SqlValue>;

/** One row of `metric_events`, ready to store (ingest builds it from a validated event). */
export interface EventRow {
  event_id: string;
  name: string;
  kind: string;
  value: number;
  event_ts_ms: number;
  ingest_ts_ms: number;
  series_key: string;
  /** JSON text of the tags object. */
  tags: string;
  service: string;
  environment: string;
  message_id: string | null;
  /**
   * A merged event (issue #18, docs/WIRE_FORMAT.md): the calls it stands for and their aggregates.
   * Absent or null on a single call, which is what older producers send (call_count NULL = 1).
   */
  call_count?: number | null;
  value_min?: number | null;
  value_max?: number | null;
  last_value?: number | null;
  start_ts_ms?: number | null;
  /** JSON text of the `[[bucket, count], …]` pairs (merged timings). */
  histogram?: string | null;
  /** Merged gauges: the sum of the values (`value` is the last). */
  value_sum?: number | null;
}

/** One row of `dead_letters`. */
export interface DeadLetterRow {
  dead_letter_id: string;
  received_at_ms: number;
  scope: 'message' | 'event';
  message_id: string | null;
  event_index: number | null;
  event_id: string | null;
  reason_codes: string;
  /** JSON text: [{code, field, message}]. */
  reasons: string;
  raw_payload: string;
  service: string | null;
}

export interface InsertEventsResult {
  /** Rows newly stored. */
  inserted: number;
  /** Rows skipped because their event_id was already stored (or repeated within the call). */
  duplicates: number;
}

/**
 * The warehouse port. Two adapters: DuckDB (embedded, local and tests) and BigQuery (production).
 *
 * Contract:
 * - `createSchema` is idempotent: it creates the dataset and missing tables, never drops data.
 * - `insertEvents` never stores two rows with one event_id (DuckDB enforces it; BigQuery makes a
 *   best-effort insertId dedup, so readers also deduplicate by event_id — docs/ANALYSTS.md).
 *   It throws on a transient failure (the caller lets Pub/Sub redeliver).
 * - `query` runs a parameterised, dialect-rendered read; `execute` a parameterised write
 *   (MERGE, DELETE, INSERT … SELECT). Never build SQL by string concatenation of values.
 * - `upsert` writes rows keyed by the table's key columns (sql/tables.ts): MERGE semantics,
 *   so re-running a job with the same input leaves the same rows.
 */
export interface Warehouse {
  readonly dialect: Dialect;
  createSchema(): Promise<void>;
  insertEvents(rows: readonly EventRow[]): Promise<InsertEventsResult>;
  insertDeadLetters(rows: readonly DeadLetterRow[]): Promise<void>;
  query<T extends Row = Row>(query: SqlQuery, params?: Params): Promise<T[]>;
  execute(query: SqlQuery, params?: Params): Promise<void>;
  upsert(table: TableName, rows: readonly Row[]): Promise<void>;
  close(): Promise<void>;
  /**
   * BigQuery: the partition length, in minutes, of `table` as it exists (60 hourly, 1,440 daily;
   * undefined when missing or not time-partitioned) — a table an older build created keeps its
   * partitioning (docs/DEPLOYMENT.md, "Hourly partitions of metric_events"). Absent on DuckDB.
   */
  partitionMinutes?(table: TableName): Promise<number | undefined>;
  /**
   * BigQuery: the bytes its on-demand pricing billed this deployment's query jobs created in
   * [fromMs, toMs), per query (sql/bigquery/bigquery-job-scans.ts). Absent on DuckDB (or
   * resolving to undefined, through a wrapper of either).
   */
  jobScans?(fromMs: number, toMs: number): Promise<readonly JobScan[] | undefined>;
}
