import { HISTOGRAM_GAMMA, HISTOGRAM_LN_GAMMA, HISTOGRAM_ZERO_BUCKET } from '../../shared/histogram';

/**
 * SQL fragments shared by the rollup queries (rollup-*.ts). Every piece is plain BigQuery Standard
 * SQL that DuckDB also runs through the compat macros (sql/dialect.ts), so the incremental run and
 * the rebuild compute a window with literally the same expressions — which is what makes a
 * rebuild equal to the incremental result.
 *
 * This module defines no queries (no `QUERIES` export); sql/golden.ts skips it.
 */

/**
 * ln(γ) and γ as exact FLOAT64 literals. A string cast is correctly rounded in both engines, so the
 * SQL divides by the very double shared/histogram.ts uses (a decimal literal might not be).
 */
export const LN_GAMMA_SQL = `CAST('${HISTOGRAM_LN_GAMMA}' AS FLOAT64)`;
export const GAMMA_SQL = `CAST('${HISTOGRAM_GAMMA}' AS FLOAT64)`;

/**
 * The histogram bucket of a timing value: ⌈ln(v) / ln(γ)⌉ for v > 0, the zero bucket otherwise
 * (DDSketch, Masson et al., VLDB 2019, §2; shared/histogram.ts bucketIndex). Bucket i holds
 * (γ^(i−1), γ^i].
 */
export function bucketOf(value: string): string {
  return `CASE WHEN ${value} > 0 THEN CAST(CEIL(LN(${value}) / ${LN_GAMMA_SQL}) AS INT64) ELSE ${HISTOGRAM_ZERO_BUCKET} END`;
}

/** The value reported for a bucket, 2γ^i / (γ + 1): within 1% of every value in it (0 for the zero bucket). */
export function bucketValueOf(bucket: string): string {
  return `CASE WHEN ${bucket} IS NULL THEN NULL WHEN ${bucket} = ${HISTOGRAM_ZERO_BUCKET} THEN 0 ELSE 2 * POW(${GAMMA_SQL}, ${bucket}) / (${GAMMA_SQL} + 1) END`;
}

/** The epoch minute (an INT64) of a TIMESTAMP column: minute windows are epoch-aligned. */
export const minuteOf = (column: string): string => `DIV(UNIX_MILLIS(${column}), 60000)`;

/** Parameters bounding the event time a statement reads: `[@span_from_ms, @span_to_ms)`. */
export const EVENT_SPAN = `event_ts >= TIMESTAMP_MILLIS(@span_from_ms) AND event_ts < TIMESTAMP_MILLIS(@span_to_ms)`;

/** The columns of a merged event (issue #18) the rollups read; NULL on a single call. */
const AGGREGATE_COLUMNS = ['call_count', 'value_min', 'value_max', 'value_sum', 'last_value', 'histogram'] as const;

/**
 * Every event in `[@span_from_ms, @span_to_ms)` of the chosen windows, ONE row per event_id.
 * Defines two CTEs, `repeated` and `events`.
 *
 * BigQuery's streaming insertId dedup is best-effort, so `metric_events` may hold a redelivered
 * event twice there (DuckDB's primary key makes it impossible, but the SQL is the same for both).
 * Copies of one event differ only in ingest_ts and message_id, which are not read here.
 *
 * A plain GROUP BY event_id would build a hash table of every event with all its fields. Instead:
 * `repeated` finds the fingerprints of ids stored more than once (one integer per row, usually
 * no result), rows whose fingerprint is not repeated pass straight through, and only the few rows
 * that share a fingerprint are grouped by the exact event_id. A fingerprint collision between two
 * different ids costs a little work, never a lost event: the exact GROUP BY keeps both.
 *
 * `join` restricts the events to changed windows (incremental runs); `kindFilter` to one kind.
 */
export function uniqueEventsCte(options: { join?: string; kindFilter?: string } = {}): string {
  const join = options.join ? `\n    ${options.join}` : '';
  const kind = options.kindFilter ? ` AND e.kind = '${options.kindFilter}'` : '';
  const span = `e.event_ts >= TIMESTAMP_MILLIS(@span_from_ms) AND e.event_ts < TIMESTAMP_MILLIS(@span_to_ms)${kind}`;
  return `repeated AS (
    SELECT FARM_FINGERPRINT(e.event_id) AS fp
    FROM {{metric_events}} AS e
    WHERE ${span}
    GROUP BY fp
    HAVING COUNT(*) > 1
  ),
  events AS (
    SELECT e.event_id, e.name, e.series_key, e.tags, e.kind, e.value, e.event_ts, ${AGGREGATE_COLUMNS.map((c) => `e.${c}`).join(', ')}
    FROM {{metric_events}} AS e${join}
    WHERE ${span}
      AND FARM_FINGERPRINT(e.event_id) NOT IN (SELECT fp FROM repeated)
    UNION ALL
    SELECT e.event_id, ANY_VALUE(e.name), ANY_VALUE(e.series_key), ANY_VALUE(e.tags), ANY_VALUE(e.kind), ANY_VALUE(e.value), ANY_VALUE(e.event_ts), ${AGGREGATE_COLUMNS.map((c) => `ANY_VALUE(e.${c})`).join(', ')}
    FROM {{metric_events}} AS e${join}
    WHERE ${span}
      AND FARM_FINGERPRINT(e.event_id) IN (SELECT fp FROM repeated)
    GROUP BY e.event_id
  )`;
}

/**
 * One 1-minute rollup row per (name, series_key, minute) of the `events` CTE.
 *
 * A row of metric_events is one call or, merged (issue #18, docs/WIRE_FORMAT.md), `call_count`
 * calls of one series within one minute. Every column adds up the calls, so a window rolled up
 * from merged events equals the one rolled up from the same calls stored one by one:
 *   event_count  calls: SUM(COALESCE(call_count, 1));
 *   value_sum    SUM(value) — a merged count's value is its total, a merged timing's the sum of
 *                its durations; a merged gauge's value is its LAST value, so it carries value_sum;
 *   value_min/max  of the calls: value_min / value_max of a merged event, value of a single one;
 *   last_value   the latest call's value: the latest event's (gauge: value, its last; count and
 *                timing: last_value, else value). Ties at the same millisecond are broken by the
 *                larger event_id, so the result never depends on scan order; the sort key is the
 *                zero-padded epoch milliseconds followed by the id, compared as a string. A
 *                merged event's event_ts is its latest call's.
 */
export const MINUTE_ROLLUP_SELECT = `SELECT
    name,
    series_key,
    ANY_VALUE(tags) AS tags,
    MAX(kind) AS kind,
    TIMESTAMP_MILLIS(minute * 60000) AS window_start,
    60 AS window_seconds,
    SUM(COALESCE(call_count, 1)) AS event_count,
    SUM(COALESCE(value_sum, value)) AS value_sum,
    MIN(COALESCE(value_min, value)) AS value_min,
    MAX(COALESCE(value_max, value)) AS value_max,
    MAX_BY(CASE WHEN kind = 'gauge' THEN value ELSE COALESCE(last_value, value) END, CONCAT(LPAD(CAST(UNIX_MILLIS(event_ts) AS STRING), 15, '0'), event_id)) AS last_value,
    MAX(event_ts) AS last_ts,
    TIMESTAMP_MILLIS(@updated_at_ms) AS updated_at
  FROM (SELECT *, ${minuteOf('event_ts')} AS minute FROM events) AS m
  GROUP BY name, series_key, minute`;

/**
 * One 1-minute histogram row per (name, series_key, minute, bucket) of the timing events in
 * `events`: a single timing counts 1 in the bucket of its value; a merged one (issue #18) adds its
 * `[bucket, count]` pairs as sent — the same buckets (the validator checked them: integers,
 * ascending, summing to call_count), so both shapes merge exactly. JSON_QUERY_ARRAY unnests the
 * pairs (DuckDB: sql/dialect.ts macros), LAX_INT64 reads each number.
 */
export const MINUTE_HISTOGRAM_SELECT = `SELECT
    name,
    series_key,
    TIMESTAMP_MILLIS(minute * 60000) AS window_start,
    60 AS window_seconds,
    bucket,
    SUM(n) AS bucket_count
  FROM (
    SELECT name, series_key, ${minuteOf('event_ts')} AS minute, ${bucketOf('value')} AS bucket, 1 AS n
    FROM events
    WHERE kind = 'timing' AND histogram IS NULL
    UNION ALL
    SELECT e.name, e.series_key, ${minuteOf('e.event_ts')} AS minute, LAX_INT64(JSON_QUERY(pair, '$[0]')) AS bucket, LAX_INT64(JSON_QUERY(pair, '$[1]')) AS n
    FROM events AS e, UNNEST(JSON_QUERY_ARRAY(e.histogram)) AS pair
    WHERE e.kind = 'timing' AND e.histogram IS NOT NULL
  ) AS b
  GROUP BY name, series_key, minute, bucket`;

/**
 * One parent-window row (an hour from minutes, a day from hours) per (name, series_key, parent) of
 * child rows `r` that carry a `parent` column (the parent window's index, epoch ms / parent length).
 * Exact merging: counts and sums add, min of mins, max of maxes, and the last value is the child's
 * with the latest last_ts (children are disjoint in time, so there is no tie). The caller writes
 * FROM … AS r and GROUP BY r.name, r.series_key, r.parent.
 */
export function parentRollupColumns(parentSeconds: number): string {
  return `r.name,
    r.series_key,
    ANY_VALUE(r.tags) AS tags,
    MAX(r.kind) AS kind,
    TIMESTAMP_MILLIS(r.parent * ${parentSeconds * 1000}) AS window_start,
    ${parentSeconds} AS window_seconds,
    SUM(r.event_count) AS event_count,
    SUM(r.value_sum) AS value_sum,
    MIN(r.value_min) AS value_min,
    MAX(r.value_max) AS value_max,
    MAX_BY(r.last_value, r.last_ts) AS last_value,
    MAX(r.last_ts) AS last_ts,
    TIMESTAMP_MILLIS(@updated_at_ms) AS updated_at`;
}

/** Parent histogram rows: bucket counts add (DDSketch is fully mergeable, Masson et al. §2.2). Group by name, series_key, parent, bucket. */
export function parentHistogramColumns(parentSeconds: number): string {
  return `h.name,
    h.series_key,
    TIMESTAMP_MILLIS(h.parent * ${parentSeconds * 1000}) AS window_start,
    ${parentSeconds} AS window_seconds,
    h.bucket,
    SUM(h.bucket_count) AS bucket_count`;
}

/** `SELECT *, <parent index> AS parent FROM source` for a child table or CTE. */
export const withParent = (source: string, parentSeconds: number): string =>
  `(SELECT *, DIV(UNIX_MILLIS(window_start), ${parentSeconds * 1000}) AS parent FROM ${source})`;

export const ROLLUP_COLUMNS = [
  'name',
  'series_key',
  'tags',
  'kind',
  'window_start',
  'window_seconds',
  'event_count',
  'value_sum',
  'value_min',
  'value_max',
  'last_value',
  'last_ts',
  'updated_at',
] as const;
export const HISTOGRAM_COLUMNS = ['name', 'series_key', 'window_start', 'window_seconds', 'bucket', 'bucket_count'] as const;

const ROLLUP_KEY = ['name', 'series_key', 'window_seconds', 'window_start'];

/**
 * MERGE of `source` (a query producing the table's columns) into rollups or histograms, keyed by
 * the table key. `targetFilter` restricts the target rows the statement touches (the window size
 * and the partition range: BigQuery prunes partitions on it, and it keeps a MERGE from matching
 * anything outside the recomputed range).
 */
export function mergeInto(table: 'metric_rollups' | 'metric_histograms', source: string, targetFilter: string): string {
  const columns: readonly string[] = table === 'metric_rollups' ? ROLLUP_COLUMNS : HISTOGRAM_COLUMNS;
  const key = table === 'metric_rollups' ? ROLLUP_KEY : [...ROLLUP_KEY, 'bucket'];
  const updates = columns.filter((c) => !key.includes(c));
  return `MERGE INTO {{${table}}} AS t
USING (
  ${source}
) AS s
ON ${key.map((k) => `t.${k} = s.${k}`).join(' AND ')}
  AND ${targetFilter}
WHEN MATCHED THEN UPDATE SET ${updates.map((c) => `${c} = s.${c}`).join(', ')}
WHEN NOT MATCHED THEN INSERT (${columns.join(', ')})
  VALUES (${columns.map((c) => `s.${c}`).join(', ')})`;
}
