import { renderSql, type Dialect } from './dialect';
import { TABLES, type ColumnDef, type TableName } from './tables';

/**
 * Additive schema changes for tables created by an older build. `CREATE TABLE IF NOT EXISTS`
 * (sql/ddl.ts) never alters a table, so a column added to sql/tables.ts after a release is also
 * listed here, and `createSchema` adds it where it is missing: `ALTER TABLE … ADD COLUMN IF NOT
 * EXISTS`, nullable, never dropping or rewriting data. New columns go at the end of their table,
 * so a migrated table and a new one have the same columns in the same order.
 */
export interface AddedColumns {
  readonly table: TableName;
  /** Why and when, for the reader of the golden file. */
  readonly reason: string;
  readonly columns: readonly string[];
}

export const ADDED_COLUMNS: readonly AddedColumns[] = [
  {
    table: 'metric_events',
    reason: 'merged events (issue #18, docs/WIRE_FORMAT.md)',
    columns: ['call_count', 'value_min', 'value_max', 'last_value', 'start_ts', 'histogram', 'value_sum'],
  },
];

const DUCKDB_TYPES: Record<ColumnDef['type'], string> = { STRING: 'VARCHAR', INT64: 'BIGINT', FLOAT64: 'DOUBLE', BOOL: 'BOOLEAN', TIMESTAMP: 'TIMESTAMP', JSON: 'JSON' };
const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function columnDef(table: TableName, name: string): ColumnDef {
  const column = (TABLES[table].columns as readonly ColumnDef[]).find((c) => c.name === name);
  if (!column) throw new Error(`sql/migrations.ts adds ${table}.${name}, which sql/tables.ts does not define`);
  if (column.required) throw new Error(`sql/migrations.ts adds ${table}.${name}, which is NOT NULL: an added column must be nullable`);
  return column;
}

/**
 * The migration of one table as statements for one dialect (empty when nothing was added).
 * DuckDB takes one column per ALTER; BigQuery takes them all in one statement (DDL is free there).
 */
export function renderAddedColumns(added: AddedColumns, dialect: Dialect, dataset?: string): string[] {
  const columns = added.columns.map((name) => columnDef(added.table, name));
  if (dialect === 'duckdb') return columns.map((c) => `ALTER TABLE ${added.table} ADD COLUMN IF NOT EXISTS ${c.name} ${DUCKDB_TYPES[c.type]};`);
  const clauses = columns.map((c) => `  ADD COLUMN IF NOT EXISTS ${c.name} ${c.type} OPTIONS(description=${sqlString(c.description)})`);
  return [renderSql(`ALTER TABLE {{${added.table}}}\n${clauses.join(',\n')};`, 'bigquery', dataset === undefined ? {} : { dataset })];
}
