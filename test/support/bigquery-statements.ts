import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { regionOf, renderJobScans } from '../../sql/bigquery/bigquery-job-scans';
import { renderMerge } from '../../sql/bigquery/bigquery-merge';
import { parameterNames, parameterTypeOf } from '../../sql/bigquery/bigquery-parameters';
import { renderCreateTable, renderPartitionExpiry } from '../../sql/ddl';
import { renderSql } from '../../sql/dialect';
import { renderEventsHourlyMigration } from '../../sql/events-hourly-migration';
import { allQueries } from '../../sql/golden';
import { ADDED_COLUMNS, renderAddedColumns } from '../../sql/migrations';
import { TABLES, type ColumnType, type TableDef, type TableName } from '../../sql/tables';
import type { Row, SqlValue } from '../../sql/warehouse';
import type { ProvidedType } from './bigquery-analyzer';

/**
 * Every statement the project can send to BigQuery, rendered as the BigQuery adapter renders it
 * (dataset `observability`, as in the golden files and the docs), each with the parameter types
 * the adapter would bind:
 *   - `ddl`: CREATE TABLE of every table (sql/ddl.ts), the partition expiry set on existing tables
 *     (ALTER TABLE … SET OPTIONS, sql/ddl.ts) and the additive migrations (sql/migrations.ts);
 *   - `query`: every named query (sql/queries/*.ts `QUERIES`, collected by sql/golden.ts), its
 *     parameters typed by name (sql/bigquery/bigquery-parameters.ts, as `queryOptions` does);
 *   - `merge`: the MERGE `upsert` renders for every table (sql/bigquery/bigquery-merge.ts), with all
 *     columns and with the key columns only (no UPDATE branch), typed by the statement's own `types`;
 *   - `doc`: the BigQuery SQL blocks of the docs (```sql blocks naming `observability.` tables).
 * The streaming paths (insertAll) send rows, not SQL: nothing to analyse there.
 */
export type StatementKind = 'ddl' | 'query' | 'merge' | 'doc';

export interface BigQueryStatement {
  readonly kind: StatementKind;
  /** Where it comes from: `ddl/metric_events`, `query/rollup_minutes`, `docs/ANALYSTS.md:40`, … */
  readonly id: string;
  readonly sql: string;
  readonly parameters: Readonly<Record<string, ProvidedType>>;
  /** Parameters the adapter could not type (it would refuse the query): listed as a rejection. */
  readonly untyped: readonly string[];
  /** Several `;`-separated statements (doc blocks). */
  readonly script?: boolean;
}

export const DATASET = 'observability';

/** The CREATE TABLE statements: the catalog is built from these. */
export function ddlStatements(): BigQueryStatement[] {
  return (Object.keys(TABLES) as TableName[]).map((name) => ({ kind: 'ddl', id: `ddl/${name}`, sql: renderCreateTable(TABLES[name], 'bigquery', DATASET), parameters: {}, untyped: [] }));
}

function retentionStatements(): BigQueryStatement[] {
  return (Object.keys(TABLES) as TableName[]).flatMap((name) => {
    const sql = renderPartitionExpiry(TABLES[name], DATASET);
    return sql === undefined ? [] : [{ kind: 'ddl' as const, id: `ddl/retention/${name}`, sql, parameters: {}, untyped: [] }];
  });
}

function migrationStatements(): BigQueryStatement[] {
  return ADDED_COLUMNS.flatMap((added) =>
    renderAddedColumns(added, 'bigquery', DATASET).map((sql, i) => ({ kind: 'ddl' as const, id: `ddl/migrations/${added.table}#${i}`, sql, parameters: {}, untyped: [] })),
  );
}

/** A statement whose `@name` parameters are typed as the adapter types them (by name). */
function typedByName(kind: StatementKind, id: string, sql: string, script = false): BigQueryStatement {
  const parameters: Record<string, ProvidedType> = {};
  const untyped: string[] = [];
  for (const name of parameterNames(sql)) {
    const type = parameterTypeOf(name);
    if (type === undefined) untyped.push(name);
    else parameters[name] = type;
  }
  return { kind, id, sql, parameters, untyped, ...(script ? { script } : {}) };
}

export function queryStatements(): BigQueryStatement[] {
  return allQueries().map((q) => typedByName('query', `query/${q.name}`, renderSql(q.text, 'bigquery', { dataset: DATASET }), q.statements !== undefined));
}

const SAMPLE: Record<ColumnType, SqlValue> = { STRING: 's', INT64: 1, FLOAT64: 1.5, BOOL: true, TIMESTAMP: Date.UTC(2026, 10, 27), JSON: '{}' };

function mergeStatement(table: TableDef, columns: readonly string[], id: string): BigQueryStatement {
  const row: Row = Object.fromEntries(table.columns.filter((c) => columns.includes(c.name)).map((c) => [c.name, SAMPLE[c.type]]));
  const merge = renderMerge(table, [row], DATASET);
  return { kind: 'merge', id, sql: merge.sql, parameters: merge.types as Record<string, ProvidedType>, untyped: [] };
}

export function mergeStatements(): BigQueryStatement[] {
  return (Object.keys(TABLES) as TableName[]).flatMap((name) => {
    const table: TableDef = TABLES[name];
    const keyOnly = [...new Set([...table.key, ...(table.partitionBy ? [table.partitionBy] : [])])];
    return [
      mergeStatement(table, table.columns.map((c) => c.name), `merge/${name}`),
      mergeStatement(table, keyOnly, `merge/${name} (key columns only)`),
    ];
  });
}

const ROOT = join(__dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', 'lib', '.git', '.data', 'test-artifacts', 'coverage']);

function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) return [];
    if (e.isDirectory()) return markdownFiles(join(dir, e.name));
    return e.name.endsWith('.md') ? [join(dir, e.name)] : [];
  });
}

export interface DocSqlBlock {
  /** `docs/ANALYSTS.md:40` (the line of the opening fence). */
  readonly id: string;
  readonly sql: string;
  /** The prose just before the block (to tell DuckDB examples from BigQuery ones). */
  readonly before: string;
}

/** Every ```sql block of the repository's Markdown (an indented fence too, de-indented). */
export function docSqlBlocks(): DocSqlBlock[] {
  const blocks: DocSqlBlock[] = [];
  for (const file of markdownFiles()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)```sql\s*$/.exec(lines[i] as string);
      if (!open) continue;
      const indent = open[1]?.length ?? 0;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] as string); j++) body.push((lines[j] as string).slice(indent));
      blocks.push({ id: `${relative(ROOT, file)}:${i + 1}`, sql: body.join('\n'), before: lines.slice(Math.max(0, i - 4), i).join('\n') });
      i = j;
    }
  }
  return blocks;
}

/** A doc block is BigQuery SQL when it names a table as `observability.<table>`, as BigQuery does. */
export const isBigQueryBlock = (block: DocSqlBlock) => block.sql.includes(`\`${DATASET}.`);

export function docStatements(): BigQueryStatement[] {
  return docSqlBlocks().filter(isBigQueryBlock).map((b) => typedByName('doc', b.id, b.sql, true));
}

/** `obs migrate events-hourly`'s statements (sql/events-hourly-migration.ts), at a fixed cut-off. */
export function eventsHourlyMigrationStatements(): BigQueryStatement[] {
  return renderEventsHourlyMigration({ atMs: Date.UTC(2026, 10, 27, 23, 30), dataset: DATASET }).map((step, i) => ({ kind: 'ddl' as const, id: `migrate/events-hourly#${i} (${step.kind})`, sql: step.sql, parameters: {}, untyped: [] }));
}

/** The tables the migration creates beside the others: the analyzer's catalog needs them to resolve its INSERTs. */
export function migrationCatalogStatements(): BigQueryStatement[] {
  return eventsHourlyMigrationStatements().filter((s) => s.sql.startsWith('CREATE TABLE'));
}

/** `obs cost`'s read of BigQuery's job statistics (sql/bigquery/bigquery-job-scans.ts), as the adapter renders it for the US multi-region. */
export function jobScanStatements(): BigQueryStatement[] {
  return [typedByName('query', 'bigquery/cost_job_scans', renderJobScans('US'))];
}

/**
 * The INFORMATION_SCHEMA.JOBS view as the analyzer's catalog needs it: the columns the read uses,
 * typed as BigQuery documents them (https://cloud.google.com/bigquery/docs/information-schema-jobs:
 * creation_time TIMESTAMP, job_type and parent_job_id STRING, labels a repeated key/value RECORD,
 * total_bytes_processed and total_bytes_billed INTEGER).
 */
export function informationSchemaCatalogStatements(): BigQueryStatement[] {
  const sql = `CREATE TABLE \`${regionOf('US')}.INFORMATION_SCHEMA.JOBS\` (creation_time TIMESTAMP, job_type STRING, parent_job_id STRING, labels ARRAY<STRUCT<key STRING, value STRING>>, total_bytes_processed INT64, total_bytes_billed INT64)`;
  return [{ kind: 'ddl', id: 'catalog/INFORMATION_SCHEMA.JOBS', sql, parameters: {}, untyped: [] }];
}

export function allBigQueryStatements(): BigQueryStatement[] {
  return [...ddlStatements(), ...retentionStatements(), ...migrationStatements(), ...eventsHourlyMigrationStatements(), ...queryStatements(), ...jobScanStatements(), ...mergeStatements(), ...docStatements()];
}
