/**
 * Issue #17 item 2: the monthly SLO report used to pull every series' daily sums into JavaScript.
 * It now sums per SLI selector and day in SQL. On a data set with thousands of series this test
 * checks that the report's queries return at most one row per selector per day — never one per
 * series — and that the report is exactly the one the per-series computation gave (per-series
 * daily sums, matched to selectors here in plain TypeScript by parsing each series key).
 */
import { runRollupJob } from '../../../aggregator/rollup-job';
import { maxGoodBucket } from '../../../shared/latency-threshold';
import { buildMonthlyReport, monthlyReportFromSums } from '../../../aggregator/slo-report';
import { parseSeriesKey } from '../../../shared/series-key';
import { getSlo, SLOS, type EventSelector, type SloSpec } from '../../../shared/slo-catalogue';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { distinctSelectors, numberedSelectors } from '../../../sql/queries/slo-fragments';
import type { EventRow, Row } from '../../../sql';
import { DAY, event, HOUR, MINUTE, openMemoryWarehouse, rng, select } from './support';

const MONTH = '2026-11';
const START = Date.UTC(2026, 10, 1);
const DAYS = 3;
const ENDPOINTS = 3_000;

/** Three days of HTTP traffic over 3,000 endpoints (both tiers, some 5xx), latencies, wallet spends, chat deliveries. */
function data(): EventRow[] {
  const random = rng(1717);
  const rows: EventRow[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const tier = i % 3 === 0 ? 'secondary' : 'core';
    for (let k = 0; k < 4; k++) {
      const t = START + Math.floor(random() * DAYS * DAY);
      const status = random() < 0.05 ? '5xx' : random() < 0.1 ? '4xx' : '2xx';
      rows.push(event('infra.http.request.count', 'count', 1 + Math.floor(random() * 5), t, { tier, status_class: status, endpoint: `/api/e${i}` }));
      rows.push(event('infra.http.request.latency_ms', 'timing', Math.round(Math.exp(5 + random() * 2) * 10) / 10, t + 100, { tier, endpoint: `/api/e${i}` }));
    }
  }
  // A tag value that spells another tag: its series key escapes `,` and `=`, so it must not count
  // as a 5xx (the per-series computation parsed the key; the SQL matches `,k=v,` in it).
  for (let d = 0; d < DAYS; d++) {
    rows.push(event('infra.http.request.count', 'count', 7, START + d * DAY + HOUR, { tier: 'core', status_class: '2xx', endpoint: '/x,status_class=5xx' }));
  }
  for (let m = 0; m < DAYS * 24 * 60; m += 7) {
    rows.push(event('product.wallet.spend.success', 'count', 10, START + m * MINUTE, { feature: `f${m % 50}` }));
    if (m % 70 === 0) rows.push(event('product.wallet.spend.failed', 'count', 1, START + m * MINUTE + 5_000, { feature: 'chat', reason: 'x' }));
    if (m % 14 === 0) rows.push(event('product.chat.delivery.latency_ms', 'timing', 200 + (m % 90_000), START + m * MINUTE + 9_000, { channel: `c${m % 500}` }));
  }
  return rows;
}

interface PerDay {
  readonly selector: EventSelector;
  readonly events: Record<string, number>;
  readonly values: Record<string, number>;
  readonly good: Record<string, number>;
}

function matches(selector: EventSelector, name: string, tags: Readonly<Record<string, string>>): boolean {
  return selector.metric === name && Object.entries(selector.where ?? {}).every(([k, v]) => Object.prototype.hasOwnProperty.call(tags, k) && tags[k] === v);
}

/**
 * The report as the per-series computation made it: the daily rollups summed per (series, day)
 * in SQL, then each series matched to the selectors in TypeScript (a count metric adds its
 * values, a timing metric its events, a latency selector its observations at or under maxMs).
 */
async function perSeriesReport(wh: DuckDbWarehouse, slos: readonly SloSpec[]) {
  const day = (ms: unknown) => new Date(Number(ms)).toISOString().slice(0, 10);
  const add = (to: Record<string, number>, d: string, n: unknown) => (to[d] = (to[d] ?? 0) + Number(n));
  const selectors: PerDay[] = distinctSelectors(slos).map((selector) => ({ selector, events: {}, values: {}, good: {} }));
  const range = `window_seconds = 86400 AND window_start >= TIMESTAMP_MILLIS(${START}) AND window_start < TIMESTAMP_MILLIS(${START + 30 * DAY})`;
  const rollups = await select(wh, `SELECT name, series_key, UNIX_MILLIS(window_start) AS day_ms, SUM(event_count) AS e, SUM(value_sum) AS v
    FROM {{metric_rollups}} WHERE ${range} GROUP BY name, series_key, window_start`);
  for (const r of rollups) {
    const tags = parseSeriesKey(String(r.series_key));
    for (const s of selectors) {
      if (s.selector.maxMs !== undefined || !matches(s.selector, String(r.name), tags)) continue;
      add(s.events, day(r.day_ms), r.e);
      add(s.values, day(r.day_ms), r.v);
    }
  }
  for (const s of selectors.filter((x) => x.selector.maxMs !== undefined)) {
    const good = await select(wh, `SELECT series_key, UNIX_MILLIS(window_start) AS day_ms, SUM(bucket_count) AS g
      FROM {{metric_histograms}} WHERE ${range} AND name = '${s.selector.metric}' AND bucket <= ${maxGoodBucket(s.selector.maxMs!)}
      GROUP BY series_key, window_start`);
    for (const r of good) if (matches(s.selector, s.selector.metric, parseSeriesKey(String(r.series_key)))) add(s.good, day(r.day_ms), r.g);
  }
  return { seriesDays: rollups.length, report: monthlyReportFromSums(MONTH, selectors, slos) };
}

describe('the monthly SLO report on thousands of series', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    await wh.insertEvents(data());
    await runRollupJob(wh, { nowMs: START + DAYS * DAY + HOUR });
  }, 120_000);
  afterAll(() => wh.close());

  it.each([
    ['the whole catalogue', SLOS],
    ['a subset of the catalogue (queries built for it)', [getSlo('core-api-availability')!, getSlo('chat-delivery')!, getSlo('api-latency')!]],
  ])('returns at most one row per selector per day, not per series, and the same report as the per-series computation, for %s', async (_label, slos) => {
    const spy = jest.spyOn(wh, 'query');
    // No maintenance windows read: this test counts the report's own queries (windows: test/integration/maintenance/).
    const report = await buildMonthlyReport(wh, MONTH, slos, { maintenance: null, incidents: null });
    const results = await Promise.all(spy.mock.calls.map(async ([q], i) => ({ name: q.name, rows: (await spy.mock.results[i]!.value) as Row[] })));
    spy.mockRestore();

    const before = await perSeriesReport(wh, slos);
    expect(before.seriesDays).toBeGreaterThan(2 * ENDPOINTS);
    const { rollups, histograms } = numberedSelectors(slos);
    const bound: Record<string, number> = { slo_daily_rollup_sums: rollups.length * DAYS, slo_daily_good_sums: histograms.length * DAYS };
    expect(results.map((r) => r.name).sort()).toEqual(Object.keys(bound).sort());
    for (const { name, rows } of results) {
      const keys = rows.map((r) => `${String(r.selector_id)}@${String(r.day_ms)}`);
      expect({ name, unique: new Set(keys).size === keys.length, bounded: rows.length <= bound[name]! }).toEqual({ name, unique: true, bounded: true });
    }
    expect(report).toEqual(before.report);
    const core = report.slos.find((s) => s.sloId === 'core-api-availability')!;
    expect(core).toMatchObject({ daysWithData: DAYS });
    expect(core.badEvents).toBeGreaterThan(0);
  });
});
