import { runRebuild } from '../../../aggregator/rebuild';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import type { MetricEvent, MetricKind, MetricName } from '../../../shared';
import { rollupPercentilesMerged } from '../../../sql/queries/rollup-read';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { mergePerInterval, single, type Call } from '../../support/merge-calls';
import { histogramTable, HOUR, MINUTE, normal, openMemoryWarehouse, rng, roundSums, rollupTable, select } from './support';

/**
 * Issue #18: rollups from merged events equal rollups from the same calls stored one by one —
 * event_count (calls), value_sum, value_min, value_max, last_value, last_ts and every histogram
 * bucket — for counts, timings and gauges, through ingest, the incremental job and the rebuild.
 */
const START = Date.UTC(2026, 10, 20, 10);
const SPAN_MS = 3 * HOUR;

const SERIES: ReadonlyArray<{ name: MetricName; kind: MetricKind; tags: Record<string, string> }> = [
  { name: 'infra.http.request.count', kind: 'count', tags: { tier: 'core', status_class: '2xx' } },
  { name: 'infra.http.request.count', kind: 'count', tags: { tier: 'core', status_class: '5xx' } },
  { name: 'infra.http.request.latency_ms', kind: 'timing', tags: { tier: 'core', endpoint: '/api/feed' } },
  { name: 'infra.http.request.latency_ms', kind: 'timing', tags: { tier: 'secondary', endpoint: '/api/gifts' } },
  { name: 'infra.queue.depth', kind: 'gauge', tags: { queue: 'ingest' } },
  { name: 'product.wallet.balance', kind: 'gauge', tags: { pool: 'creator' } },
];

/**
 * Calls in bursts (so many share a series and a second, and bursts straddle minute boundaries),
 * with ties at the same millisecond, zero timings, fractional and negative gauges.
 */
function generateCalls(seed: number, bursts: number): Call[] {
  const random = rng(seed);
  const calls: Call[] = [];
  for (let b = 0; b < bursts; b++) {
    // A third of the bursts start in the last 2 s of a minute, so their merges must split there.
    const at = random() < 0.33 ? START + Math.floor(random() * (SPAN_MS / MINUTE)) * MINUTE - 1_500 + MINUTE : START + Math.floor(random() * SPAN_MS);
    const series = SERIES[Math.floor(random() * SERIES.length)] as (typeof SERIES)[number];
    const size = 1 + Math.floor(random() * random() * 120);
    let ts = at;
    for (let i = 0; i < size; i++) {
      ts += random() < 0.2 ? 0 : Math.floor(random() * 60); // same millisecond now and then
      const value =
        series.kind === 'count' ? 1 + Math.floor(random() * 5)
        : series.kind === 'timing' ? (random() < 0.03 ? 0 : Math.round(Math.exp(3.5 + 0.8 * normal(random)) * 100) / 100)
        : random() < 0.5 ? Math.floor(random() * 200) - 50 : Math.round(random() * 1e6) / 1e3;
      calls.push({ id: `c${String(calls.length).padStart(7, '0')}`, name: series.name, kind: series.kind, value, ts, tags: series.tags });
    }
  }
  return calls.filter((c) => c.ts < START + SPAN_MS);
}

/**
 * Stores `events` through the real ingest handler in half-hour batches of event time (each
 * ingested at the batch's end), running the incremental job after each batch.
 */
async function ingestAndRoll(wh: DuckDbWarehouse, events: readonly MetricEvent[]): Promise<void> {
  for (let from = START; from < START + SPAN_MS; from += 30 * MINUTE) {
    const nowMs = from + 30 * MINUTE;
    const batch = events.filter((e) => e.ts >= from && e.ts < nowMs);
    const handler = new IngestHandler({ warehouse: wh, now: () => nowMs, log: silentIngestLog });
    for (let i = 0; i < batch.length; i += 1_000) {
      const data = JSON.stringify({ schema: 'metrics.v1', source: { service: 'test', environment: 'test' }, events: batch.slice(i, i + 1_000) });
      const summary = await handler.handle({ id: `m-${from}-${i}`, data });
      expect(summary).toMatchObject({ deadLettered: 0, stored: Math.min(1_000, batch.length - i) });
    }
    await runRollupJob(wh, { nowMs: nowMs + MINUTE });
  }
}

const tables = async (wh: DuckDbWarehouse) => ({ rollups: roundSums(await rollupTable(wh)), histograms: await histogramTable(wh) });

/** Nearest-rank q-quantile of raw values (the definition the rollups use). */
function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

describe('rollups of merged events equal rollups of the same calls one by one (DuckDB)', () => {
  it.each([[1], [2], [3]])('seed %i: minute, hour and day rollups and histograms are identical, incrementally and after a rebuild', async (seed) => {
    const calls = generateCalls(seed, 400);
    const merged = mergePerInterval(calls, 1_000);
    // The data exercises what it must: real merging, every kind merged, merges split at minutes.
    expect(merged.length).toBeLessThan(calls.length / 4);
    for (const kind of ['count', 'timing', 'gauge']) expect(merged.some((e) => e.kind === kind && (e.count ?? 1) > 1)).toBe(true);

    const [oneByOne, aggregated] = await Promise.all([openMemoryWarehouse(), openMemoryWarehouse()]);
    try {
      await ingestAndRoll(oneByOne, calls.map(single));
      await ingestAndRoll(aggregated, merged);

      const expected = await tables(oneByOne);
      expect(expected.rollups.length).toBeGreaterThan(300);
      expect(expected.histograms.length).toBeGreaterThan(1_000);
      expect(await tables(aggregated)).toEqual(expected);
      // Every call counted once per level.
      expect(await select(aggregated, 'SELECT window_seconds, SUM(event_count) AS calls FROM {{metric_rollups}} GROUP BY window_seconds ORDER BY window_seconds')).toEqual(
        [60, 3_600, 86_400].map((w) => ({ window_seconds: w, calls: calls.length })),
      );

      // The rebuild replays metric_events into the same tables, on both.
      for (const wh of [oneByOne, aggregated]) {
        await runRebuild(wh, { fromMs: START, toMs: START + SPAN_MS, nowMs: START + SPAN_MS + HOUR });
        expect(await tables(wh)).toEqual(expected);
      }

      // Percentiles read from the merged timings' histograms stay within 1% of the exact ones.
      const values = calls.filter((c) => c.kind === 'timing').map((c) => c.value);
      const [p] = await aggregated.query(rollupPercentilesMerged, { name: 'infra.http.request.latency_ms', window_seconds: 60, from_ms: START, to_ms: START + SPAN_MS, all_series: true, series_key: '' });
      expect(p?.observations).toBe(values.length);
      for (const [column, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99]] as const) {
        const exact = exactQuantile(values, q);
        const read = p?.[column] as number;
        expect(Math.abs(read - exact)).toBeLessThanOrEqual(0.01 * exact);
      }
    } finally {
      await Promise.all([oneByOne.close(), aggregated.close()]);
    }
  }, 120_000);
});
