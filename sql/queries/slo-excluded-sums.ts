import { SLOS, type SloSpec } from '../../shared/slo-catalogue';
import { defineQuery, type SqlQuery } from '../dialect';
import { numberedSelectors, selectorMatch, selectorMetricFilter, selectorsCte } from './slo-fragments';

/**
 * What the SLO selectors add up to inside given intervals: the maintenance windows excluded from
 * SLO budgets (issue #16; aggregator/slo-exclusions.ts subtracts these sums from the lookback
 * sums of sql/queries/slo-window-sums.ts, so an excluded window counts exactly as if its events
 * had never been ingested).
 *
 * @intervals_json is JSON text `[[interval_id, from_ms, to_ms], …]`: minute-aligned, half-open
 * intervals (few: the excluded windows of the last 30 days, clipped to each lookback). Each is
 * tiled with the coarsest rollup rows that fit, exactly as the lookbacks are (a row is a tile when
 * it lies inside the interval and its parent window — minute → hour → day — does not), so the
 * sums equal the minute-level sums of the interval. @from_ms / @end_ms bound the scan (the
 * partition filter): the first interval's start and the last one's end.
 */

const INTERVALS_CTE = `intervals AS (
  SELECT LAX_INT64(JSON_QUERY(iv, '$[0]')) AS interval_id,
    LAX_INT64(JSON_QUERY(iv, '$[1]')) AS from_ms,
    LAX_INT64(JSON_QUERY(iv, '$[2]')) AS to_ms
  FROM UNNEST(JSON_QUERY_ARRAY(PARSE_JSON(@intervals_json))) AS iv
)`;

const placement = (alias: string) => `UNIX_MILLIS(${alias}window_start) AS start_ms,
    ${alias}window_seconds * 1000 AS length_ms,
    CASE ${alias}window_seconds WHEN 60 THEN 3600000 WHEN 3600 THEN 86400000 END AS parent_ms`;

const inInterval = (alias: string) =>
  `${alias}window_start >= TIMESTAMP_MILLIS(i.from_ms) AND ${alias}window_start < TIMESTAMP_MILLIS(i.to_ms)`;

const SCAN_RANGE = (alias: string) => `${alias}window_start >= TIMESTAMP_MILLIS(@from_ms) AND ${alias}window_start < TIMESTAMP_MILLIS(@end_ms)`;

const TILE = `start_ms + length_ms <= to_ms
  AND NOT (parent_ms IS NOT NULL AND parent_start_ms >= from_ms AND parent_start_ms + parent_ms <= to_ms)`;

/** Per (selector without a threshold, interval): `events` (SUM event_count) and `value_sum` (SUM value_sum). */
export function sloExcludedRollupSumsFor(slos: readonly SloSpec[]): SqlQuery {
  const selectors = numberedSelectors(slos).rollups;
  const { cte, needles } = selectorsCte(selectors);
  return defineQuery(
    'slo_excluded_rollup_sums',
    `WITH ${cte},
${INTERVALS_CTE},
placed AS (
  SELECT s.selector_id, i.interval_id, i.from_ms, i.to_ms, r.event_count, r.value_sum,
    ${placement('r.')}
  FROM {{metric_rollups}} AS r
  JOIN selectors AS s ON r.name = s.name
  JOIN intervals AS i ON ${inInterval('r.')}
  WHERE ${SCAN_RANGE('r.')}
    AND ${selectorMetricFilter('r.name', selectors)}
    AND ${selectorMatch('r.series_key', needles)}
), tiles AS (
  SELECT *, DIV(start_ms, parent_ms) * parent_ms AS parent_start_ms
  FROM placed
)
SELECT selector_id, interval_id, SUM(event_count) AS events, SUM(value_sum) AS value_sum
FROM tiles
WHERE ${TILE}
GROUP BY selector_id, interval_id`,
  );
}

/** Per (latency selector, interval): `good`, the observations in buckets at or under the threshold's last good bucket. */
export function sloExcludedGoodSumsFor(slos: readonly SloSpec[]): SqlQuery {
  const selectors = numberedSelectors(slos).histograms;
  const { cte, needles } = selectorsCte(selectors);
  return defineQuery(
    'slo_excluded_good_sums',
    `WITH ${cte},
${INTERVALS_CTE},
placed AS (
  SELECT s.selector_id, i.interval_id, i.from_ms, i.to_ms, h.bucket_count,
    ${placement('h.')}
  FROM {{metric_histograms}} AS h
  JOIN selectors AS s ON h.name = s.name AND h.bucket <= s.max_bucket
  JOIN intervals AS i ON ${inInterval('h.')}
  WHERE ${SCAN_RANGE('h.')}
    AND ${selectorMetricFilter('h.name', selectors)}
    AND ${selectorMatch('h.series_key', needles)}
), tiles AS (
  SELECT *, DIV(start_ms, parent_ms) * parent_ms AS parent_start_ms
  FROM placed
)
SELECT selector_id, interval_id, SUM(bucket_count) AS good
FROM tiles
WHERE ${TILE}
GROUP BY selector_id, interval_id`,
  );
}

/** The catalogue's queries (the golden files). */
export const sloExcludedRollupSums = sloExcludedRollupSumsFor(SLOS);
export const sloExcludedGoodSums = sloExcludedGoodSumsFor(SLOS);

export const QUERIES = [sloExcludedRollupSums, sloExcludedGoodSums];
