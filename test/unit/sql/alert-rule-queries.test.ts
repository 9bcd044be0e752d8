/**
 * The threshold rules' reads (sql/queries/alert-rules.ts) stay bounded whatever the number of
 * series (issue #17), with exact totals; and the derived pipeline metric
 * infra.metrics.ingest.series_overflow.count makes the "cardinality limit reached" rule fire.
 */
import { evaluateThresholdRule } from '../../../alerts/evaluate/threshold-evaluator';
import { MAX_TOTALS_SERIES_PER_METRIC, WarehouseRuleDataSource } from '../../../alerts/evaluate/warehouse-rule-data';
import { thresholdRules } from '../../../alerts/rules/threshold-rules';
import { runRollupJob } from '../../../aggregator/rollup-job';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../../sql/warehouse';
import { event, MINUTE, openMemoryWarehouse } from '../aggregator/support';

const NOW = Date.UTC(2026, 10, 10, 12, 0);
const SERIES = MAX_TOTALS_SERIES_PER_METRIC + 500;
const WINDOW_S = 600;

describe('threshold-rule reads on more series than the per-metric bound', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    const rows: EventRow[] = [];
    for (let i = 0; i < SERIES; i++) rows.push(event('product.wallet.spend.failed', 'count', 1 + (i % 3), NOW - 5 * MINUTE, { feature: `f${i}`, reason: 'declined' }));
    for (let i = 0; i < 7; i++) rows.push(event('infra.http.request.count', 'count', 2, NOW - 3 * MINUTE, { overflow: 'true', tier: 'core' }));
    rows.push(event('infra.http.request.count', 'count', 5, NOW - 3 * MINUTE, { tier: 'core', endpoint: '/a' }));
    await wh.insertEvents(rows);
    await runRollupJob(wh, { nowMs: NOW - 30_000, timing: { settleMs: 0 } });
  }, 60_000);
  afterAll(() => wh.close());

  it('returns at most the bound per metric plus the overflow series, with exact totals', async () => {
    const snapshot = await new WarehouseRuleDataSource(wh).fetch([{ kind: 'totals', windowSeconds: WINDOW_S }], NOW);
    const failed = snapshot.totals(WINDOW_S, 'product.wallet.spend.failed');
    expect(failed).toHaveLength(MAX_TOTALS_SERIES_PER_METRIC + 1);
    let expected = 0;
    for (let i = 0; i < SERIES; i++) expected += 1 + (i % 3);
    expect(failed.reduce((n, s) => n + s.valueSum, 0)).toBe(expected);
    expect(failed.reduce((n, s) => n + s.eventCount, 0)).toBe(SERIES);
    expect(failed.filter((s) => s.seriesKey === 'overflow=true')).toHaveLength(1);
  });

  it('fires "cardinality limit reached" for the metric whose overflow series has events, and only for it', async () => {
    const rule = thresholdRules().find((r) => r.id === 'series-overflow-low')!;
    const snapshot = await new WarehouseRuleDataSource(wh).fetch([{ kind: 'totals', windowSeconds: rule.windowSeconds }], NOW);
    const observations = evaluateThresholdRule(rule, snapshot);
    expect(observations.map((o) => ({ metric: o.labels.metric, value: o.value, breaching: o.breaching }))).toEqual([
      { metric: 'infra.http.request.count', value: 7, breaching: true },
    ]);
  });
});
