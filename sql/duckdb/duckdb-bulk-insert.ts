import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { TABLES, type TableDef } from '../tables';
import type { DeadLetterRow } from '../warehouse';
import { firstOfEachKey } from '../dedup';

/**
 * Bulk insert with "first writer wins" dedup, for the append-only tables ingest writes
 * (`dead_letters` here; `metric_events` has its own tuned variant, duckdb-event-inserter.ts).
 *
 * Rows go through DuckDB's appender (no SQL parsing, no per-value parameter binding: the fastest
 * way in from JavaScript) into a TEMP staging table without constraints, then one statement moves
 * them across:
 *   1. `INSERT INTO t SELECT … FROM staging` — the common case, no key already stored;
 *   2. only if (1) hits the PRIMARY KEY (a redelivery), the same with `ON CONFLICT DO NOTHING`.
 * Why not always (2): DuckDB's ON CONFLICT path costs several times a plain insert and grows with
 * the table (measured: ~7 → ~17 µs/row from 0 to 600k rows, against a flat ~4 µs), while
 * duplicates are rare. The table's PRIMARY KEY (sql/ddl.ts) makes a second row with one key
 * impossible either way, and `rowsChanged` is exactly the number of new rows. Each move is one
 * statement, so a crash (even SIGKILL) leaves either all of a call's rows or none.
 *
 * Staging keeps timestamps as DOUBLE epoch ms (appending a DuckDB TIMESTAMP from JS would cost a
 * BigInt per value) and JSON as VARCHAR; the INSERT converts them.
 */
export interface StagedColumn<R> {
  readonly name: string;
  /** Writes this column of `row` to the appender (exactly one append call). */
  readonly append: (appender: DuckDBAppender, row: R) => void;
}

export interface BulkTable<R> {
  readonly table: TableDef;
  readonly columns: readonly StagedColumn<R>[];
  /** The dedup key of a row (the table's single key column). */
  readonly key: (row: R) => string;
}

const varchar =
  <R>(get: (row: R) => string) =>
  (a: DuckDBAppender, row: R) =>
    a.appendVarchar(get(row));
const nullableVarchar =
  <R>(get: (row: R) => string | null) =>
  (a: DuckDBAppender, row: R) => {
    const v = get(row);
    if (v === null) a.appendNull();
    else a.appendVarchar(v);
  };
const double =
  <R>(get: (row: R) => number) =>
  (a: DuckDBAppender, row: R) =>
    a.appendDouble(get(row));
const nullableNumber =
  <R>(get: (row: R) => number | null) =>
  (a: DuckDBAppender, row: R) => {
    const v = get(row);
    if (v === null) a.appendNull();
    else a.appendDouble(v);
  };

/** `dead_letters`, column for column in the order of sql/tables.ts. */
export const DEAD_LETTER_COLUMNS: BulkTable<DeadLetterRow> = {
  table: TABLES.dead_letters,
  key: (r) => r.dead_letter_id,
  columns: [
    { name: 'dead_letter_id', append: varchar((r) => r.dead_letter_id) },
    { name: 'received_at', append: double((r) => r.received_at_ms) },
    { name: 'scope', append: varchar((r) => r.scope) },
    { name: 'message_id', append: nullableVarchar((r) => r.message_id) },
    { name: 'event_index', append: nullableNumber((r) => r.event_index) },
    { name: 'event_id', append: nullableVarchar((r) => r.event_id) },
    { name: 'reason_codes', append: varchar((r) => r.reason_codes) },
    { name: 'reasons', append: varchar((r) => r.reasons) },
    { name: 'raw_payload', append: varchar((r) => r.raw_payload) },
    { name: 'service', append: nullableVarchar((r) => r.service) },
  ],
};

const stagingName = (table: TableDef) => `_staging_${table.name}`;

function stagingType(table: TableDef, column: string): string {
  const type = table.columns.find((c) => c.name === column)?.type;
  if (type === 'TIMESTAMP' || type === 'FLOAT64' || type === 'INT64') return 'DOUBLE';
  if (type === 'BOOL') return 'BOOLEAN';
  return 'VARCHAR';
}

function selectExpression(table: TableDef, column: string): string {
  const type = table.columns.find((c) => c.name === column)?.type;
  if (type === 'TIMESTAMP') return `epoch_ms(CAST(${column} AS BIGINT))`;
  if (type === 'INT64') return `CAST(${column} AS BIGINT)`;
  if (type === 'JSON') return `json(${column})`;
  return column;
}

/** Checks once, at module load, that a column list matches its table: a new column fails loudly. */
function assertCovers(spec: BulkTable<unknown>): void {
  const expected = spec.table.columns.map((c) => c.name).join(',');
  const got = spec.columns.map((c) => c.name).join(',');
  if (expected !== got) throw new Error(`bulk insert columns for ${spec.table.name} are out of step with sql/tables.ts: ${got} ≠ ${expected}`);
}
assertCovers(DEAD_LETTER_COLUMNS as BulkTable<unknown>);

/**
 * Stages and moves rows for one table on one connection. Create once per connection: the
 * staging table is a TEMP table, private to that connection.
 */
export class BulkInserter<R> {
  private ready = false;
  private readonly insertSql: string;

  constructor(private readonly spec: BulkTable<R>) {
    const { table } = spec;
    const names = spec.columns.map((c) => c.name);
    this.insertSql =
      `INSERT INTO ${table.name} (${names.join(', ')}) ` +
      `SELECT ${names.map((n) => selectExpression(table, n)).join(', ')} FROM temp.main.${stagingName(table)}`;
  }

  /**
   * Inserts `rows`, skipping any whose key is already stored or repeats an earlier row of the same
   * call (the first one wins). Returns the number of rows newly stored. The caller serialises
   * calls on the connection.
   */
  async insert(connection: DuckDBConnection, rows: readonly R[]): Promise<number> {
    const unique = firstOfEachKey(rows, this.spec.key);
    if (unique.length === 0) return 0;
    const staging = stagingName(this.spec.table);
    if (!this.ready) {
      const columns = this.spec.columns.map((c) => `${c.name} ${stagingType(this.spec.table, c.name)}`);
      await connection.run(`CREATE TEMP TABLE IF NOT EXISTS ${staging} (${columns.join(', ')})`);
      this.ready = true;
    }
    // Empty at the start as well as the end: a call that failed half-way may have left rows.
    await connection.run(`DELETE FROM temp.main.${staging}`);
    const appender = await connection.createAppender(staging, 'main', 'temp');
    try {
      const columns = this.spec.columns;
      for (const row of unique) {
        for (const column of columns) column.append(appender, row);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    try {
      return await moveStaged(connection, this.insertSql);
    } finally {
      await connection.run(`DELETE FROM temp.main.${staging}`);
    }
  }
}

/**
 * Runs `insertSql` (an INSERT … SELECT from staging); if it hits the PRIMARY KEY, runs it again
 * with ON CONFLICT DO NOTHING. Returns the number of rows stored.
 */
export async function moveStaged(connection: DuckDBConnection, insertSql: string): Promise<number> {
  try {
    return Number((await connection.run(insertSql)).rowsChanged);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return Number((await connection.run(`${insertSql} ON CONFLICT DO NOTHING`)).rowsChanged);
  }
}

/** DuckDB's error for a second row with a stored key ("Duplicate key … violates primary key constraint"). */
export function isDuplicateKey(error: unknown): boolean {
  // Duck-typed: errors from the native binding are not always `instanceof Error` (jest's realms).
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /violates primary key constraint|Duplicate key/i.test(message);
}
