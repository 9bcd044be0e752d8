import { defineQuery } from '../dialect';
import { mergeInto, parentHistogramColumns, parentRollupColumns } from './rollup-fragments';

/**
 * Incremental runs: hour windows re-derived from minute windows, and day windows from hour
 * windows, exactly (the merge expressions are in rollup-fragments.ts, shared with the rebuild).
 *
 * Which parents to recompute: those with a child row stamped `updated_at = @updated_at_ms` in
 * [@from_ms, @to_ms) — the children this run just wrote. The caller aligns the range to whole
 * parent windows, so every recomputed parent reads all of its children.
 */

type Level = { readonly child: 60 | 3_600; readonly parent: 3_600 | 86_400 };

const changedParents = ({ child, parent }: Level) => `changed AS (
    SELECT DISTINCT name, series_key, DIV(UNIX_MILLIS(window_start), ${parent * 1000}) AS parent
    FROM {{metric_rollups}}
    WHERE window_seconds = ${child}
      AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)
      AND updated_at = TIMESTAMP_MILLIS(@updated_at_ms)
  )`;

/** The children of changed parents, with their `parent` column. */
const changedChildren = (table: 'metric_rollups' | 'metric_histograms', { child, parent }: Level) => `(
    SELECT x.*, c.parent
    FROM {{${table}}} AS x
    JOIN changed AS c
      ON x.name = c.name AND x.series_key = c.series_key AND DIV(UNIX_MILLIS(x.window_start), ${parent * 1000}) = c.parent
    WHERE x.window_seconds = ${child}
      AND x.window_start >= TIMESTAMP_MILLIS(@from_ms) AND x.window_start < TIMESTAMP_MILLIS(@to_ms)
  )`;

const parentTarget = ({ parent }: Level) => `t.window_seconds = ${parent}
  AND t.window_start >= TIMESTAMP_MILLIS(@from_ms) AND t.window_start < TIMESTAMP_MILLIS(@to_ms)`;

function mergeRollupLevel(name: string, level: Level) {
  return defineQuery(
    name,
    mergeInto(
      'metric_rollups',
      `WITH ${changedParents(level)}
  SELECT ${parentRollupColumns(level.parent)}
  FROM ${changedChildren('metric_rollups', level)} AS r
  GROUP BY r.name, r.series_key, r.parent`,
      parentTarget(level),
    ),
  );
}

function mergeHistogramLevel(name: string, level: Level) {
  return defineQuery(
    name,
    mergeInto(
      'metric_histograms',
      `WITH ${changedParents(level)}
  SELECT ${parentHistogramColumns(level.parent)}
  FROM ${changedChildren('metric_histograms', level)} AS h
  GROUP BY h.name, h.series_key, h.parent, h.bucket`,
      parentTarget(level),
    ),
  );
}

const HOURS: Level = { child: 60, parent: 3_600 };
const DAYS: Level = { child: 3_600, parent: 86_400 };

export const rollupMergeHours = mergeRollupLevel('rollup_merge_hours', HOURS);
export const rollupMergeHourHistograms = mergeHistogramLevel('rollup_merge_hour_histograms', HOURS);
export const rollupMergeDays = mergeRollupLevel('rollup_merge_days', DAYS);
export const rollupMergeDayHistograms = mergeHistogramLevel('rollup_merge_day_histograms', DAYS);

/**
 * The merges in the order they must run: a level's rollups before its histograms (both find their
 * parents through the rollups' updated_at stamp), hours before days.
 */
export const LEVEL_MERGES = [
  { parentSeconds: 3_600, queries: [rollupMergeHours, rollupMergeHourHistograms] },
  { parentSeconds: 86_400, queries: [rollupMergeDays, rollupMergeDayHistograms] },
] as const;

export const QUERIES = [rollupMergeHours, rollupMergeHourHistograms, rollupMergeDays, rollupMergeDayHistograms];
