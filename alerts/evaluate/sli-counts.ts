import { bucketIndex } from '../../shared/histogram';
import { METRICS } from '../../shared/metric-catalogue';
import type { EventSelector, SliSpec } from '../../shared/slo-catalogue';
import { BURN_WINDOWS, type BurnWindow } from '../../shared/time-windows';
import { matchesWhere, type DataNeed, type RuleDataSnapshot } from './rule-data';

export const BURN_WINDOW_NAMES = Object.keys(BURN_WINDOWS) as BurnWindow[];

/** Total and bad events of an SLI in one lookback window. */
export interface WindowCounts {
  readonly total: number;
  readonly bad: number;
}

export type SliWindowCounts = Readonly<Record<BurnWindow, WindowCounts>>;

/**
 * How a selector is counted (shared/slo-catalogue.ts): a count metric contributes its values; a
 * timing metric one per observation; a timing selector with `maxMs` only the observations at or
 * under it, read from the histogram buckets up to the bucket holding `maxMs` (so the cut is
 * within the histogram's 1% relative accuracy of `maxMs`).
 */
type SelectorSource = { kind: 'value-sum' | 'event-count'; metric: string } | { kind: 'good-buckets'; metric: string; maxBucket: number };

function sourceOf(selector: EventSelector): SelectorSource {
  const kind = (METRICS[selector.metric] as { kind: string }).kind;
  if (kind === 'timing' && selector.maxMs !== undefined) return { kind: 'good-buckets', metric: selector.metric, maxBucket: bucketIndex(selector.maxMs) };
  return { kind: kind === 'count' ? 'value-sum' : 'event-count', metric: selector.metric };
}

/** The data an SLI needs fetched. */
export function sliDataNeeds(sli: SliSpec): DataNeed[] {
  const selectors = [...sli.total, ...(sli.good ?? []), ...(sli.bad ?? [])];
  return selectors.map((selector) => {
    const source = sourceOf(selector);
    return source.kind === 'good-buckets'
      ? { kind: 'window-good', metric: source.metric, maxBucket: source.maxBucket }
      : { kind: 'window-totals', metric: source.metric };
  });
}

function zeroWindows(): Record<BurnWindow, number> {
  const out = {} as Record<BurnWindow, number>;
  for (const w of BURN_WINDOW_NAMES) out[w] = 0;
  return out;
}

/** Sum of one selector over the matching series, per window. */
function selectorCounts(selector: EventSelector, data: RuleDataSnapshot): Record<BurnWindow, number> {
  const out = zeroWindows();
  const where = Object.entries(selector.where ?? {});
  const source = sourceOf(selector);
  if (source.kind === 'good-buckets') {
    for (const series of data.windowGoodOf(source.metric, source.maxBucket)) {
      if (!matchesWhere(data.tags(series.seriesKey), where)) continue;
      for (const w of BURN_WINDOW_NAMES) out[w] += series.good[w];
    }
    return out;
  }
  for (const series of data.windowTotalsOf(source.metric)) {
    if (!matchesWhere(data.tags(series.seriesKey), where)) continue;
    const values = source.kind === 'value-sum' ? series.valueSum : series.eventCount;
    for (const w of BURN_WINDOW_NAMES) out[w] += values[w];
  }
  return out;
}

function sumSelectors(selectors: readonly EventSelector[], data: RuleDataSnapshot): Record<BurnWindow, number> {
  const out = zeroWindows();
  for (const selector of selectors) {
    const counts = selectorCounts(selector, data);
    for (const w of BURN_WINDOW_NAMES) out[w] += counts[w];
  }
  return out;
}

/** Total and bad events of an SLI per burn window: bad from `bad` selectors, or total − good. */
export function sliWindowCounts(sli: SliSpec, data: RuleDataSnapshot): SliWindowCounts {
  const total = sumSelectors(sli.total, data);
  const bad = sli.bad ? sumSelectors(sli.bad, data) : undefined;
  const good = sli.good ? sumSelectors(sli.good, data) : undefined;
  const out = {} as Record<BurnWindow, WindowCounts>;
  for (const w of BURN_WINDOW_NAMES) {
    const badCount = bad ? bad[w] : Math.max(0, total[w] - (good ? good[w] : total[w]));
    out[w] = { total: total[w], bad: Math.min(badCount, total[w]) };
  }
  return out;
}
