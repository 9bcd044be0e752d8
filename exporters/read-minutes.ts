import { exportMinuteHistograms, exportMinuteRollups } from '../sql/queries/export';
import type { Warehouse } from '../sql/warehouse';
import type { MinuteSeries } from './types';

interface RollupRow extends Record<string, string | number | boolean | null> {
  window_start_ms: number;
  name: string;
  series_key: string;
  tags: string | null;
  kind: string;
  event_count: number;
  value_sum: number;
  value_min: number | null;
  value_max: number | null;
  last_value: number | null;
}

interface BucketRow extends Record<string, string | number | boolean | null> {
  window_start_ms: number;
  name: string;
  series_key: string;
  bucket: number;
  bucket_count: number;
}

/**
 * The 1-minute rollups of [fromMs, toMs) with their histograms, grouped by minute (ascending),
 * each minute's series ordered by (name, series_key): the order batches are cut in.
 */
export async function readMinutes(warehouse: Warehouse, fromMs: number, toMs: number): Promise<Map<number, MinuteSeries[]>> {
  const params = { from_ms: fromMs, to_ms: toMs };
  const [rows, buckets] = await Promise.all([warehouse.query<RollupRow>(exportMinuteRollups, params), warehouse.query<BucketRow>(exportMinuteHistograms, params)]);
  const histograms = new Map<string, Array<[number, number]>>();
  for (const b of buckets) {
    const key = `${b.window_start_ms}|${b.name}|${b.series_key}`;
    let list = histograms.get(key);
    if (!list) histograms.set(key, (list = []));
    list.push([Number(b.bucket), Number(b.bucket_count)]);
  }
  const minutes = new Map<number, MinuteSeries[]>();
  for (const r of rows) {
    const minuteMs = Number(r.window_start_ms);
    let list = minutes.get(minuteMs);
    if (!list) minutes.set(minuteMs, (list = []));
    list.push({
      minuteMs,
      name: r.name,
      seriesKey: r.series_key,
      tags: parseTags(r.tags),
      kind: r.kind === 'timing' || r.kind === 'gauge' ? r.kind : 'count',
      eventCount: Number(r.event_count),
      valueSum: Number(r.value_sum),
      valueMin: r.value_min === null ? null : Number(r.value_min),
      valueMax: r.value_max === null ? null : Number(r.value_max),
      lastValue: r.last_value === null ? null : Number(r.last_value),
      histogram: histograms.get(`${minuteMs}|${r.name}|${r.series_key}`) ?? [],
    });
  }
  return minutes;
}

function parseTags(text: string | null): Record<string, string> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}
