import { DUCKDB_COMPAT_MACROS, renderSql } from '../../sql/dialect';
import { TABLES } from '../../sql/tables';
import type { Params, SqlValue } from '../../sql/warehouse';

/**
 * `obs sql`'s input: BigQuery Standard SQL as analysts write it (docs/ANALYSTS.md), made runnable
 * on the local DuckDB warehouse through the project's dialect layer (sql/dialect.ts).
 */

/** Thrown for input `obs sql` refuses (not a query, a missing parameter): exit 64. */
export class SqlInputError extends Error {}

const TABLE_NAMES = new Set(Object.keys(TABLES));

/**
 * BigQuery table paths (`` `observability.metric_events` ``, `` `project.observability.slo_status` ``,
 * unquoted `observability.alert_log`) become the `{{table}}` form of sql/dialect.ts; anything else is left as is.
 */
export function toDialectText(sql: string): string {
  const backticked = sql.replace(/`(?:[A-Za-z0-9_-]+\.){1,2}([a-z_][a-z0-9_]*)`/g, (whole, table: string) => (TABLE_NAMES.has(table) ? `{{${table}}}` : whole));
  return backticked.replace(/\b(?:[A-Za-z_][A-Za-z0-9_]*)\.([a-z_][a-z0-9_]*)\b/g, (whole, table: string, offset: number, text: string) => {
    // Only `dataset.table` right after FROM or JOIN: `r.name` and `h.window_start` are columns.
    const before = text.slice(Math.max(0, offset - 16), offset).trimEnd();
    return TABLE_NAMES.has(table) && /\b(FROM|JOIN)$/i.test(before) ? `{{${table}}}` : whole;
  });
}

/** The SQL without comments and string literals: what the checks below look at. */
function code(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** SELECT or WITH, one statement: anything else is refused before it reaches the warehouse. */
export function checkReadOnly(sql: string): void {
  const bare = code(sql).trim().replace(/;\s*$/, '');
  const first = /^[(\s]*([A-Za-z]+)/.exec(bare)?.[1]?.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') {
    throw new SqlInputError(`obs sql runs queries only (SELECT or WITH); refused a statement starting with ${first ?? '(nothing)'}. The warehouse is changed by the pipeline's jobs (obs ingest, obs aggregate, obs rebuild), never by hand.`);
  }
  if (bare.includes(';')) throw new SqlInputError('obs sql runs one statement at a time; remove the ";" between statements');
}

/** `@name` parameters the query uses (BigQuery syntax), in order of first use. */
export function parameterNames(sql: string): string[] {
  return [...new Set([...code(sql).matchAll(/@([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string))];
}

/**
 * `--param name=value` values: numbers as numbers; for a `*_ms` parameter an ISO time is accepted
 * too (as epoch milliseconds, what every query here takes); anything else as a string.
 */
export function parseParams(pairs: readonly string[], sql: string): Params {
  const params: Params = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SqlInputError(`--param must be name=value, got ${JSON.stringify(pair)}`);
    const name = pair.slice(0, eq).replace(/^@/, '');
    const raw = pair.slice(eq + 1);
    let value: SqlValue = raw;
    if (/^-?\d+(\.\d+)?$/.test(raw.trim())) value = Number(raw);
    else if (name.endsWith('_ms') && !Number.isNaN(Date.parse(raw))) value = Date.parse(raw);
    params[name] = value;
  }
  const used = parameterNames(sql);
  const missing = used.filter((n) => !(n in params));
  if (missing.length > 0) throw new SqlInputError(`the query uses ${missing.map((n) => `@${n}`).join(', ')}: give ${missing.map((n) => `--param ${n}=…`).join(' ')} (times are epoch milliseconds; an ISO time is accepted for *_ms)`);
  const unused = Object.keys(params).filter((n) => !used.includes(n));
  if (unused.length > 0) throw new SqlInputError(`the query has no parameter ${unused.map((n) => `@${n}`).join(', ')}`);
  return params;
}

/** The query as DuckDB runs it. */
export function renderForDuckDb(sql: string): string {
  return renderSql(toDialectText(sql), 'duckdb');
}

/** The compatibility macros as temporary ones: a DuckDB file opened read-only accepts only those. */
export const TEMP_COMPAT_MACROS: readonly string[] = DUCKDB_COMPAT_MACROS.map((m) => m.replace('CREATE OR REPLACE MACRO', 'CREATE OR REPLACE TEMP MACRO'));

/**
 * DuckDB's own parser as the last word: `json_serialize_sql` serialises SELECT statements only,
 * so a write hidden from the text checks above (DuckDB syntax they do not know) is refused here.
 */
export const PARSE_CHECK_SQL = 'SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS parsed';

export function checkParsed(parsedJson: string): void {
  const parsed = JSON.parse(parsedJson) as { error: boolean; error_message?: string; error_type?: string; statements?: unknown[] };
  if (parsed.error) {
    if (/only select/i.test(parsed.error_message ?? '')) throw new SqlInputError('obs sql runs queries only (SELECT or WITH); DuckDB parses this as another kind of statement: refused');
    throw new Error(`the query does not parse: ${parsed.error_message ?? parsed.error_type ?? 'unknown error'}`);
  }
  if ((parsed.statements?.length ?? 0) !== 1) throw new SqlInputError('obs sql runs one statement at a time');
}
