import { defineQuery } from '../dialect';
import { bucketValueOf } from './rollup-fragments';

/**
 * Reads of the rollups: percentiles from histogram buckets, and the rollup job's watermark.
 *
 * Percentiles use the nearest-rank definition: the q-quantile of n observations is the
 * ⌈q·n⌉-th smallest. In SQL: merge the buckets, take a running SUM() OVER (ORDER BY bucket), and
 * the answer is the first bucket whose running count reaches the rank; report that bucket's value
 * 2γ^i/(γ+1), which is within 1% of every value the bucket holds (DDSketch, Masson et al.,
 * VLDB 2019, Prop. 2), hence of the true quantile. The rank ⌈p·n/100⌉ is computed in integers,
 * DIV(n·p + 99, 100), so both engines agree exactly (a FLOAT64 0.95·n may land a hair above an
 * integer and round the rank up).
 */
export const PERCENTILES = [50, 90, 95, 99] as const;

const rankedColumns = PERCENTILES.map((p) => `    MIN(CASE WHEN running >= DIV(total * ${p} + 99, 100) THEN bucket END) AS b${p}`).join(',\n');
const valueColumns = PERCENTILES.map((p) => `  ${bucketValueOf(`b${p}`)} AS p${p}`).join(',\n');

const HISTOGRAM_RANGE = `name = @name
    AND window_seconds = @window_seconds
    AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)`;

/**
 * p50/p90/p95/p99 of one timing metric per (series, window) of one window size in
 * [@from_ms, @to_ms). Rows: series_key, window_start_ms, observations, p50, p90, p95, p99.
 */
export const rollupPercentilesByWindow = defineQuery(
  'rollup_percentiles_by_window',
  `WITH cumulative AS (
  SELECT series_key, window_start, bucket,
    SUM(bucket_count) OVER (PARTITION BY series_key, window_start ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(bucket_count) OVER (PARTITION BY series_key, window_start) AS total
  FROM {{metric_histograms}}
  WHERE ${HISTOGRAM_RANGE}
), ranked AS (
  SELECT series_key, window_start, MAX(total) AS total,
${rankedColumns}
  FROM cumulative
  GROUP BY series_key, window_start
)
SELECT series_key, UNIX_MILLIS(window_start) AS window_start_ms, total AS observations,
${valueColumns}
FROM ranked
ORDER BY series_key, window_start_ms`,
);

/**
 * p50/p90/p95/p99 of one timing metric over [@from_ms, @to_ms), every window of one size merged,
 * every series merged when @all_series is true, else only @series_key. One row: observations,
 * p50 … p99 (0 observations and NULL percentiles when there is no data). A flag rather than a NULL
 * @series_key: an untyped NULL parameter is an error in both engines.
 */
export const rollupPercentilesMerged = defineQuery(
  'rollup_percentiles_merged',
  `WITH merged AS (
  SELECT bucket, SUM(bucket_count) AS n
  FROM {{metric_histograms}}
  WHERE ${HISTOGRAM_RANGE}
    AND (@all_series OR series_key = @series_key)
  GROUP BY bucket
), cumulative AS (
  SELECT bucket,
    SUM(n) OVER (ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(n) OVER () AS total
  FROM merged
), ranked AS (
  SELECT MAX(total) AS total,
${rankedColumns}
  FROM cumulative
)
SELECT COALESCE(total, 0) AS observations,
${valueColumns}
FROM ranked`,
);

/** The watermark (epoch ms) and last-run facts of one job; no row before its first run. */
export const rollupJobState = defineQuery(
  'rollup_job_state',
  `SELECT UNIX_MILLIS(watermark) AS watermark_ms, UNIX_MILLIS(last_run_at) AS last_run_ms, TO_JSON_STRING(last_result) AS last_result
FROM {{job_state}}
WHERE job = @job`,
);

/**
 * The series of each metric with events on the UTC day starting @day_ms, from the day rollups,
 * overflow series left out, at most @max_series per metric (the busiest first): what an ingest
 * process seeds its cardinality limiter with at start (ingest/cardinality-seed.ts), so a restart
 * does not grant a fresh allowance. Rows: name, series_key — at most metrics × @max_series.
 */
export const rollupSeriesSeed = defineQuery(
  'rollup_series_seed',
  `SELECT name, series_key
FROM {{metric_rollups}}
WHERE window_seconds = 86400
  AND window_start = TIMESTAMP_MILLIS(@day_ms)
  AND STRPOS(CONCAT(',', series_key, ','), ',overflow=true,') = 0
QUALIFY ROW_NUMBER() OVER (PARTITION BY name ORDER BY event_count DESC, series_key) <= @max_series`,
);

export const QUERIES = [rollupPercentilesByWindow, rollupPercentilesMerged, rollupJobState, rollupSeriesSeed];
