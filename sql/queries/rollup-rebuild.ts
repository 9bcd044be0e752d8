import { defineQuery } from '../dialect';
import {
  HISTOGRAM_COLUMNS,
  MINUTE_HISTOGRAM_SELECT,
  MINUTE_ROLLUP_SELECT,
  parentHistogramColumns,
  parentRollupColumns,
  ROLLUP_COLUMNS,
  uniqueEventsCte,
  withParent,
} from './rollup-fragments';

/**
 * `obs rebuild` (aggregator/rebuild.ts): replay `metric_events` into the rollups for a range of
 * whole UTC days [@span_from_ms, @span_to_ms). The range's rollup and histogram rows are deleted
 * (so a window whose events are gone disappears too), then one INSERT per table writes its minute,
 * hour and day windows: minutes from the deduplicated events with the SELECTs the incremental run
 * uses, hours and days with the merge expressions the incremental level merges use
 * (rollup-fragments.ts) — one pass over the events per table, no MERGE needed on an emptied range.
 */

const RANGE = `window_start >= TIMESTAMP_MILLIS(@span_from_ms) AND window_start < TIMESTAMP_MILLIS(@span_to_ms)`;

export const rollupRebuildDeleteRollups = defineQuery('rollup_rebuild_delete_rollups', `DELETE FROM {{metric_rollups}}\nWHERE ${RANGE}`);

export const rollupRebuildDeleteHistograms = defineQuery('rollup_rebuild_delete_histograms', `DELETE FROM {{metric_histograms}}\nWHERE ${RANGE}`);

const levelsUnion = (columns: readonly string[]) =>
  ['minutes', 'hours', 'days'].map((cte) => `  SELECT ${columns.join(', ')} FROM ${cte}`).join('\n  UNION ALL\n');

/**
 * Inserts the range's 1-minute, 1-hour and 1-day rollups. The outer range filter is always true
 * (every event of the range falls in windows of the range); it states the invariant.
 */
export const rollupRebuildRollups = defineQuery(
  'rollup_rebuild_rollups',
  `INSERT INTO {{metric_rollups}} (${ROLLUP_COLUMNS.join(', ')})
SELECT ${ROLLUP_COLUMNS.join(', ')}
FROM (
  WITH ${uniqueEventsCte()},
  minutes AS (
  ${MINUTE_ROLLUP_SELECT}
  ),
  hours AS (
  SELECT ${parentRollupColumns(3_600)}
  FROM ${withParent('minutes', 3_600)} AS r
  GROUP BY r.name, r.series_key, r.parent
  ),
  days AS (
  SELECT ${parentRollupColumns(86_400)}
  FROM ${withParent('hours', 86_400)} AS r
  GROUP BY r.name, r.series_key, r.parent
  )
${levelsUnion(ROLLUP_COLUMNS)}
) AS s
WHERE ${RANGE}`,
);

/** Inserts the range's 1-minute, 1-hour and 1-day histograms of timing metrics. */
export const rollupRebuildHistograms = defineQuery(
  'rollup_rebuild_histograms',
  `INSERT INTO {{metric_histograms}} (${HISTOGRAM_COLUMNS.join(', ')})
SELECT ${HISTOGRAM_COLUMNS.join(', ')}
FROM (
  WITH ${uniqueEventsCte({ kindFilter: 'timing' })},
  minutes AS (
  ${MINUTE_HISTOGRAM_SELECT}
  ),
  hours AS (
  SELECT ${parentHistogramColumns(3_600)}
  FROM ${withParent('minutes', 3_600)} AS h
  GROUP BY h.name, h.series_key, h.parent, h.bucket
  ),
  days AS (
  SELECT ${parentHistogramColumns(86_400)}
  FROM ${withParent('hours', 86_400)} AS h
  GROUP BY h.name, h.series_key, h.parent, h.bucket
  )
${levelsUnion(HISTOGRAM_COLUMNS)}
) AS s
WHERE ${RANGE}`,
);

export const QUERIES = [rollupRebuildDeleteRollups, rollupRebuildDeleteHistograms, rollupRebuildRollups, rollupRebuildHistograms];
