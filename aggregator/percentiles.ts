import { PERCENTILES, rollupPercentilesByWindow, rollupPercentilesMerged } from '../sql/queries/rollup-read';
import type { Row, Warehouse } from '../sql/warehouse';

/**
 * Latency percentiles read from the histogram rollups, computed in SQL (sql/queries/rollup-read.ts):
 * nearest rank over merged buckets, within 1% relative error of the exact values (docs/SLOS.md).
 * `null` percentiles mean no observations.
 */
export type Percentile = (typeof PERCENTILES)[number];
export type PercentileValues = Readonly<Record<`p${Percentile}`, number | null>>;

export interface PercentileQuery {
  /** A timing metric. */
  readonly name: string;
  /** Which rollup windows to read: 60, 3600 or 86400. */
  readonly windowSeconds: 60 | 3_600 | 86_400;
  /** Windows starting in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
}

const values = (row: Row | undefined): PercentileValues =>
  Object.fromEntries(PERCENTILES.map((p) => [`p${p}`, (row?.[`p${p}`] as number | null | undefined) ?? null])) as PercentileValues;

/** Percentiles over the whole range, all series merged (or only `seriesKey`). */
export async function mergedPercentiles(warehouse: Warehouse, q: PercentileQuery & { seriesKey?: string }): Promise<{ observations: number } & PercentileValues> {
  const [row] = await warehouse.query(rollupPercentilesMerged, {
    name: q.name,
    window_seconds: q.windowSeconds,
    from_ms: q.fromMs,
    to_ms: q.toMs,
    all_series: q.seriesKey === undefined,
    series_key: q.seriesKey ?? '',
  });
  return { observations: Number(row?.observations ?? 0), ...values(row) };
}

/** Percentiles per (series, window): a time series per series. */
export async function percentilesByWindow(
  warehouse: Warehouse,
  q: PercentileQuery,
): Promise<Array<{ seriesKey: string; windowStartMs: number; observations: number } & PercentileValues>> {
  const rows = await warehouse.query(rollupPercentilesByWindow, { name: q.name, window_seconds: q.windowSeconds, from_ms: q.fromMs, to_ms: q.toMs });
  return rows.map((row) => ({ seriesKey: String(row.series_key), windowStartMs: Number(row.window_start_ms), observations: Number(row.observations), ...values(row) }));
}
