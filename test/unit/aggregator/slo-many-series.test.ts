/**
 * Issue #17: the SLO job used to pull every series' sums into JavaScript. It now sums per SLI
 * selector in SQL. On a data set with thousands of series this test checks that the job's queries
 * return O(selectors) rows — never O(series) — and that the statuses are exactly those of the
 * per-series computation it replaced (per-series sums matched to selectors in TypeScript).
 */
import { runRollupJob } from '../../../aggregator/rollup-job';
import { computeSloStatuses } from '../../../aggregator/slo-job';
import { SliInputs, type SeriesGoodSums, type SeriesSums } from '../../../aggregator/slo-sli';
import { evaluateSlo } from '../../../aggregator/slo-status';
import { maxGoodBucket } from '../../../shared/latency-threshold';
import { SLOS } from '../../../shared/slo-catalogue';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { distinctSelectors } from '../../../sql/queries/slo-fragments';
import { SLO_LOOKBACKS } from '../../../sql/queries/slo-window-sums';
import type { EventRow, Row } from '../../../sql';
import { DAY, event, HOUR, MINUTE, openMemoryWarehouse, rng, select } from './support';

const START = Date.UTC(2026, 10, 1);
const ENDPOINTS = 3_000;

/** Three days of HTTP traffic over 3,000 endpoints (both tiers, some 5xx), latencies, wallet spends. */
function data(): EventRow[] {
  const random = rng(17);
  const rows: EventRow[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const tier = i % 3 === 0 ? 'secondary' : 'core';
    for (let k = 0; k < 4; k++) {
      const t = START + Math.floor(random() * 3 * DAY);
      const status = random() < 0.05 ? '5xx' : random() < 0.1 ? '4xx' : '2xx';
      rows.push(event('infra.http.request.count', 'count', 1 + Math.floor(random() * 5), t, { tier, status_class: status, endpoint: `/api/e${i}` }));
      rows.push(event('infra.http.request.latency_ms', 'timing', Math.round(Math.exp(5 + random() * 2) * 10) / 10, t + 100, { tier, endpoint: `/api/e${i}` }));
    }
  }
  for (let m = 0; m < 3 * 24 * 60; m += 7) {
    rows.push(event('product.wallet.spend.success', 'count', 10, START + m * MINUTE, { feature: `f${m % 50}` }));
    if (m % 70 === 0) rows.push(event('product.wallet.spend.failed', 'count', 1, START + m * MINUTE + 5_000, { feature: 'chat', reason: 'x' }));
  }
  return rows;
}

/** The computation the job did before: per-series sums of the minute rollups, matched in TypeScript. */
async function perSeriesStatuses(wh: DuckDbWarehouse, nowMs: number) {
  const endMs = Math.floor(nowMs / MINUTE) * MINUTE;
  const sums = new Map<string, SeriesSums & { events: Record<string, number>; values: Record<string, number> }>();
  const good = new Map<string, SeriesGoodSums & { good: Record<string, number> }>();
  for (const l of SLO_LOOKBACKS) {
    const from = endMs - l.seconds * 1000;
    for (const r of await select(wh, `SELECT name, series_key, SUM(event_count) AS e, SUM(value_sum) AS v FROM {{metric_rollups}}
        WHERE window_seconds = 60 AND window_start >= TIMESTAMP_MILLIS(${from}) AND window_start < TIMESTAMP_MILLIS(${endMs}) GROUP BY 1, 2`)) {
      const key = `${String(r.name)}|${String(r.series_key)}`;
      let s = sums.get(key);
      if (!s) sums.set(key, (s = { name: String(r.name), seriesKey: String(r.series_key), events: {}, values: {} }));
      s.events[l.label] = Number(r.e);
      s.values[l.label] = Number(r.v);
    }
    for (const sel of distinctSelectors(SLOS).filter((s) => s.maxMs !== undefined)) {
      for (const r of await select(wh, `SELECT series_key, SUM(bucket_count) AS g FROM {{metric_histograms}}
          WHERE window_seconds = 60 AND name = '${sel.metric}' AND bucket <= ${maxGoodBucket(sel.maxMs!)}
            AND window_start >= TIMESTAMP_MILLIS(${from}) AND window_start < TIMESTAMP_MILLIS(${endMs}) GROUP BY 1`)) {
        const key = `${sel.metric}|${String(r.series_key)}|${sel.maxMs}`;
        let g = good.get(key);
        if (!g) good.set(key, (g = { name: sel.metric, seriesKey: String(r.series_key), maxMs: sel.maxMs!, good: {} }));
        g.good[l.label] = Number(r.g);
      }
    }
  }
  const inputs = new SliInputs([...sums.values()], [...good.values()]);
  return {
    series: sums.size,
    statuses: SLOS.map((slo) => evaluateSlo(slo, Object.fromEntries(SLO_LOOKBACKS.map((l) => [l.label, inputs.counts(slo, l.label)])), nowMs, endMs)),
  };
}

describe('the SLO job on thousands of series', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    await wh.insertEvents(data());
    await runRollupJob(wh, { nowMs: START + 3 * DAY + HOUR });
  }, 120_000);
  afterAll(() => wh.close());

  it.each([
    ['the end of the data', START + 3 * DAY],
    ['the middle of the second day, at an odd second', START + DAY + 13 * HOUR + 37 * MINUTE + 42_000],
  ])('returns one row per SLI selector, not per series, and the same statuses as the per-series computation, at %s', async (_label, nowMs) => {
    const spy = jest.spyOn(wh, 'query');
    const statuses = await computeSloStatuses(wh, nowMs);
    const rowCounts = await Promise.all(spy.mock.calls.map(async ([q], i) => [(q).name, ((await spy.mock.results[i]!.value) as Row[]).length] as const));
    spy.mockRestore();

    const before = await perSeriesStatuses(wh, nowMs);
    expect(before.series).toBeGreaterThan(2 * ENDPOINTS);
    const selectors = distinctSelectors(SLOS).length;
    for (const [name, rows] of rowCounts) expect({ name, bounded: rows <= selectors }).toEqual({ name, bounded: true });
    expect(statuses).toEqual(before.statuses);
    expect(statuses.find((s) => s.sloId === 'core-api-availability')!.totalEvents).toBeGreaterThan(0);
  });
});
