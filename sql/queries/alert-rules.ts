import { BURN_WINDOWS, type BurnWindow } from '../../shared/time-windows';
import { defineQuery } from '../dialect';

/**
 * Reads for alert-rule evaluation (alerts/evaluate/). All of them read the 1-minute rollups whose
 * window starts in [@from_ms, @to_ms): with `to` = now and `from` = now − the rule's window, that
 * is exactly window ÷ 60 minutes, the current (partial) minute included. Rows are per series;
 * tag filters and grouping happen in TypeScript on the parsed series key, so one query serves
 * every rule with the same window.
 */

/** Totals per (metric, series) over one rule window: threshold rules with sum, count, avg, max. */
export const alertSeriesTotals = defineQuery(
  'alert_series_totals',
  `SELECT name, series_key,
  SUM(event_count) AS event_count,
  SUM(value_sum) AS value_sum,
  MAX(value_max) AS value_max
FROM {{metric_rollups}}
WHERE window_start >= TIMESTAMP_MILLIS(@from_ms)
  AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
GROUP BY name, series_key`,
);

/** Merged histogram buckets per series of one timing metric over one rule window: p95 rules. */
export const alertSeriesHistogram = defineQuery(
  'alert_series_histogram',
  `SELECT series_key, bucket, SUM(bucket_count) AS bucket_count
FROM {{metric_histograms}}
WHERE window_start >= TIMESTAMP_MILLIS(@from_ms)
  AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
  AND name = @name
GROUP BY series_key, bucket`,
);

const BURN_WINDOW_LIST = Object.keys(BURN_WINDOWS) as BurnWindow[];
/** The longest burn window (3d): the scan range of the burn queries. */
export const LONGEST_BURN_WINDOW: BurnWindow = BURN_WINDOW_LIST.reduce((a, b) => (BURN_WINDOWS[b] > BURN_WINDOWS[a] ? b : a));
/** Parameter name of a burn window's start: `@from_5m_ms`. */
export const burnFromParam = (w: BurnWindow): string => `from_${w}_ms`;

const perWindow = (expr: (w: BurnWindow) => string) => BURN_WINDOW_LIST.map(expr).join(',\n');

/**
 * One metric's totals per series for every burn-rate lookback window ending at @to_ms, in one scan
 * of the longest window (conditional sums). Columns `sum_<w>` and `count_<w>` for w in 5m … 3d.
 */
export const alertBurnWindowTotals = defineQuery(
  'alert_burn_window_totals',
  `SELECT series_key,
${perWindow((w) => `  SUM(CASE WHEN window_start >= TIMESTAMP_MILLIS(@${burnFromParam(w)}) THEN value_sum ELSE 0 END) AS sum_${w}`)},
${perWindow((w) => `  SUM(CASE WHEN window_start >= TIMESTAMP_MILLIS(@${burnFromParam(w)}) THEN event_count ELSE 0 END) AS count_${w}`)}
FROM {{metric_rollups}}
WHERE window_start >= TIMESTAMP_MILLIS(@${burnFromParam(LONGEST_BURN_WINDOW)})
  AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
  AND name = @name
GROUP BY series_key`,
);

/**
 * One timing metric's observations at or under @max_bucket per series, for every burn window
 * (a latency SLI's good events). Columns `good_<w>`.
 */
export const alertBurnWindowGood = defineQuery(
  'alert_burn_window_good',
  `SELECT series_key,
${perWindow((w) => `  SUM(CASE WHEN window_start >= TIMESTAMP_MILLIS(@${burnFromParam(w)}) THEN bucket_count ELSE 0 END) AS good_${w}`)}
FROM {{metric_histograms}}
WHERE window_start >= TIMESTAMP_MILLIS(@${burnFromParam(LONGEST_BURN_WINDOW)})
  AND window_start < TIMESTAMP_MILLIS(@to_ms)
  AND window_seconds = 60
  AND name = @name
  AND bucket <= @max_bucket
GROUP BY series_key`,
);

export const QUERIES = [alertSeriesTotals, alertSeriesHistogram, alertBurnWindowTotals, alertBurnWindowGood];
