import type { Params } from './warehouse';

/**
 * One SQL text per query, rendered for both warehouses.
 *
 * Queries are written in BigQuery Standard SQL with two conventions:
 *   - tables are written `{{table_name}}` (rendered as `dataset.table` for BigQuery, bare for DuckDB);
 *   - parameters are `@name` (BigQuery's syntax; rendered as `$name` for DuckDB).
 * DuckDB runs them through compatibility macros for the BigQuery functions we use
 * ({@link DUCKDB_COMPAT_MACROS}) and type names (INT64 → BIGINT, …). Timestamps cross the port as
 * epoch milliseconds: pass `@from_ms` and write `TIMESTAMP_MILLIS(@from_ms)`; select
 * `UNIX_MILLIS(col) AS col_ms` to read one.
 */
export type Dialect = 'duckdb' | 'bigquery';

export interface SqlQuery {
  /** Stable name: the golden file is sql/golden/<name>.sql. */
  readonly name: string;
  readonly text: string;
  /**
   * A script's statements, in order (`text` is them joined by `;`). BigQuery runs the text as one
   * multi-statement query (temporary tables live as long as it); DuckDB runs each statement in
   * turn on its one connection. Unset for a single statement.
   */
  readonly statements?: readonly string[];
}

export function defineQuery(name: string, text: string): SqlQuery {
  return { name, text: text.trim() };
}

/** The subset of `params` a statement's text references as `@name` (DuckDB rejects a parameter a statement does not use). */
export function paramsUsedBy(text: string, params: Params): Params {
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) if (new RegExp(`@${name}\\b`).test(text)) out[name] = value;
  return out;
}

/** A script: statements run in order, sharing temporary tables (see {@link SqlQuery.statements}). */
export function defineScript(name: string, statements: readonly string[]): SqlQuery {
  const trimmed = statements.map((s) => s.trim());
  if (trimmed.some((s) => s === '' || s.includes(';'))) throw new Error(`${name}: each statement of a script is one statement, without ';'`);
  return { name, text: trimmed.join(';\n\n'), statements: trimmed };
}

/** BigQuery functions DuckDB lacks, defined as DuckDB macros on every connection. */
export const DUCKDB_COMPAT_MACROS: readonly string[] = [
  'CREATE OR REPLACE MACRO unix_millis(ts) AS epoch_ms(ts)',
  'CREATE OR REPLACE MACRO unix_seconds(ts) AS CAST(floor(epoch(ts)) AS BIGINT)',
  'CREATE OR REPLACE MACRO timestamp_millis(ms) AS make_timestamp(CAST(ms AS BIGINT) * 1000)',
  'CREATE OR REPLACE MACRO timestamp_seconds(s) AS make_timestamp(CAST(s AS BIGINT) * 1000000)',
  'CREATE OR REPLACE MACRO div(a, b) AS CAST(floor(a / b) AS BIGINT)',
  'CREATE OR REPLACE MACRO safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END',
  'CREATE OR REPLACE MACRO parse_json(s) AS json(s)',
  'CREATE OR REPLACE MACRO json_value(j, p) AS json_extract_string(j, p)',
  'CREATE OR REPLACE MACRO to_json_string(x) AS CAST(to_json(x) AS VARCHAR)',
  // BigQuery's BYTE_LENGTH (UTF-8 bytes of a STRING): DuckDB's strlen counts bytes (cost analytics, sql/queries/cost.ts).
  'CREATE OR REPLACE MACRO byte_length(s) AS strlen(s)',
  // A 63-bit fingerprint of a string for grouping and joining within one query (the aggregator's
  // event-id dedup). The values differ from BigQuery's FarmHash; never store or compare them across engines.
  'CREATE OR REPLACE MACRO farm_fingerprint(s) AS CAST(hash(s) >> 1 AS BIGINT)',
  // JSON arrays (merged events' histogram pairs, issue #18). BigQuery: JSON_QUERY_ARRAY(json) is
  // ARRAY<JSON>, JSON_QUERY(json, '$[0]') a JSON value, LAX_INT64(json) its number as INT64 (NULL
  // when it is not one). DuckDB: '$[*]' extracts a LIST of JSON; TRY_CAST gives NULL likewise.
  "CREATE OR REPLACE MACRO json_query_array(j) AS CAST(json_extract(j, '$[*]') AS JSON[])",
  'CREATE OR REPLACE MACRO json_query(j, p) AS json_extract(j, p)',
  'CREATE OR REPLACE MACRO lax_int64(j) AS TRY_CAST(j AS BIGINT)',
];

/**
 * BigQuery's `FROM t, UNNEST(array) AS x` names the ELEMENT x; DuckDB names the table x and its one
 * column `unnest`, so x would be a struct there. For DuckDB every `UNNEST(…) AS x` not followed by
 * a column list becomes `UNNEST(…) AS x(x)`: x is the element in both.
 */
function aliasUnnestedElements(sql: string): string {
  let out = '';
  let from = 0;
  const pattern = /\bUNNEST\(/gi;
  for (let match = pattern.exec(sql); match; match = pattern.exec(sql)) {
    let depth = 1;
    let i = match.index + match[0].length;
    for (; i < sql.length && depth > 0; i++) {
      if (sql[i] === '(') depth++;
      else if (sql[i] === ')') depth--;
    }
    const alias = /^\s+AS\s+([A-Za-z_][A-Za-z0-9_]*)(?!\s*\()/i.exec(sql.slice(i));
    if (!alias) continue;
    const end = i + alias[0].length;
    out += sql.slice(from, end) + `(${alias[1]})`;
    from = end;
    pattern.lastIndex = end;
  }
  return out + sql.slice(from);
}

const TYPE_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/\bINT64\b/g, 'BIGINT'],
  [/\bFLOAT64\b/g, 'DOUBLE'],
  [/\bSTRING\b/g, 'VARCHAR'],
  [/\bBOOL\b/g, 'BOOLEAN'],
];

export interface RenderOptions {
  /** BigQuery dataset (OBS_BQ_DATASET); ignored for DuckDB. */
  dataset?: string;
}

/** Renders a query for one dialect. Pure: the same input always gives the same text (golden files). */
export function renderSql(text: string, dialect: Dialect, options: RenderOptions = {}): string {
  const dataset = options.dataset ?? 'observability';
  let out = text.replace(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g, (_m, table: string) =>
    dialect === 'bigquery' ? `\`${dataset}.${table}\`` : table,
  );
  if (dialect === 'duckdb') {
    out = out.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => `$${name}`);
    for (const [pattern, replacement] of TYPE_NAMES) out = out.replace(pattern, replacement);
    out = aliasUnnestedElements(out);
  }
  return out;
}
