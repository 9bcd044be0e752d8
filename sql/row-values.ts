/**
 * Typed reads of warehouse row values. The adapters return numbers as `number` (BigQuery's
 * FLOAT64, DuckDB's DOUBLE), `bigint` (DuckDB's BIGINT, HUGEINT) or numeric strings (BigQuery's
 * INT64 and NUMERIC as JSON), and NULL for an empty aggregate: every query reader decodes them here
 * rather than with its own helper.
 */

/** A numeric value as a number; NULL (and a missing column) as 0 — what an empty SUM means. */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return value === null || value === undefined ? 0 : Number(value);
}

/** A numeric value as a number, NULL as null (a column that may be absent, such as a threshold). */
export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : numberOf(value);
}
