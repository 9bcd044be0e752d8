import { evaluateBurnRateRule } from '../../../alerts/evaluate/burn-rate-evaluator';
import { evaluateRules } from '../../../alerts/evaluate/evaluate-rules';
import { RuleDataSnapshot } from '../../../alerts/evaluate/rule-data';
import { BURN_WINDOW_NAMES, windowCountsOf, type SliWindowCounts, type WindowCounts } from '../../../alerts/evaluate/slo-windows';
import { burnRateRules } from '../../../alerts/rules/burn-rate-rules';
import { SLOS, type SloSpec } from '../../../shared/slo-catalogue';
import { BURN_WINDOWS, type BurnWindow } from '../../../shared/time-windows';

const wallet = SLOS.find((s) => s.id === 'wallet-spend-success') as SloSpec;
const [page, ticket] = burnRateRules([wallet]);

/** A steady rate: `perMinute` spends, a fraction `errorRate` failed, for `minutes` ending now. */
function steady(perMinute: number, errorRate: number, minutes: number): SliWindowCounts {
  const out = {} as Record<BurnWindow, WindowCounts>;
  for (const w of BURN_WINDOW_NAMES) {
    const total = Math.min(minutes, BURN_WINDOWS[w] / 60) * perMinute;
    out[w] = { total, bad: total * errorRate };
  }
  return out;
}

describe('multiwindow burn-rate evaluation for wallet-spend-success (99.95%)', () => {
  it('a 1% error rate for an hour burns 20× and fires the 14.4× page', () => {
    const obs = evaluateBurnRateRule(page!, steady(100, 0.01, 60));
    expect(obs.breaching).toBe(true);
    expect(obs.value).toBeCloseTo(20, 6);
    expect(obs.threshold).toBe(14.4);
    expect(obs.fingerprint).toBe('slo-wallet-spend-success-burn-page');
    expect(obs.labels).toMatchObject({ severity: 'P1', kind: 'slo_burn', slo: 'wallet-spend-success', burn_tier: 'page' });
  });

  it('a 0.04% error rate (0.8×) fires neither tier', () => {
    expect(evaluateBurnRateRule(page!, steady(100, 0.0004, 72 * 60)).breaching).toBe(false);
    expect(evaluateBurnRateRule(ticket!, steady(100, 0.0004, 72 * 60)).breaching).toBe(false);
  });

  it('3 failures out of 5 requests at night page no one: the minimum-traffic guard', () => {
    const counts = steady(0, 0, 0);
    for (const w of BURN_WINDOW_NAMES) (counts as Record<BurnWindow, WindowCounts>)[w] = { total: 5, bad: 3 };
    const obs = evaluateBurnRateRule(page!, counts);
    expect(obs.breaching).toBe(false);
    const [pair] = obs.detail.pairs as Array<{ lowTraffic: boolean; longBurn: number }>;
    expect(pair!.lowTraffic).toBe(true);
    expect(pair!.longBurn).toBeCloseTo(1_200, 6); // a 60% error rate against a 0.05% budget
  });

  it('needs the long AND the short window: once the short windows are clean it stops paging, however high the long burn', () => {
    // An hour at 2% errors (40×), but the last 30 minutes clean.
    const counts = { ...steady(100, 0.02, 60), '5m': { total: 500, bad: 0 }, '30m': { total: 3_000, bad: 0 } };
    const obs = evaluateBurnRateRule(page!, counts);
    expect(obs.breaching).toBe(false);
    const pairs = obs.detail.pairs as Array<{ longBurn: number; shortBurn: number; holds: boolean }>;
    expect(pairs[0]).toMatchObject({ shortBurn: 0, holds: false });
    expect(pairs[0]!.longBurn).toBeGreaterThan(14.4);
  });

  it('a slow 4× burn over days opens a ticket, not a page', () => {
    const counts = steady(100, 0.002, 72 * 60);
    expect(evaluateBurnRateRule(page!, counts).breaching).toBe(false);
    expect(evaluateBurnRateRule(ticket!, counts)).toMatchObject({ breaching: true, threshold: 3 });
  });

  it('an SLO with no counts in the snapshot does not fire', () => {
    expect(evaluateRules([page!, ticket!], new RuleDataSnapshot()).map((o) => [o.breaching, o.value])).toEqual([
      [false, null],
      [false, null],
    ]);
  });
});

describe('counts from the aggregator\'s SLO computation', () => {
  it('maps good and total per lookback to total and bad per burn window', () => {
    const counts = windowCountsOf({ windows: { '5m': { good: 95, total: 100 }, '1h': { good: 1_000, total: 1_000 }, '30d': { good: 1, total: 2 } } });
    expect(counts['5m']).toEqual({ total: 100, bad: 5 });
    expect(counts['1h']).toEqual({ total: 1_000, bad: 0 });
    expect(counts['3d']).toEqual({ total: 0, bad: 0 });
  });
});
