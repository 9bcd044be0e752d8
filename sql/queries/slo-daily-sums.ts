import { SLOS, type SloSpec } from '../../shared/slo-catalogue';
import { defineQuery, type SqlQuery } from '../dialect';
import { numberedSelectors, selectorMatch, selectorMetricFilter, selectorsCte } from './slo-fragments';

/**
 * Per-day sums of the SLI selectors over [@from_ms, @to_ms) — whole UTC days, so the 1-day rollups
 * cover the range exactly — for the monthly compliance report (aggregator/slo-report.ts).
 *
 * Summed per SLI selector (metric + where tags [+ latency threshold]) and day in SQL, as the SLO
 * job's window sums are (sql/queries/slo-window-sums.ts): the rows returned are O(selectors ×
 * days), however many series the metrics have (issue #17 item 2: per-series rows grow with tag
 * cardinality). `selector_id` is the selector's index in distinctSelectors(slos); series are
 * matched to selectors by the `selectors` CTE's needles (sql/queries/slo-fragments.ts).
 */

/** Per (selector, day) of the selectors without a threshold: events (SUM event_count) and value_sum (SUM value_sum). */
export function sloDailyRollupSumsFor(slos: readonly SloSpec[]): SqlQuery {
  const selectors = numberedSelectors(slos).rollups;
  const { cte, needles } = selectorsCte(selectors);
  return defineQuery(
    'slo_daily_rollup_sums',
    `WITH ${cte}
SELECT s.selector_id, UNIX_MILLIS(r.window_start) AS day_ms,
  SUM(r.event_count) AS events,
  SUM(r.value_sum) AS value_sum
FROM {{metric_rollups}} AS r
JOIN selectors AS s ON r.name = s.name
WHERE r.window_seconds = 86400
  AND r.window_start >= TIMESTAMP_MILLIS(@from_ms) AND r.window_start < TIMESTAMP_MILLIS(@to_ms)
  AND ${selectorMetricFilter('r.name', selectors)}
  AND ${selectorMatch('r.series_key', needles)}
GROUP BY s.selector_id, r.window_start
ORDER BY day_ms, selector_id`,
  );
}

/** Per (latency selector, day): good observations, those in buckets at or under the threshold's last good bucket. */
export function sloDailyGoodSumsFor(slos: readonly SloSpec[]): SqlQuery {
  const selectors = numberedSelectors(slos).histograms;
  const { cte, needles } = selectorsCte(selectors);
  return defineQuery(
    'slo_daily_good_sums',
    `WITH ${cte}
SELECT s.selector_id, UNIX_MILLIS(h.window_start) AS day_ms,
  SUM(h.bucket_count) AS good
FROM {{metric_histograms}} AS h
JOIN selectors AS s ON h.name = s.name AND h.bucket <= s.max_bucket
WHERE h.window_seconds = 86400
  AND h.window_start >= TIMESTAMP_MILLIS(@from_ms) AND h.window_start < TIMESTAMP_MILLIS(@to_ms)
  AND ${selectorMetricFilter('h.name', selectors)}
  AND ${selectorMatch('h.series_key', needles)}
GROUP BY s.selector_id, h.window_start
ORDER BY day_ms, selector_id`,
  );
}

/** The catalogue's queries (the golden files). */
export const sloDailyRollupSums = sloDailyRollupSumsFor(SLOS);
export const sloDailyGoodSums = sloDailyGoodSumsFor(SLOS);

export const QUERIES = [sloDailyRollupSums, sloDailyGoodSums];
