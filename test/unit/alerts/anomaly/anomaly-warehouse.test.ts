/**
 * Anomaly rules end to end on DuckDB: events → the rollup job → the minutes-only reads
 * (sql/queries/anomaly.ts through WarehouseRuleDataSource) → the evaluator. Only the minutes the
 * rule reads are stored for the past weeks; a minute of history outside them would not change
 * the verdict, which is the point of the reads.
 */
import { anomalyNeed, evaluateAnomalyRule } from '../../../../alerts/anomaly/anomaly-evaluator';
import { anomalyRanges } from '../../../../alerts/anomaly/anomaly-data';
import { anomalyRules, ANOMALY_RULES } from '../../../../alerts/anomaly/anomaly-rules';
import { WarehouseRuleDataSource } from '../../../../alerts/evaluate/warehouse-rule-data';
import { dataNeeds, evaluateRules } from '../../../../alerts/evaluate/evaluate-rules';
import { runRollupJob } from '../../../../aggregator/rollup-job';
import type { DuckDbWarehouse } from '../../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../../sql/warehouse';
import { event, MINUTE, openMemoryWarehouse } from '../../aggregator/support';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 30);
const END = Date.UTC(2026, 10, 23, 12, 0); // the rollups' watermark is NOW − 30 s: minutes up to 12:00 are whole
const [walletSpec] = ANOMALY_RULES.filter((r) => r.id === 'wallet-spend-volume-anomaly');
const rule = anomalyRules([{ ...walletSpec!, groupBy: ['feature'] }])[0]!;
const METRIC = rule.metric;

/** Events per minute: 20 in every feature, with ±2 of deterministic wiggle. */
const normalCount = (minuteMs: number) => 20 + ((minuteMs / MINUTE) % 5) - 2;

async function warehouseWith(currentCount: (feature: string, minuteMs: number) => number): Promise<DuckDbWarehouse> {
  const wh = await openMemoryWarehouse();
  const ranges = anomalyRanges(anomalyNeed(rule), END);
  const rows: EventRow[] = [];
  const addMinute = (minuteMs: number, count: (feature: string) => number) => {
    for (const feature of ['chat', 'gifts']) for (let i = 0; i < count(feature); i++) rows.push(event(METRIC, 'count', 1, minuteMs + 1_000 + i * 100, { feature }));
  };
  for (const [from, to] of ranges.weeks.slice(0, 3)) for (let m = from; m < to; m += MINUTE) addMinute(m, () => normalCount(m));
  for (let m = ranges.recent[0]; m < END; m += MINUTE) addMinute(m, (feature) => currentCount(feature, m));
  await wh.insertEvents(rows);
  await runRollupJob(wh, { nowMs: NOW, timing: { settleMs: 0 } });
  return wh;
}

describe('anomaly rule reads and evaluation on DuckDB', () => {
  it('reads only the recent range and the same minutes of past weeks, and keeps a normal hour inside the band', async () => {
    const wh = await warehouseWith((_, m) => normalCount(m));
    try {
      const needs = dataNeeds([rule]);
      expect(needs).toEqual([anomalyNeed(rule)]);
      const snapshot = await new WarehouseRuleDataSource(wh).fetch(needs, NOW);
      const read = snapshot.anomalyMinutes(anomalyNeed(rule))!;
      expect(read.endMs).toBe(END);
      // 2 features × (185 recent minutes + 3 weeks × (5 + 2·2) minutes)
      expect(read.rows).toHaveLength(2 * (185 + 3 * 9));
      const observations = evaluateRules([rule], snapshot);
      const verdicts = observations.map((o) => [o.labels.feature, o.breaching, o.detail.band, o.detail.weeksOfHistory]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(verdicts).toEqual([
        ['chat', false, 'seasonal', 3],
        ['gifts', false, 'seasonal', 3],
      ]);
    } finally {
      await wh.close();
    }
  }, 60_000);

  it('fires for the feature whose spends dropped for five minutes, with its band in the detail', async () => {
    const wh = await warehouseWith((feature, m) => (feature === 'gifts' && m >= END - 5 * MINUTE ? 4 : normalCount(m)));
    try {
      const snapshot = await new WarehouseRuleDataSource(wh).fetch(dataNeeds([rule]), NOW);
      const byFeature = Object.fromEntries(evaluateAnomalyRule(rule, snapshot).map((o) => [o.labels.feature, o]));
      expect(byFeature.chat?.breaching).toBe(false);
      expect(byFeature.gifts).toMatchObject({ breaching: true, value: 4, labels: { kind: 'anomaly', severity: 'P2', module: 'wallet' } });
      const detail = byFeature.gifts!.detail as { baseline: number; lower: number; upper: number; minutesOutside: number };
      expect(detail.baseline).toBeGreaterThanOrEqual(18);
      expect(detail.lower).toBeGreaterThan(4);
      expect(byFeature.gifts!.threshold).toBe(detail.lower);
      expect(detail.minutesOutside).toBe(5);
    } finally {
      await wh.close();
    }
  }, 60_000);

  it('observes nothing before the rollups ever ran (a missing minute is not a drop)', async () => {
    const wh = await openMemoryWarehouse();
    try {
      const snapshot = await new WarehouseRuleDataSource(wh).fetch(dataNeeds([rule]), NOW);
      expect(evaluateAnomalyRule(rule, snapshot)).toEqual([]);
    } finally {
      await wh.close();
    }
  });
});

describe('the catalogue anomaly rules', () => {
  it('are ticket tier (P2/P3), never paging, and name catalogue metrics', () => {
    const rules = anomalyRules();
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const r of rules) expect(['P2', 'P3']).toContain(r.severity);
  });

  it('refuses a bad rule, naming it and the problem', () => {
    expect(() => anomalyRules([{ ...walletSpec!, value: 'p95' }])).toThrow('anomaly rule wallet-spend-volume-anomaly: p95 needs a timing metric; product.wallet.spend.success is a count');
    expect(() => anomalyRules([{ ...walletSpec!, params: { weeks: 9 } }])).toThrow(/weeks must be a whole number from 1 to 4, got 9/);
    expect(() => anomalyRules([{ ...walletSpec!, groupBy: ['severity'] }])).toThrow(/reserved label "severity"/);
  });
});

describe('anomaly rules on percentiles and gauges, on DuckDB', () => {
  /** Writes one event per minute of what `valueAt` gives (several for timings), in the ranges the rule reads. */
  async function seeded(r: ReturnType<typeof anomalyRules>[number], kind: 'timing' | 'gauge', valuesAt: (minuteMs: number) => number[]): Promise<DuckDbWarehouse> {
    const wh = await openMemoryWarehouse();
    const ranges = anomalyRanges(anomalyNeed(r), END);
    const rows: EventRow[] = [];
    const add = (m: number) => valuesAt(m).forEach((v, i) => rows.push(event(r.metric, kind, v, m + 1_000 + i * 500, { queue: 'q1', feature: 'chat' })));
    for (const [from, to] of ranges.weeks.slice(0, 2)) for (let m = from; m < to; m += MINUTE) add(m);
    for (let m = ranges.recent[0]; m < END; m += MINUTE) add(m);
    await wh.insertEvents(rows);
    await runRollupJob(wh, { nowMs: NOW, timing: { settleMs: 0 } });
    return wh;
  }

  it('fires on a p95 of a timing that rose for five minutes, reading the per-minute histograms', async () => {
    const [latency] = anomalyRules([{ id: 'spend-latency-anomaly', name: 'Spend latency', severity: 'P3', module: 'wallet', metric: 'product.wallet.spend.latency_ms', value: 'p95', params: { direction: 'up' }, summary: 's', runbook: 'docs/OPERATIONS.md#runbook-x' }]);
    const slow = (m: number) => m >= END - 5 * MINUTE;
    const wh = await seeded(latency!, 'timing', (m) => Array.from({ length: 20 }, (_, i) => (slow(m) ? 900 : 100) + i));
    try {
      const [observation] = evaluateAnomalyRule(latency!, await new WarehouseRuleDataSource(wh).fetch(dataNeeds([latency!]), NOW));
      expect(observation).toMatchObject({ breaching: true, detail: { band: 'seasonal', weeksOfHistory: 2, minutesOutside: 5 } });
      // Within the histogram's 1% relative accuracy of the true p95 (918 ms).
      expect(observation!.value).toBeGreaterThan(900);
      expect(observation!.value).toBeLessThan(930);
    } finally {
      await wh.close();
    }
  }, 60_000);

  it('judges a gauge by its last value of the minute, and stays quiet while it holds its usual level', async () => {
    const [depth] = anomalyRules([{ id: 'queue-depth-anomaly', name: 'Queue depth', severity: 'P3', module: 'infrastructure', metric: 'infra.queue.depth', value: 'last', params: { direction: 'up', absoluteFloor: 5 }, summary: 's', runbook: 'docs/OPERATIONS.md#runbook-x' }]);
    const steady = await seeded(depth!, 'gauge', () => [400, 50]);
    const rising = await seeded(depth!, 'gauge', (m) => [400, m >= END - 5 * MINUTE ? 500 : 50]);
    try {
      const [quiet] = evaluateAnomalyRule(depth!, await new WarehouseRuleDataSource(steady).fetch(dataNeeds([depth!]), NOW));
      expect(quiet).toMatchObject({ breaching: false, value: 50, detail: { baseline: 50 } });
      const [loud] = evaluateAnomalyRule(depth!, await new WarehouseRuleDataSource(rising).fetch(dataNeeds([depth!]), NOW));
      expect(loud).toMatchObject({ breaching: true, value: 500 });
    } finally {
      await steady.close();
      await rising.close();
    }
  }, 60_000);
});
