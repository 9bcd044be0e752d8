import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderSchema } from '../sql/ddl';
import { DUCKDB_FILE_SETTINGS } from '../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../sql';

/**
 * The physical limit ingest is compared with: rows appended straight into `metric_events` (same
 * DDL, same PRIMARY KEY) through DuckDB's appender, one flush per `rowsPerFlush` rows — no
 * decoding, no validation, no staging, no dedup. Timestamps as DuckDB wants them (µs BigInt).
 */
export interface AppenderTarget {
  readonly connection: DuckDBConnection;
  close(): void;
}

export async function openAppenderTarget(path: string): Promise<AppenderTarget> {
  mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  // The same file settings as the adapter: the comparison is of the two paths, not two configurations.
  for (const setting of DUCKDB_FILE_SETTINGS) await connection.run(setting);
  for (const ddl of renderSchema('duckdb')) await connection.run(ddl);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** call_count, value_min, value_max, last_value, start_ts, histogram, value_sum (sql/tables.ts). */
const MERGED_EVENT_COLUMNS = 7;

export async function appendStraight(target: AppenderTarget, rows: readonly EventRow[], rowsPerFlush: number): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerFlush) {
    const appender = await target.connection.createAppender('metric_events');
    for (let i = start; i < Math.min(rows.length, start + rowsPerFlush); i++) {
      const r = rows[i] as EventRow;
      appender.appendVarchar(r.event_id);
      appender.appendVarchar(r.name);
      appender.appendVarchar(r.kind);
      appender.appendDouble(r.value);
      appender.appendTimestamp(new DuckDBTimestampValue(BigInt(r.event_ts_ms) * 1000n));
      appender.appendTimestamp(new DuckDBTimestampValue(BigInt(r.ingest_ts_ms) * 1000n));
      appender.appendVarchar(r.series_key);
      appender.appendVarchar(r.tags);
      appender.appendVarchar(r.service);
      appender.appendVarchar(r.environment);
      if (r.message_id === null) appender.appendNull();
      else appender.appendVarchar(r.message_id);
      // The merged-event columns (issue #18), NULL on a single call: a row must fill every column.
      for (let c = 0; c < MERGED_EVENT_COLUMNS; c++) appender.appendNull();
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
  }
}
