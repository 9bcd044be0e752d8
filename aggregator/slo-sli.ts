import { getMetric, isMetricName } from '../shared/metric-catalogue';
import { parseSeriesKey } from '../shared/series-key';
import { SLOS, type EventSelector, type SloSpec } from '../shared/slo-catalogue';

/**
 * From sums to an SLI's good and total events — pure, so the selector rules are unit tested
 * without a warehouse. Two shapes of input, per "slot" (a lookback window such as `1h`, or a day
 * of the monthly report): sums per selector, matched in SQL ({@link SelectorInputs}: the SLO job
 * and the monthly report, bounded whatever the number of series); or sums per (metric, series),
 * where this module picks the series each selector matches ({@link SliInputs}: no production
 * caller since both jobs sum per selector; kept as the per-series reference the tests compare
 * against). The rules:
 *
 * - a selector matches a series when the metric is the same and the series' tags include every
 *   `where` tag (tags parsed from the canonical series key);
 * - a count metric contributes its value (an event may count many requests), a timing metric one
 *   per observation; with `maxMs`, only observations in buckets at or under the threshold
 *   (shared/latency-threshold.ts);
 * - total = Σ total selectors; good = Σ good selectors, or total − Σ bad selectors; good is
 *   clamped to [0, total] so inconsistent inputs (a bad event outside the total's filter) can
 *   never make attainment negative or above 100%.
 */

/** Sums of one series of one metric, per slot. */
export interface SeriesSums {
  readonly name: string;
  readonly seriesKey: string;
  /** SUM(event_count) per slot. */
  readonly events: Readonly<Record<string, number>>;
  /** SUM(value_sum) per slot. */
  readonly values: Readonly<Record<string, number>>;
}

/** Observations at or under `maxMs` of one series of one timing metric, per slot. */
export interface SeriesGoodSums {
  readonly name: string;
  readonly seriesKey: string;
  readonly maxMs: number;
  readonly good: Readonly<Record<string, number>>;
}

export interface SliCounts {
  readonly good: number;
  readonly total: number;
}

/** Throws (at load: configuration errors fail fast) when an SLO's SLI cannot be computed. */
export function assertSliSpec(slo: SloSpec): void {
  const where = `SLO ${slo.id}`;
  if (!(slo.objective > 0 && slo.objective < 1)) throw new Error(`${where}: objective must be between 0 and 1 exclusive, got ${slo.objective}`);
  if (!(slo.windowDays > 0 && Number.isInteger(slo.windowDays))) throw new Error(`${where}: windowDays must be a positive whole number`);
  if (slo.sli.total.length === 0) throw new Error(`${where}: the SLI needs at least one total selector`);
  if ((slo.sli.good === undefined) === (slo.sli.bad === undefined)) throw new Error(`${where}: the SLI needs exactly one of good or bad`);
  for (const s of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) {
    if (!isMetricName(s.metric)) throw new Error(`${where}: unknown metric ${String(s.metric)}`);
    const kind = getMetric(s.metric).kind;
    if (kind === 'gauge') throw new Error(`${where}: ${s.metric} is a gauge; an SLI counts events (count or timing metrics)`);
    if (s.maxMs !== undefined && kind !== 'timing') throw new Error(`${where}: maxMs applies to timing metrics only, not ${s.metric}`);
  }
}

for (const slo of SLOS) assertSliSpec(slo);

function matches(selector: EventSelector, name: string, tags: Readonly<Record<string, string>>): boolean {
  if (selector.metric !== name) return false;
  for (const [key, value] of Object.entries(selector.where ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(tags, key) || tags[key] !== value) return false;
  }
  return true;
}

/** Pre-parsed inputs: parse each series key once, however many SLOs and slots read it. */
export class SliInputs {
  private readonly series: ReadonlyArray<SeriesSums & { tags: Record<string, string> }>;
  private readonly good: ReadonlyArray<SeriesGoodSums & { tags: Record<string, string> }>;

  constructor(series: readonly SeriesSums[], good: readonly SeriesGoodSums[]) {
    this.series = series.map((s) => ({ ...s, tags: parseSeriesKey(s.seriesKey) }));
    this.good = good.map((g) => ({ ...g, tags: parseSeriesKey(g.seriesKey) }));
  }

  /** What one selector adds up to in one slot. */
  selectorSum(selector: EventSelector, slot: string): number {
    let sum = 0;
    if (selector.maxMs !== undefined) {
      for (const g of this.good) {
        if (g.maxMs === selector.maxMs && matches(selector, g.name, g.tags)) sum += g.good[slot] ?? 0;
      }
      return sum;
    }
    const byValue = getMetric(selector.metric).kind === 'count';
    for (const s of this.series) {
      if (matches(selector, s.name, s.tags)) sum += (byValue ? s.values[slot] : s.events[slot]) ?? 0;
    }
    return sum;
  }

  /** Good and total events of an SLO's SLI in one slot. */
  counts(slo: SloSpec, slot: string): SliCounts {
    return sliCounts(slo, (selector) => this.selectorSum(selector, slot));
  }
}

/** What a selector adds up to, per slot: one row of the SLO job's per-selector SQL. */
export interface SelectorSlotSums {
  readonly selector: EventSelector;
  /** SUM(event_count) per slot (selectors without maxMs). */
  readonly events?: Readonly<Record<string, number>>;
  /** SUM(value_sum) per slot (selectors without maxMs). */
  readonly values?: Readonly<Record<string, number>>;
  /** Observations at or under maxMs per slot (latency selectors). */
  readonly good?: Readonly<Record<string, number>>;
}

/**
 * Inputs already summed per selector in SQL (sql/queries/slo-window-sums.ts, slo-daily-sums.ts):
 * the SLO job's and the monthly report's path, whose memory does not grow with the number of
 * series. Same rules as {@link SliInputs}: a count metric contributes its values, a timing metric
 * its events, a latency selector its good observations. `keyOf` identifies equal selectors (sql/queries/slo-fragments.ts selectorKey).
 */
export class SelectorInputs {
  private readonly byKey = new Map<string, SelectorSlotSums>();

  constructor(
    sums: readonly SelectorSlotSums[],
    private readonly keyOf: (selector: EventSelector) => string,
  ) {
    for (const s of sums) this.byKey.set(keyOf(s.selector), s);
  }

  selectorSum(selector: EventSelector, slot: string): number {
    const sums = this.byKey.get(this.keyOf(selector));
    if (sums === undefined) return 0;
    if (selector.maxMs !== undefined) return sums.good?.[slot] ?? 0;
    return (getMetric(selector.metric).kind === 'count' ? sums.values?.[slot] : sums.events?.[slot]) ?? 0;
  }

  counts(slo: SloSpec, slot: string): SliCounts {
    return sliCounts(slo, (selector) => this.selectorSum(selector, slot));
  }
}

/**
 * An SLI's good and total from what each selector adds up to: total = Σ total selectors; good =
 * Σ good selectors, or total − Σ bad selectors; good clamped to [0, total].
 */
export function sliCounts(slo: SloSpec, selectorSum: (selector: EventSelector) => number): SliCounts {
  const sum = (selectors: readonly EventSelector[]) => selectors.reduce((n, s) => n + selectorSum(s), 0);
  const total = sum(slo.sli.total);
  const rawGood = slo.sli.good !== undefined ? sum(slo.sli.good) : total - sum(slo.sli.bad ?? []);
  return { good: Math.min(total, Math.max(0, rawGood)), total };
}
