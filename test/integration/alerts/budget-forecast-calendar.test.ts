import { dataNeeds, evaluateRules } from '../../../alerts/evaluate/evaluate-rules';
import { WarehouseRuleDataSource } from '../../../alerts/evaluate/warehouse-rule-data';
import { forecastRules } from '../../../alerts/rules/forecast-rules';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { SLOS, type SloSpec } from '../../../shared/slo-catalogue';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { event, HOUR, openMemoryWarehouse } from '../../unit/aggregator/support';

/**
 * A calendar month against a rolling window, on the same events, through the warehouse read the
 * evaluator uses (WarehouseRuleDataSource → computeSloStatuses on DuckDB). Now is 2026-11-21T00:00Z:
 * 480 h of November gone, 240 h left. Wallet spends: 40 an hour since 2026-11-01 (19,200), and 80
 * failed — 40 ten days ago, 30 two days ago, 10 three hours ago. Objective 99%.
 *
 * By hand: 3 d = 2,880 + 40 events, 40 bad → 1.370×; 6 h = 240 + 10, 10 bad → 4.0×. Traffic now
 * 2,920/72 = 40.6 an hour, one 1× hour allows 0.406 bad: 80 bad spent 197.3 of 720 1× hours →
 * 522.7 left → 381.6 h at 1.370× (2026-12-06T21:3xZ), 130.7 h at 4×. The rolling window (ending
 * 720 h ahead) fires; November ends in 240 h, before the 3-day projection: the calendar SLO does not.
 */
const NOW = Date.UTC(2026, 10, 21);
const wallet = SLOS.find((s) => s.id === 'wallet-spend-success') as SloSpec;
const rolling: SloSpec = { ...wallet, id: 'wallet-rolling-99', objective: 0.99 };
const monthly: SloSpec = { ...wallet, id: 'wallet-monthly-99', objective: 0.99, calendar: { unit: 'month', timeZone: 'UTC' } };

describe('budget forecast: calendar month vs rolling window, from the warehouse', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    const spends = [];
    for (let t = Date.UTC(2026, 10, 1); t < NOW; t += HOUR) spends.push(event('product.wallet.spend.success', 'count', 40, t + 60_000, { feature: 'chat' }));
    const failed = (n: number, at: number) => event('product.wallet.spend.failed', 'count', n, at, { feature: 'chat', reason: 'timeout' });
    await wh.insertEvents([...spends, failed(40, NOW - 240 * HOUR), failed(30, NOW - 48 * HOUR), failed(10, NOW - 3 * HOUR)]);
    await runRollupJob(wh, { nowMs: NOW });
  }, 120_000);
  afterAll(() => wh.close());

  it('the rolling SLO warns (exhaustion 2026-12-06, inside its 30 days); the calendar one does not (November ends first)', async () => {
    const rules = forecastRules([rolling, monthly]);
    const snapshot = await new WarehouseRuleDataSource(wh).fetch(dataNeeds(rules), NOW);
    const [r, m] = evaluateRules(rules, snapshot);
    const b3 = 40 / 2_920 / 0.01;
    const left = 720 - 80 / (0.01 * (2_920 / 72));
    const expected = NOW + (left / b3) * HOUR;
    for (const o of [r!, m!]) expect(Math.abs(o.value! - expected)).toBeLessThan(60_000);
    expect(new Date(r!.value!).toISOString().slice(0, 10)).toBe('2026-12-06');
    expect(r).toMatchObject({ ruleId: 'slo-wallet-rolling-99-budget-forecast', breaching: true, threshold: NOW + 720 * HOUR });
    expect(m).toMatchObject({ ruleId: 'slo-wallet-monthly-99-budget-forecast', breaching: false, threshold: Date.UTC(2026, 11, 1) });
    expect(m!.detail).toMatchObject({ windowEnd: '2026-12-01T00:00:00.000Z', budgetRemaining: expect.closeTo(1 - 80 / (0.01 * 19_280), 9) });
  });
});
