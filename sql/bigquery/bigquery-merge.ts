import type { TableDef } from '../tables';
import type { Row } from '../warehouse';
import { rowStructType } from './bigquery-values';

/**
 * `upsert` for BigQuery: one MERGE per chunk of rows, the rows passed as one ARRAY<STRUCT>
 * query parameter (never spliced into the SQL text):
 *
 *   MERGE `dataset.table` AS t
 *   USING (SELECT r.a AS a, TIMESTAMP_MILLIS(r.ts) AS ts, PARSE_JSON(r.j) AS j FROM UNNEST(@rows) AS r) AS s
 *   ON t.k = s.k AND t.<partition> BETWEEN TIMESTAMP_MILLIS(@partition_from_ms) AND TIMESTAMP_MILLIS(@partition_to_ms)
 *   WHEN MATCHED THEN UPDATE SET …
 *   WHEN NOT MATCHED THEN INSERT (…) VALUES (…)
 *
 * The partition range (the rows' own min and max) is a constant filter on the partition column:
 * BigQuery requires one on tables with require_partition_filter (sql/ddl.ts), and it limits the
 * scan to the partitions the rows live in. Consequence: a row's partition column is part of its
 * identity — an upsert that changes it inserts a new row rather than moving the old one (true of
 * every table here, whose partition column is in the key or never changes).
 *
 * Rows from streaming inserts sit in the streaming buffer for a while and DML cannot touch them;
 * upsert is for the tables written by MERGE only (rollups, SLO status, job state, alert log).
 */
export interface MergeStatement {
  readonly sql: string;
  readonly params: Record<string, unknown>;
  /**
   * The type of every parameter, as the client is told them: `rows` as ARRAY<STRUCT<…>> of the
   * columns' parameter types (bigquery-values.ts), so a column that is null in every row is still
   * typed; the partition bounds as INT64.
   */
  readonly types: Record<string, unknown>;
  readonly columns: readonly string[];
}

/** Columns present in any of `rows`, in table order. */
export function presentColumns(table: TableDef, rows: readonly Row[]): string[] {
  return table.columns.map((c) => c.name).filter((name) => rows.some((r) => r[name] !== undefined));
}

export function renderMerge(table: TableDef, rows: readonly Row[], dataset: string): MergeStatement {
  const columns = presentColumns(table, rows);
  for (const key of table.key) {
    if (!columns.includes(key)) throw new Error(`upsert into ${table.name}: every row needs the key column ${key}`);
  }
  const typeOf = (name: string) => table.columns.find((c) => c.name === name)?.type;
  const source = columns.map((name) => {
    const type = typeOf(name);
    const value = type === 'TIMESTAMP' ? `TIMESTAMP_MILLIS(r.${name})` : type === 'JSON' ? `PARSE_JSON(r.${name})` : `r.${name}`;
    return `${value} AS ${name}`;
  });
  const on = table.key.map((k) => `t.${k} = s.${k}`);
  const params: Record<string, unknown> = {
    rows: rows.map((row) => Object.fromEntries(columns.map((name) => [name, row[name] ?? null]))),
  };
  const types: Record<string, unknown> = { rows: [rowStructType(table, columns)] };
  const partition = table.partitionBy;
  if (partition !== undefined) {
    const values = rows.map((r) => r[partition]);
    if (values.some((v) => typeof v !== 'number')) throw new Error(`upsert into ${table.name}: every row needs ${partition} as epoch ms`);
    params.partition_from_ms = Math.min(...(values as number[]));
    params.partition_to_ms = Math.max(...(values as number[]));
    Object.assign(types, { partition_from_ms: 'INT64', partition_to_ms: 'INT64' });
    on.push(`t.${partition} BETWEEN TIMESTAMP_MILLIS(@partition_from_ms) AND TIMESTAMP_MILLIS(@partition_to_ms)`);
  }
  const nonKey = columns.filter((c) => !(table.key).includes(c));
  const lines = [
    `MERGE \`${dataset}.${table.name}\` AS t`,
    `USING (SELECT ${source.join(', ')} FROM UNNEST(@rows) AS r) AS s`,
    `ON ${on.join(' AND ')}`,
  ];
  if (nonKey.length > 0) lines.push(`WHEN MATCHED THEN UPDATE SET ${nonKey.map((c) => `${c} = s.${c}`).join(', ')}`);
  lines.push(`WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`);
  return { sql: lines.join('\n'), params, types, columns };
}
