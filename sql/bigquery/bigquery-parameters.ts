import type { Params } from '../warehouse';

/**
 * The BigQuery type of every query parameter, by name — decided by the parameter, never by the
 * value a call happens to pass.
 *
 * Why: the client infers a parameter's type from its value (integer → INT64, fraction → FLOAT64,
 * string → STRING, boolean → BOOL), and a null has no type, so it went out as a NULL STRING.
 * `TIMESTAMP_MILLIS(@delivered_at_ms)` with a NULL STRING has no signature, so BigQuery refused
 * every notification completion that had no delivery time (issue #13) — while DuckDB accepted it.
 * Likewise a FLOAT64 parameter passed a whole number (`@q = 1`) went out as INT64. With one type
 * per name, what the adapter sends does not depend on the values, and the analyzer test
 * (test/unit/sql/bigquery-analyzer.test.ts) checks every query with exactly these types.
 *
 * The rule, in order:
 *   1. a name in {@link PARAMETER_TYPES};
 *   2. a name ending `_ms` (epoch milliseconds, the port's timestamps: `TIMESTAMP_MILLIS(@x_ms)`),
 *      `_s` or `_seconds` is INT64;
 *   3. anything else has no type: the adapter refuses the query with an error naming the
 *      parameter, and the analyzer test fails for any query that uses it.
 * One name has one type across all queries (`from_ms` is INT64 everywhere).
 */
export type BigQueryParameterType = 'INT64' | 'FLOAT64' | 'STRING' | 'BOOL';

export const PARAMETER_TYPES: Readonly<Record<string, BigQueryParameterType>> = {
  all_series: 'BOOL',
  channel: 'STRING',
  /** The obs_dataset job label of `obs cost`'s read of INFORMATION_SCHEMA.JOBS (bigquery-job-scans.ts). */
  dataset_label: 'STRING',
  claim_token: 'STRING',
  job: 'STRING',
  last_error: 'STRING',
  limit: 'INT64',
  max_series: 'INT64',
  name: 'STRING',
  name_prefix: 'STRING',
  notification_id: 'STRING',
  /** An incident id (incidents/, issue #16). */
  incident_id: 'STRING',
  /** A quantile, 0–1. */
  q: 'FLOAT64',
  run_id: 'STRING',
  series_key: 'STRING',
  service: 'STRING',
  silence_id: 'STRING',
  status: 'STRING',
  /** A maintenance window id (maintenance/, issue #16). */
  window_id: 'STRING',
  /** The SLO job's excluded intervals as JSON text, [[id, from_ms, to_ms], …] (sql/queries/slo-excluded-sums.ts). */
  intervals_json: 'STRING',
};

const INT64_SUFFIX = /_(ms|s|seconds)$/;

/** The BigQuery type of parameter `name`, or undefined when the rule gives it none. */
export function parameterTypeOf(name: string): BigQueryParameterType | undefined {
  return PARAMETER_TYPES[name] ?? (INT64_SUFFIX.test(name) ? 'INT64' : undefined);
}

/** The parameter names a SQL text uses (`@name`), each once, in order of first use. */
export function parameterNames(sql: string): string[] {
  return [...new Set([...sql.matchAll(/@([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string))];
}

function fits(type: BigQueryParameterType, value: unknown): boolean {
  if (value === null) return true;
  switch (type) {
    case 'INT64':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'FLOAT64':
      return typeof value === 'number' && Number.isFinite(value);
    case 'STRING':
      return typeof value === 'string';
    case 'BOOL':
      return typeof value === 'boolean';
  }
}

/**
 * The `types` of a query's parameters, one for every parameter, nulls included. Throws, naming
 * the query and the parameter, when a parameter has no type or a value does not fit its type (a
 * fraction for INT64, a string for a number): BigQuery would refuse it, or worse, compare it as
 * something else.
 */
export function parameterTypes(queryName: string, params: Params): Record<string, BigQueryParameterType> {
  const types: Record<string, BigQueryParameterType> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = parameterTypeOf(name);
    if (type === undefined) {
      throw new Error(`BigQuery query ${queryName}: parameter @${name} has no declared type; add it to PARAMETER_TYPES in sql/bigquery/bigquery-parameters.ts (or name it *_ms, *_s, *_seconds for INT64)`);
    }
    if (!fits(type, value)) {
      // The value itself only when it is a number: a string parameter may be a token or an error text.
      const given = typeof value === 'number' ? `the number ${value}` : `a ${typeof value}`;
      throw new Error(`BigQuery query ${queryName}: parameter @${name} is ${type}, and ${given} is not one`);
    }
    types[name] = type;
  }
  return types;
}
