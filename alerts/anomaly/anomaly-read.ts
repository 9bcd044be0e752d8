import { PIPELINE_JOBS } from '../../shared/alert-rules';
import { anomalyMinuteHistogram, anomalyMinuteTotals } from '../../sql/queries/anomaly';
import { jobRuns } from '../../sql/queries/health';
import { numberOf, numberOrNull } from '../../sql/row-values';
import type { Warehouse } from '../../sql/warehouse';
import { anomalyRanges, type AnomalyMinuteRow, type AnomalyMinutesRead, type AnomalyReadShape } from './anomaly-data';
import { MINUTE_MS } from './anomaly-model';
import { MAX_ANOMALY_WEEKS } from './anomaly-params';

/** Series per anomaly read returned as themselves; the rest come back summed as the overflow series. */
export const MAX_ANOMALY_SERIES = 500;

/**
 * Where judged minutes end: the last whole minute the rollups are complete for — the rollup job's
 * watermark, never after `nowMs`. A minute the rollups have not reached would read as a drop.
 * Null when the rollups never ran.
 */
export async function anomalyEndMs(warehouse: Warehouse, nowMs: number): Promise<number | null> {
  const jobs = await warehouse.query(jobRuns);
  const watermarkMs = numberOrNull(jobs.find((r) => r.job === PIPELINE_JOBS.rollup)?.watermark_ms);
  if (watermarkMs === null) return null;
  return Math.floor(Math.min(nowMs, watermarkMs) / MINUTE_MS) * MINUTE_MS;
}

/** Reads one metric's minutes in the ranges of `shape` ending at `endMs` (sql/queries/anomaly.ts). */
export async function readAnomalyMinutes(warehouse: Warehouse, need: AnomalyReadShape & { readonly metric: string; readonly histogram: boolean }, endMs: number): Promise<AnomalyMinutesRead> {
  if (need.weeks > MAX_ANOMALY_WEEKS) throw new Error(`an anomaly read covers at most ${MAX_ANOMALY_WEEKS} weeks, got ${need.weeks}`);
  const ranges = anomalyRanges(need, endMs);
  const params: Record<string, number | string> = { name: need.metric, recent_from_ms: ranges.recent[0], to_ms: ranges.recent[1], max_series: MAX_ANOMALY_SERIES };
  for (let w = 1; w <= MAX_ANOMALY_WEEKS; w++) {
    const range = ranges.weeks[w - 1] ?? [0, 0];
    params[`week${w}_from_ms`] = range[0];
    params[`week${w}_to_ms`] = range[1];
  }
  if (!need.histogram) {
    const rows = await warehouse.query(anomalyMinuteTotals, params);
    return {
      endMs,
      rows: rows.map((r) => ({
        seriesKey: String(r.series_key),
        minuteMs: numberOf(r.minute_ms),
        eventCount: numberOf(r.event_count),
        valueSum: numberOf(r.value_sum),
        lastValue: numberOrNull(r.last_value),
      })),
    };
  }
  const rows = await warehouse.query(anomalyMinuteHistogram, params);
  const byMinute = new Map<string, { seriesKey: string; minuteMs: number; eventCount: number; buckets: Array<[number, number]> }>();
  for (const r of rows) {
    const seriesKey = String(r.series_key);
    const minuteMs = numberOf(r.minute_ms);
    const key = `${minuteMs}|${seriesKey}`;
    let row = byMinute.get(key);
    if (!row) byMinute.set(key, (row = { seriesKey, minuteMs, eventCount: 0, buckets: [] }));
    const count = numberOf(r.bucket_count);
    row.buckets.push([numberOf(r.bucket), count]);
    row.eventCount += count;
  }
  const out: AnomalyMinuteRow[] = [...byMinute.values()].map((r) => ({ ...r, valueSum: 0, lastValue: null }));
  return { endMs, rows: out };
}
