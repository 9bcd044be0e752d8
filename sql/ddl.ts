import { DEFAULTS, type RetentionDays } from '../shared/config';
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

/** BigQuery's limit on the partitions of one table (https://cloud.google.com/bigquery/quotas, "Partitioned tables"). */
export const BIGQUERY_MAX_PARTITIONS = 10_000;

/** A table's partition length in minutes on BigQuery: 1,440 (DAY, the default) or 60 (HOUR); undefined when not partitioned. */
export function partitionMinutes(table: Pick<TableDef, 'partitionBy' | 'partitionGranularity'>): number | undefined {
  if (!table.partitionBy) return undefined;
  return table.partitionGranularity === 'HOUR' ? 60 : 1_440;
}

/**
 * The longest partition expiry, in days, whose partitions stay within {@link BIGQUERY_MAX_PARTITIONS}:
 * days × partitions a day, plus the partition being written and one ahead (ingest takes event
 * times up to 15 minutes in the future, shared/event-schema.ts). Hourly: 416 days (9,984 + 2
 * partitions); daily: 9,998.
 */
export function maxRetentionDays(table: Pick<TableDef, 'partitionBy' | 'partitionGranularity'>): number {
  const minutes = partitionMinutes(table) ?? 1_440;
  return Math.floor((BIGQUERY_MAX_PARTITIONS - 2) / (1_440 / minutes));
}

/** BigQuery's PARTITION BY clause of a partitioned table. */
export function partitionClause(table: Pick<TableDef, 'partitionBy' | 'partitionGranularity'>): string | undefined {
  if (!table.partitionBy) return undefined;
  return table.partitionGranularity === 'HOUR' ? `PARTITION BY TIMESTAMP_TRUNC(${table.partitionBy}, HOUR)` : `PARTITION BY DATE(${table.partitionBy})`;
}

/**
 * BigQuery partition expiry of a table, in days (issue #13; docs/OPERATIONS.md, "Retention"), or
 * undefined for the tables that keep everything. The rollup tables hold 1-minute, 1-hour and
 * 1-day windows in the same day partitions, so their expiry is the hour/day retention; their
 * 1-minute rows go earlier, by DELETE (`obs retention apply`, aggregator/retention.ts).
 */
export function partitionExpirationDays(table: TableName, retention: RetentionDays = DEFAULTS.retention): number | undefined {
  switch (table) {
    case 'metric_events':
    case 'ingest_batches':
      return retention.eventsDays;
    case 'dead_letters':
      return retention.deadLettersDays;
    case 'metric_rollups':
    case 'metric_histograms':
      return retention.rollupsDays;
    default:
      return undefined;
  }
}

/**
 * BigQuery: sets a table's partition expiry (DDL, not billed). `createSchema` runs it on tables an
 * older build created, or whose configured retention changed: `CREATE TABLE IF NOT EXISTS` never
 * alters a table. Undefined for tables without retention.
 */
export function renderPartitionExpiry(table: TableDef, dataset?: string, retention: RetentionDays = DEFAULTS.retention): string | undefined {
  const days = partitionExpirationDays(table.name as TableName, retention);
  if (days === undefined || !table.partitionBy) return undefined;
  return renderSql(`ALTER TABLE {{${table.name}}}\nSET OPTIONS(partition_expiration_days=${days});`, 'bigquery', dataset === undefined ? {} : { dataset });
}

/**
 * CREATE TABLE IF NOT EXISTS for one table. BigQuery: day (or hour, {@link partitionClause}) partitioning on `partitionBy`
 * (with require_partition_filter on public time-series tables, so no query scans everything),
 * clustering, column descriptions, and partition expiry on the tables with retention
 * ({@link partitionExpirationDays}; `retention` defaults to DEFAULTS.retention, the golden files). DuckDB: a PRIMARY KEY on the table's key, which is what
 * makes duplicate event ids impossible there — except on tables marked `duckdbIndexKey: false`
 * (the rollup projections, sql/tables.ts), whose writers keep the key unique themselves.
 * `IF NOT EXISTS` never alters a table: a DuckDB file created before a table lost its key keeps
 * the key (still correct, only slower to rebuild).
 */
export function renderCreateTable(table: TableDef, dialect: Dialect, dataset?: string, retention: RetentionDays = DEFAULTS.retention): string {
  if (dialect === 'bigquery') {
    const columns = table.columns.map(
      (c) => `  ${c.name} ${c.type}${c.required ? ' NOT NULL' : ''} OPTIONS(description=${sqlString(c.description)})`,
    );
    const lines = [`CREATE TABLE IF NOT EXISTS {{${table.name}}} (`, columns.join(',\n'), ')'];
    const partition = partitionClause(table);
    if (partition) lines.push(partition);
    if (table.clusterBy && table.clusterBy.length > 0) lines.push(`CLUSTER BY ${table.clusterBy.join(', ')}`);
    const options = [`description=${sqlString(table.description)}`];
    if (table.partitionBy) options.push('require_partition_filter=TRUE');
    const expiryDays = table.partitionBy ? partitionExpirationDays(table.name as TableName, retention) : undefined;
    if (expiryDays !== undefined && expiryDays > maxRetentionDays(table)) {
      throw new Error(`${table.name}: a partition expiry of ${expiryDays} days is more than BigQuery's ${BIGQUERY_MAX_PARTITIONS.toLocaleString('en-US')} partitions of a table allow with ${table.partitionGranularity === 'HOUR' ? 'hourly' : 'daily'} partitions (at most ${maxRetentionDays(table)} days)`);
    }
    if (expiryDays !== undefined) options.push(`partition_expiration_days=${expiryDays}`);
    lines.push(`OPTIONS(${options.join(', ')});`);
    return renderSql(lines.join('\n'), 'bigquery', dataset === undefined ? {} : { dataset });
  }
  const columns = table.columns.map((c) => `  ${c.name} ${DUCKDB_TYPES[c.type]}${c.required ? ' NOT NULL' : ''}`);
  if (table.duckdbIndexKey !== false) columns.push(`  PRIMARY KEY (${table.key.join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${columns.join(',\n')}\n);`;
}

/** DDL for every table, in dependency-free order. */
export function renderSchema(dialect: Dialect, dataset?: string, retention: RetentionDays = DEFAULTS.retention): string[] {
  return (Object.keys(TABLES) as TableName[]).map((name) => renderCreateTable(TABLES[name], dialect, dataset, retention));
}
