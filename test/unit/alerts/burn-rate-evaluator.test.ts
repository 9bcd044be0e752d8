import { evaluateBurnRateRule } from '../../../alerts/evaluate/burn-rate-evaluator';
import { RuleDataSnapshot, type SeriesWindowTotals } from '../../../alerts/evaluate/rule-data';
import { BURN_WINDOW_NAMES, sliWindowCounts } from '../../../alerts/evaluate/sli-counts';
import { burnRateRules } from '../../../alerts/rules/burn-rate-rules';
import { bucketIndex } from '../../../shared/histogram';
import { SLOS, type SloSpec } from '../../../shared/slo-catalogue';
import { BURN_WINDOWS, type BurnWindow } from '../../../shared/time-windows';

const wallet = SLOS.find((s) => s.id === 'wallet-spend-success') as SloSpec;
const [page, ticket] = burnRateRules([wallet]);

/** A steady rate: `perMinute` spends, a fraction `errorRate` failed, for `minutes` ending now. */
function walletData(perMinute: number, errorRate: number, minutes: number): RuleDataSnapshot {
  const per = (fraction: number) => {
    const out = {} as Record<BurnWindow, number>;
    for (const w of BURN_WINDOW_NAMES) out[w] = Math.min(minutes, BURN_WINDOWS[w] / 60) * perMinute * fraction;
    return out;
  };
  const series = (fraction: number): SeriesWindowTotals => ({ seriesKey: 'feature=chat', valueSum: per(fraction), eventCount: per(fraction) });
  return new RuleDataSnapshot()
    .setWindowTotals('product.wallet.spend.success', [series(1 - errorRate)])
    .setWindowTotals('product.wallet.spend.failed', [series(errorRate)]);
}

function evaluate(rule = page!, data: RuleDataSnapshot) {
  return evaluateBurnRateRule(rule, sliWindowCounts(wallet.sli, data));
}

describe('multiwindow burn-rate evaluation for wallet-spend-success (99.95%)', () => {
  it('a 1% error rate for an hour burns 20× and fires the 14.4× page', () => {
    const obs = evaluate(page, walletData(100, 0.01, 60));
    expect(obs.breaching).toBe(true);
    expect(obs.value).toBeCloseTo(20, 6);
    expect(obs.threshold).toBe(14.4);
    expect(obs.fingerprint).toBe('slo-wallet-spend-success-burn-page');
    expect(obs.labels).toMatchObject({ severity: 'P1', kind: 'slo_burn', slo: 'wallet-spend-success', burn_tier: 'page' });
  });

  it('a 0.04% error rate (0.8×) fires neither tier', () => {
    expect(evaluate(page, walletData(100, 0.0004, 72 * 60)).breaching).toBe(false);
    expect(evaluate(ticket, walletData(100, 0.0004, 72 * 60)).breaching).toBe(false);
  });

  it('3 failures out of 5 requests at night page no one: the minimum-traffic guard', () => {
    const obs = evaluate(page, walletData(5 / 60, 0.6, 60));
    expect(obs.breaching).toBe(false);
    expect((obs.detail.pairs as Array<{ lowTraffic: boolean; longBurn: number }>)[0]).toMatchObject({ lowTraffic: true });
  });

  it('needs the long AND the short window: once the short windows are clean it stops paging, however high the long burn', () => {
    // An hour at 2% errors (40×), but the last 30 minutes clean: the long windows still burn, the short ones do not.
    const data = walletData(100, 0.02, 60);
    const cleanShort = (s: SeriesWindowTotals, failed: boolean): SeriesWindowTotals => ({
      ...s,
      valueSum: { ...s.valueSum, '5m': failed ? 0 : 500, '30m': failed ? 0 : 3_000 },
    });
    const clean = new RuleDataSnapshot()
      .setWindowTotals('product.wallet.spend.success', data.windowTotalsOf('product.wallet.spend.success').map((s) => cleanShort(s, false)))
      .setWindowTotals('product.wallet.spend.failed', data.windowTotalsOf('product.wallet.spend.failed').map((s) => cleanShort(s, true)));
    const obs = evaluate(page, clean);
    expect(obs.breaching).toBe(false);
    const pairs = obs.detail.pairs as Array<{ longBurn: number; shortBurn: number; holds: boolean }>;
    expect(pairs[0]).toMatchObject({ shortBurn: 0, holds: false });
    expect(pairs[0]!.longBurn).toBeGreaterThan(14.4);
  });

  it('a slow 4× burn over days opens a ticket, not a page', () => {
    const data = walletData(100, 0.002, 72 * 60);
    expect(evaluate(page, data).breaching).toBe(false);
    expect(evaluate(ticket, data)).toMatchObject({ breaching: true, threshold: 3 });
  });
});

describe('SLI counting', () => {
  it('a latency SLI counts good events from histogram buckets at or under maxMs, and bad = total − good', () => {
    const api = SLOS.find((s) => s.id === 'api-latency') as SloSpec;
    const windows = (n: number) => Object.fromEntries(BURN_WINDOW_NAMES.map((w) => [w, n])) as Record<BurnWindow, number>;
    const data = new RuleDataSnapshot()
      .setWindowTotals('infra.http.request.latency_ms', [{ seriesKey: 'tier=core', valueSum: windows(0), eventCount: windows(1_000) }])
      .setWindowGood('infra.http.request.latency_ms', bucketIndex(500), [{ seriesKey: 'tier=core', good: windows(900) }]);
    expect(sliWindowCounts(api.sli, data)['1h']).toEqual({ total: 1_000, bad: 100 });
  });

  it('an availability SLI sums only the series its selectors match (tier=core, 5xx)', () => {
    const core = SLOS.find((s) => s.id === 'core-api-availability') as SloSpec;
    const windows = (n: number) => Object.fromEntries(BURN_WINDOW_NAMES.map((w) => [w, n])) as Record<BurnWindow, number>;
    const data = new RuleDataSnapshot().setWindowTotals('infra.http.request.count', [
      { seriesKey: 'status_class=2xx,tier=core', valueSum: windows(990), eventCount: windows(990) },
      { seriesKey: 'status_class=5xx,tier=core', valueSum: windows(10), eventCount: windows(10) },
      { seriesKey: 'status_class=5xx,tier=secondary', valueSum: windows(500), eventCount: windows(500) },
    ]);
    expect(sliWindowCounts(core.sli, data)['5m']).toEqual({ total: 1_000, bad: 10 });
  });
});
