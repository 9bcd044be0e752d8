import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { TABLES, type ColumnType, type TableDef, type TableName } from '../tables';
import type { Row } from '../warehouse';

/** Rows per statement (keeps statements well under DuckDB's parser limits). */
const UPSERT_CHUNK_ROWS = 500;

/**
 * `Warehouse.upsert` on DuckDB: rows written by the table's key, a row with a stored key replacing
 * it (non-key columns missing from the rows become NULL), so writing the same rows twice leaves
 * the same table. Of two rows with one key in a call, the later wins (as in the BigQuery adapter).
 *
 * Two statements, by table (sql/tables.ts `duckdbIndexKey`):
 * - tables with a DuckDB PRIMARY KEY: multi-row `INSERT … ON CONFLICT (key) DO UPDATE`;
 * - tables without one (the rollup projections): `MERGE INTO t USING (VALUES …) ON key`. ON
 *   CONFLICT needs the index; the MERGE does not, and keeps the key unique as long as its source
 *   has one row per key — hence the last-wins step, which the ON CONFLICT path needs too (DuckDB
 *   refuses to update one row twice in a statement).
 * A DuckDB file created while a projection table still had its key works with the MERGE as well.
 *
 * Values are bound as positional parameters; TIMESTAMP columns take epoch ms, JSON columns JSON
 * text. The caller serialises calls on the connection. Each chunk is one statement.
 */
export async function upsertRows(c: DuckDBConnection, tableName: TableName, rows: readonly Row[]): Promise<void> {
  const def: TableDef = TABLES[tableName];
  const unique = lastOfEachKey(def, rows);
  const columns = def.columns.filter((col) => unique.some((r) => r[col.name] !== undefined));
  for (const key of def.key) {
    if (!columns.some((col) => col.name === key)) throw new Error(`upsert into ${def.name}: every row needs the key column ${key}`);
  }
  const render = def.duckdbIndexKey === false ? renderMerge : renderInsertOnConflict;
  for (let start = 0; start < unique.length; start += UPSERT_CHUNK_ROWS) {
    const chunk = unique.slice(start, start + UPSERT_CHUNK_ROWS);
    const values: DuckDBValue[] = [];
    const tuples = chunk.map((row) => {
      const slots = columns.map((col) => {
        values.push(row[col.name] ?? null);
        return placeholder(values.length, col.type);
      });
      return `(${slots.join(', ')})`;
    });
    await c.run(render(def, columns.map((col) => col.name), tuples), values);
  }
}

function lastOfEachKey(def: TableDef, rows: readonly Row[]): Row[] {
  const keyOf = (r: Row) => JSON.stringify(def.key.map((k) => r[k] ?? null));
  return [...new Map(rows.map((r) => [keyOf(r), r])).values()];
}

/** A typed parameter slot: the VALUES of a MERGE source take their types from it. */
function placeholder(index: number, type: ColumnType): string {
  switch (type) {
    case 'TIMESTAMP':
      return `make_timestamp(CAST($${index} AS BIGINT) * 1000)`;
    case 'JSON':
      return `json($${index})`;
    case 'INT64':
      return `CAST($${index} AS BIGINT)`;
    case 'FLOAT64':
      return `CAST($${index} AS DOUBLE)`;
    case 'BOOL':
      return `CAST($${index} AS BOOLEAN)`;
    case 'STRING':
      return `CAST($${index} AS VARCHAR)`;
  }
}

const nonKeyColumns = (def: TableDef) => def.columns.map((c) => c.name).filter((n) => !def.key.includes(n));

function renderInsertOnConflict(def: TableDef, columns: readonly string[], tuples: readonly string[]): string {
  const nonKey = nonKeyColumns(def);
  const onConflict =
    nonKey.length === 0
      ? `ON CONFLICT (${def.key.join(', ')}) DO NOTHING`
      : `ON CONFLICT (${def.key.join(', ')}) DO UPDATE SET ${nonKey.map((n) => `${n} = excluded.${n}`).join(', ')}`;
  return `INSERT INTO ${def.name} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${onConflict}`;
}

/** The same effect as renderInsertOnConflict, without needing an index on the key. */
function renderMerge(def: TableDef, columns: readonly string[], tuples: readonly string[]): string {
  const present = new Set(columns);
  const updates = nonKeyColumns(def).map((n) => `${n} = ${present.has(n) ? `s.${n}` : 'NULL'}`);
  return [
    `MERGE INTO ${def.name} AS t`,
    `USING (SELECT * FROM (VALUES ${tuples.join(', ')}) AS v(${columns.join(', ')})) AS s`,
    `ON ${def.key.map((k) => `t.${k} = s.${k}`).join(' AND ')}`,
    ...(updates.length > 0 ? [`WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}`] : []),
    `WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((n) => `s.${n}`).join(', ')})`,
  ].join('\n');
}
