import { SLOS, type SloSpec } from '../../shared/slo-catalogue';
import { sloWindowAt } from '../../shared/slo-window';
import { BURN_WINDOWS } from '../../shared/time-windows';
import { defineQuery, type SqlQuery } from '../dialect';
import { numberedSelectors, selectorMatch, selectorMetricFilter, selectorsCte } from './slo-fragments';

/**
 * Sums over every lookback window an SLO status needs — the burn-rate windows 5m … 3d (SRE
 * Workbook ch. 5, "Alerting on SLOs") and each SLO's rolling window (30d) — all ending at @end_ms,
 * in ONE scan of the rollups, per SLI selector (metric + where tags [+ latency threshold]): the
 * rows returned are O(selectors), however many series the metrics have (issue #17: per-series
 * rows were 750,000 × 30 days of sums in JavaScript). aggregator/slo-job.ts adds the selectors of
 * each SLI (aggregator/slo-sli.ts) and does the budget arithmetic in TypeScript.
 *
 * Reading 30 days of 1-minute rows would be 43,200 rows per series (and far more histogram rows),
 * so each lookback [s, e) is tiled with the coarsest windows that fit: whole days, then whole
 * hours at both ends, then minutes at both ends. A row belongs to a lookback's tiling exactly when
 *   the row's window lies inside [s, e)  AND  its parent window (minute → hour → day) does not —
 * if the parent fits, the parent's row is used instead. Hour and day rows always exist above
 * minute rows (rollup-levels.ts), so the tiles add up to exactly the minute-level sums. The
 * prefilter keeps only rows that can be tiles (minutes within an hour, hours within a day of an
 * edge), so a run reads a few thousand rows per series rather than tens of thousands.
 */

/** A lookback window ending at "now": its label (as in BURN_WINDOWS) and length in seconds. */
export interface Lookback {
  readonly label: string;
  readonly seconds: number;
}

/**
 * The burn-rate windows, then each distinct SLO window (`30d`; a calendar month `month_<zone>`,
 * whose length so far depends on `endMs`), shortest first. Rolling windows do not depend on
 * `endMs`; a catalogue with calendar SLOs needs it (shared/slo-window.ts).
 */
export function sloLookbacks(slos: readonly SloSpec[], endMs?: number): Lookback[] {
  const byLabel = new Map<string, number>(Object.entries(BURN_WINDOWS));
  for (const slo of slos) {
    if (slo.calendar && endMs === undefined) throw new Error(`SLO ${slo.id} has a calendar window: its lookback needs the end of the window`);
    const window = sloWindowAt(slo, endMs ?? 0);
    byLabel.set(window.label, slo.calendar ? (window.endMs - window.startMs) / 1000 : slo.windowDays * 86_400);
  }
  return [...byLabel.entries()].map(([label, seconds]) => ({ label, seconds })).sort((a, b) => a.seconds - b.seconds);
}

/** The built-in catalogue's lookbacks (rolling windows only). */
export const SLO_LOOKBACKS: readonly Lookback[] = sloLookbacks(SLOS);

/** The longest lookback in ms: the scan starts at @end_ms minus this. */
export const longestLookbackMs = (lookbacks: readonly Lookback[]): number => Math.max(...lookbacks.map((l) => l.seconds)) * 1000;
export const LONGEST_LOOKBACK_MS = longestLookbackMs(SLO_LOOKBACKS);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The row (columns start_ms, length_ms, parent_start_ms, parent_ms) is a tile of [end − W, end). */
function tileOf(lookback: Lookback): string {
  const start = `@end_ms - ${lookback.seconds * 1000}`;
  return `(start_ms >= ${start} AND start_ms + length_ms <= @end_ms AND NOT (parent_ms IS NOT NULL AND parent_start_ms >= ${start} AND parent_start_ms + parent_ms <= @end_ms))`;
}

const range = (column: string, fromExpr: string, toExpr: string) =>
  `(${column} >= TIMESTAMP_MILLIS(${fromExpr}) AND ${column} < TIMESTAMP_MILLIS(${toExpr}))`;

/**
 * Rows that can be tiles of some lookback: every day row; hour rows within a day after a
 * lookback's start or before the end; minute rows within an hour after a start or before the end.
 */
function prefilter(alias: string, lookbacks: readonly Lookback[]): string {
  const ws = `${alias}window_seconds`;
  const start = `${alias}window_start`;
  const edges = (unitMs: number) => [
    range(start, `@end_ms - ${unitMs}`, '@end_ms'),
    ...lookbacks.filter((l) => l.seconds * 1000 > unitMs).map((l) => range(start, `@end_ms - ${l.seconds * 1000}`, `@end_ms - ${l.seconds * 1000 - unitMs}`)),
  ];
  return `(${ws} = 86400
      OR (${ws} = 3600 AND (${edges(DAY_MS).join('\n        OR ')}))
      OR (${ws} = 60 AND (${edges(HOUR_MS).join('\n        OR ')})))`;
}

const placement = (alias: string) => `UNIX_MILLIS(${alias}window_start) AS start_ms,
    ${alias}window_seconds * 1000 AS length_ms,
    CASE ${alias}window_seconds WHEN 60 THEN ${HOUR_MS} WHEN 3600 THEN ${DAY_MS} END AS parent_ms`;

const SCAN_RANGE = (alias: string) =>
  `${alias}window_start >= TIMESTAMP_MILLIS(@from_ms) AND ${alias}window_start < TIMESTAMP_MILLIS(@end_ms)`;

const perLookback = (lookbacks: readonly Lookback[], expr: (l: Lookback) => string) => lookbacks.map(expr).join(',\n');

/**
 * Per SLI selector of `slos` (`selector_id`: its index in distinctSelectors(slos)): `events_<w>`
 * (SUM event_count) and `values_<w>` (SUM value_sum) over every series the selector matches, for
 * each lookback w. One row per selector with data. Params: @end_ms (minute-aligned end,
 * exclusive) and @from_ms = @end_ms − the longest lookback.
 */
export function sloWindowRollupSumsFor(slos: readonly SloSpec[], lookbacks: readonly Lookback[] = sloLookbacks(slos)): SqlQuery {
  const selectors = numberedSelectors(slos).rollups;
  const { cte, needles } = selectorsCte(selectors);
  return defineQuery(
    'slo_window_rollup_sums',
    `WITH ${cte},
placed AS (
  SELECT s.selector_id, r.event_count, r.value_sum,
    ${placement('r.')}
  FROM {{metric_rollups}} AS r
  JOIN selectors AS s ON r.name = s.name
  WHERE ${SCAN_RANGE('r.')}
    AND ${selectorMetricFilter('r.name', selectors)}
    AND ${prefilter('r.', lookbacks)}
    AND ${selectorMatch('r.series_key', needles)}
), tiles AS (
  SELECT *, DIV(start_ms, parent_ms) * parent_ms AS parent_start_ms
  FROM placed
)
SELECT selector_id,
${perLookback(lookbacks, (l) => `  SUM(CASE WHEN ${tileOf(l)} THEN event_count ELSE 0 END) AS events_${l.label}`)},
${perLookback(lookbacks, (l) => `  SUM(CASE WHEN ${tileOf(l)} THEN value_sum ELSE 0 END) AS values_${l.label}`)}
FROM tiles
GROUP BY selector_id`,
  );
}

/**
 * Per latency selector of `slos` (a timing metric with maxMs): `good_<w>`, the observations in
 * buckets at or under the threshold's last good bucket over every series the selector matches,
 * for each lookback w. One row per selector with data.
 */
export function sloWindowGoodSumsFor(slos: readonly SloSpec[], lookbacks: readonly Lookback[] = sloLookbacks(slos)): SqlQuery {
  const selectors = numberedSelectors(slos).histograms;
  const { cte, needles } = selectorsCte(selectors);
  return defineQuery(
    'slo_window_good_sums',
    `WITH ${cte},
placed AS (
  SELECT s.selector_id, h.bucket_count,
    ${placement('h.')}
  FROM {{metric_histograms}} AS h
  JOIN selectors AS s ON h.name = s.name AND h.bucket <= s.max_bucket
  WHERE ${SCAN_RANGE('h.')}
    AND ${selectorMetricFilter('h.name', selectors)}
    AND ${prefilter('h.', lookbacks)}
    AND ${selectorMatch('h.series_key', needles)}
), tiles AS (
  SELECT *, DIV(start_ms, parent_ms) * parent_ms AS parent_start_ms
  FROM placed
)
SELECT selector_id,
${perLookback(lookbacks, (l) => `  SUM(CASE WHEN ${tileOf(l)} THEN bucket_count ELSE 0 END) AS good_${l.label}`)}
FROM tiles
GROUP BY selector_id`,
  );
}

/** The catalogue's queries (the golden files). */
export const sloWindowRollupSums = sloWindowRollupSumsFor(SLOS);
export const sloWindowGoodSums = sloWindowGoodSumsFor(SLOS);

export const QUERIES = [sloWindowRollupSums, sloWindowGoodSums];
