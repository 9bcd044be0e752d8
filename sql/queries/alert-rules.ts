import { defineQuery } from '../dialect';

/**
 * Reads for threshold-rule evaluation (alerts/evaluate/; SLO burn rates come from the aggregator's
 * SLO queries, sql/queries/slo-window-sums.ts). Both read the 1-minute rollups whose
 * window starts in [@from_ms, @to_ms): with `to` = now and `from` = now − the rule's window, that
 * is exactly window ÷ 60 minutes, the current (partial) minute included. Rows are per series;
 * tag filters and grouping happen in TypeScript on the parsed series key, so one query serves
 * every rule with the same window.
 *
 * Bounded whatever the number of series (issue #17): per metric, the @max_series busiest series
 * come back as themselves and the rest are added up under the overflow series `overflow=true` —
 * the same series ingest folds events into beyond its cardinality limit (ingest/cardinality-
 * limiter.ts). Totals of a metric are exact either way; a rule filtering or grouping on a tag sees
 * the folded rest as the overflow series (docs/OPERATIONS.md, "Cardinality limits"). With ingest's limit in
 * place a metric seldom has more series in a rule window than @max_series, so nothing is folded.
 */

const OVERFLOW = `'overflow=true'`;
const IS_OVERFLOW = (column: string) => `STRPOS(CONCAT(',', ${column}, ','), ',overflow=true,') > 0`;

// `GROUP BY per_series.name`, qualified: in BigQuery a bare `name` in GROUP BY is the SELECT
// list's alias `name` (the constant metric name), which leaves `CONCAT('metric=', name)` ungrouped
// and the statement refused; DuckDB takes the column either way (the GoogleSQL analyzer found it).
const RULE_WINDOW = `window_start >= TIMESTAMP_MILLIS(@from_ms)
    AND window_start < TIMESTAMP_MILLIS(@to_ms)
    AND window_seconds = 60`;

/**
 * Totals per (metric, series) over one rule window: threshold rules with sum, count, avg, max.
 * Also the derived pipeline metric `infra.metrics.ingest.series_overflow.count` (shared/metric-
 * catalogue.ts): per metric (tag `metric`), the events stored in its overflow series — the
 * overflow series is the count, so ingest needs no emitter to report it.
 */
export const alertSeriesTotals = defineQuery(
  'alert_series_totals',
  `WITH per_series AS (
  SELECT name, series_key,
    SUM(event_count) AS event_count,
    SUM(value_sum) AS value_sum,
    MAX(value_max) AS value_max
  FROM {{metric_rollups}}
  WHERE ${RULE_WINDOW}
  GROUP BY name, series_key
), ranked AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY name ORDER BY event_count DESC, series_key) AS series_rank
  FROM per_series
)
SELECT name, CASE WHEN series_rank <= @max_series THEN series_key ELSE ${OVERFLOW} END AS series_key,
  SUM(event_count) AS event_count,
  SUM(value_sum) AS value_sum,
  MAX(value_max) AS value_max
FROM ranked
GROUP BY 1, 2
UNION ALL
SELECT 'infra.metrics.ingest.series_overflow.count' AS name, CONCAT('metric=', name) AS series_key,
  SUM(event_count) AS event_count,
  CAST(SUM(event_count) AS FLOAT64) AS value_sum,
  CAST(NULL AS FLOAT64) AS value_max
FROM per_series
WHERE ${IS_OVERFLOW('series_key')}
GROUP BY per_series.name`,
);

/**
 * Merged histogram buckets per series of one timing metric over one rule window: p95 rules. The
 * @max_series series with the most observations as themselves, the rest merged per bucket under
 * the overflow series.
 */
export const alertSeriesHistogram = defineQuery(
  'alert_series_histogram',
  `WITH buckets AS (
  SELECT series_key, bucket, SUM(bucket_count) AS bucket_count
  FROM {{metric_histograms}}
  WHERE ${RULE_WINDOW}
    AND name = @name
  GROUP BY series_key, bucket
), ranked AS (
  SELECT series_key, ROW_NUMBER() OVER (ORDER BY SUM(bucket_count) DESC, series_key) AS series_rank
  FROM buckets
  GROUP BY series_key
)
SELECT CASE WHEN r.series_rank <= @max_series THEN b.series_key ELSE ${OVERFLOW} END AS series_key,
  b.bucket, SUM(b.bucket_count) AS bucket_count
FROM buckets AS b
JOIN ranked AS r ON b.series_key = r.series_key
GROUP BY 1, 2`,
);

export const QUERIES = [alertSeriesTotals, alertSeriesHistogram];
