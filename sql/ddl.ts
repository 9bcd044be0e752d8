import { renderSql, type Dialect } from './dialect';
import { TABLES, type ColumnType, type TableDef, type TableName } from './tables';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  JSON: 'JSON',
};

const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * CREATE TABLE IF NOT EXISTS for one table. BigQuery: day partitioning on `partitionBy`
 * (with require_partition_filter on public time-series tables, so no query scans everything),
 * clustering, and column descriptions. DuckDB: a PRIMARY KEY on the table's key, which is what
 * makes duplicate event ids impossible there — except on tables marked `duckdbIndexKey: false`
 * (the rollup projections, sql/tables.ts), whose writers keep the key unique themselves.
 * `IF NOT EXISTS` never alters a table: a DuckDB file created before a table lost its key keeps
 * the key (still correct, only slower to rebuild).
 */
export function renderCreateTable(table: TableDef, dialect: Dialect, dataset?: string): string {
  if (dialect === 'bigquery') {
    const columns = table.columns.map(
      (c) => `  ${c.name} ${c.type}${c.required ? ' NOT NULL' : ''} OPTIONS(description=${sqlString(c.description)})`,
    );
    const lines = [`CREATE TABLE IF NOT EXISTS {{${table.name}}} (`, columns.join(',\n'), ')'];
    if (table.partitionBy) lines.push(`PARTITION BY DATE(${table.partitionBy})`);
    if (table.clusterBy && table.clusterBy.length > 0) lines.push(`CLUSTER BY ${table.clusterBy.join(', ')}`);
    const options = [`description=${sqlString(table.description)}`];
    if (table.partitionBy) options.push('require_partition_filter=TRUE');
    lines.push(`OPTIONS(${options.join(', ')});`);
    return renderSql(lines.join('\n'), 'bigquery', dataset === undefined ? {} : { dataset });
  }
  const columns = table.columns.map((c) => `  ${c.name} ${DUCKDB_TYPES[c.type]}${c.required ? ' NOT NULL' : ''}`);
  if (table.duckdbIndexKey !== false) columns.push(`  PRIMARY KEY (${table.key.join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${columns.join(',\n')}\n);`;
}

/** DDL for every table, in dependency-free order. */
export function renderSchema(dialect: Dialect, dataset?: string): string[] {
  return (Object.keys(TABLES) as TableName[]).map((name) => renderCreateTable(TABLES[name], dialect, dataset));
}
