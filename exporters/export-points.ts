import { histogramQuantile } from '../shared/histogram';
import type { ExportPoint, MinuteSeries } from './types';

/**
 * The one conversion from a closed minute of a series to the values the series-based providers
 * (Datadog, Cloud Monitoring) take — docs/OPERATIONS.md "Metrics in your provider" shows it:
 *
 * | rollup kind | points (metric name, type, value) |
 * |---|---|
 * | count  | `<name>` count = the minute's sum of values (a delta) |
 * | gauge  | `<name>` gauge = the minute's last value |
 * | timing | `<name>.count` count = observations, `<name>.sum` count = sum of ms, `<name>.min` / `.max` gauges, `<name>.p50` / `.p95` / `.p99` gauges from the minute's histogram (within 1%: shared/histogram.ts) |
 *
 * A gauge whose minute has no last value, or a timing quantile of an empty histogram, is left out
 * rather than sent as 0.
 */
export const TIMING_QUANTILES = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

export function exportPoints(series: readonly MinuteSeries[]): ExportPoint[] {
  const out: ExportPoint[] = [];
  for (const s of series) {
    const base = { name: s.name, tags: s.tags, minuteMs: s.minuteMs };
    if (s.kind === 'count') {
      out.push({ ...base, metric: s.name, type: 'count', value: s.valueSum });
    } else if (s.kind === 'gauge') {
      if (s.lastValue !== null) out.push({ ...base, metric: s.name, type: 'gauge', value: s.lastValue });
    } else {
      out.push({ ...base, metric: `${s.name}.count`, type: 'count', value: s.eventCount });
      out.push({ ...base, metric: `${s.name}.sum`, type: 'count', value: s.valueSum });
      if (s.valueMin !== null) out.push({ ...base, metric: `${s.name}.min`, type: 'gauge', value: s.valueMin });
      if (s.valueMax !== null) out.push({ ...base, metric: `${s.name}.max`, type: 'gauge', value: s.valueMax });
      for (const [suffix, q] of TIMING_QUANTILES) {
        const value = histogramQuantile(s.histogram, q);
        if (value !== undefined) out.push({ ...base, metric: `${s.name}.${suffix}`, type: 'gauge', value });
      }
    }
  }
  return out;
}
