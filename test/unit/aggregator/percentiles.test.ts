import { PERCENTILES, rollupPercentilesByWindow, rollupPercentilesMerged } from '../../../sql/queries/rollup-read';
import { mergedPercentiles, percentilesByWindow } from '../../../aggregator/percentiles';
import { runRollupJob } from '../../../aggregator/rollup-job';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { DAY, event, HOUR, MINUTE, normal, openMemoryWarehouse, rng } from './support';

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const NAME = 'infra.http.request.latency_ms';

/** Exact nearest-rank percentile: the ⌈p·n/100⌉-th smallest value (integer arithmetic). */
function exact(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((sorted.length * p) / 100 - 1e-9)) - 1] as number;
}

const SHAPES: Record<string, (random: () => number) => number> = {
  uniform: (random) => 1 + random() * 999,
  'log-normal': (random) => Math.exp(5 + 1.2 * normal(random)),
  bimodal: (random) => (random() < 0.7 ? 40 + 10 * normal(random) : 2_000 + 300 * normal(random)),
};

describe('percentiles computed in SQL from histogram buckets (DuckDB)', () => {
  let wh: DuckDbWarehouse;
  const samples = new Map<string, number[]>();

  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    const rows: EventRow[] = [];
    Object.entries(SHAPES).forEach(([shape, draw], s) => {
      const random = rng(100 + s);
      const values: number[] = [];
      // 3 hours of one series per shape: 3,600 values, spread over 180 one-minute windows.
      for (let i = 0; i < 3_600; i++) {
        const v = Math.max(0.01, draw(random));
        values.push(v);
        rows.push(event(NAME, 'timing', v, T0 + Math.floor(i / 20) * MINUTE + (i % 20) * 1_000, { shape }));
      }
      samples.set(shape, values);
    });
    await wh.insertEvents(rows);
    await runRollupJob(wh, { nowMs: T0 + DAY });
  });
  afterAll(() => wh.close());

  const within1Percent = (estimate: number, truth: number) => expect(Math.abs(estimate - truth) / truth).toBeLessThanOrEqual(0.01 + 1e-9);

  it.each(Object.keys(SHAPES))('reads p50, p90, p95, p99 of %s data within 1%% of the exact values, at every window size', async (shape) => {
    const values = samples.get(shape)!;
    for (const seconds of [60, 3_600, 86_400]) {
      const [row] = await wh.query(rollupPercentilesMerged, { name: NAME, window_seconds: seconds, from_ms: T0 - DAY, to_ms: T0 + DAY, all_series: false, series_key: `shape=${shape}` });
      expect(row!.observations).toBe(values.length);
      for (const p of PERCENTILES) within1Percent(row![`p${p}`] as number, exact(values, p));
    }
  });

  it('reads per-window percentiles within 1% for every minute and hour', async () => {
    for (const [seconds, perWindow] of [[60, 20], [3_600, 1_200]] as const) {
      const rows = await wh.query(rollupPercentilesByWindow, { name: NAME, window_seconds: seconds, from_ms: T0, to_ms: T0 + 3 * HOUR });
      expect(rows).toHaveLength((3 * 3 * HOUR) / (seconds * 1000));
      for (const row of rows) {
        const shape = String(row.series_key).slice('shape='.length);
        const index = ((row.window_start_ms as number) - T0) / (seconds * 1000);
        const values = samples.get(shape)!.slice(index * perWindow, (index + 1) * perWindow);
        expect(row.observations).toBe(perWindow);
        for (const p of PERCENTILES) within1Percent(row[`p${p}`] as number, exact(values, p));
      }
    }
  });

  it('is wrapped for TypeScript callers (aggregator/percentiles.ts)', async () => {
    const merged = await mergedPercentiles(wh, { name: NAME, windowSeconds: 3_600, fromMs: T0, toMs: T0 + 3 * HOUR, seriesKey: 'shape=uniform' });
    expect(merged.observations).toBe(3_600);
    within1Percent(merged.p95!, exact(samples.get('uniform')!, 95));
    const series = await percentilesByWindow(wh, { name: NAME, windowSeconds: 86_400, fromMs: T0 - DAY, toMs: T0 + DAY });
    expect(series.map((s) => [s.seriesKey, s.observations])).toEqual([
      ['shape=bimodal', 3_600],
      ['shape=log-normal', 3_600],
      ['shape=uniform', 3_600],
    ]);
  });

  it('merges every series when asked, and reports no data as NULL percentiles', async () => {
    const [all] = await wh.query(rollupPercentilesMerged, { name: NAME, window_seconds: 3_600, from_ms: T0, to_ms: T0 + 3 * HOUR, all_series: true, series_key: '' });
    const everything = [...samples.values()].flat();
    expect(all!.observations).toBe(everything.length);
    for (const p of PERCENTILES) within1Percent(all![`p${p}`] as number, exact(everything, p));
    const [none] = await wh.query(rollupPercentilesMerged, { name: NAME, window_seconds: 60, from_ms: T0 - DAY, to_ms: T0 - HOUR, all_series: true, series_key: '' });
    expect(none).toEqual({ observations: 0, p50: null, p90: null, p95: null, p99: null });
  });
});
