import { streamingPlan, selectorTallyKey, thresholdKey, ROLLUP_CUTOFF_MS } from '../../../../alerts/streaming/plan';
import { defaultAlertRules } from '../../../../alerts/rules/rule-set';
import { burnRateRules } from '../../../../alerts/rules/burn-rate-rules';
import { SLOS } from '../../../../shared/slo-catalogue';
import { ALERT_RULES } from '../../../../shared/alert-rules';
import { TALLY_RETENTION_MS } from '../../../../alerts/streaming/tally-store';
import type { BurnRateAlertRule } from '../../../../alerts/model/alert-rule';
import { thresholdRule } from '../helpers';

/** Issue #15: which rules are evaluated as the events arrive, and what ingest tallies for them. */
describe('the streaming plan of the default rule set', () => {
  const rules = defaultAlertRules();
  const plan = streamingPlan(rules);

  it('streams exactly the three P0 threshold rules, whole (window, threshold, aggregation as the scheduled rule)', () => {
    const p0 = ALERT_RULES.filter((r) => r.severity === 'P0').map((r) => r.id);
    expect(p0).toHaveLength(3);
    expect(plan.thresholdRules.map((r) => r.id).sort()).toEqual([...p0].sort());
    expect(plan.thresholdRules.map((r) => r.id).sort()).toEqual(['call-failures-critical', 'function-errors-critical', 'wallet-spend-failures-critical']);
    for (const rule of plan.thresholdRules) expect(rule).toEqual(rules.find((r) => r.id === rule.id));
    // No P1/P2/P3 threshold rule streams.
    expect(plan.thresholdRules.every((r) => r.severity === 'P0')).toBe(true);
  });

  it("streams every SLO's page-tier burn rule with only its fast pair: 1h AND 5m at 14.4× (30-day SLOs); no ticket tier", () => {
    expect(plan.burnRules.map((r) => r.id).sort()).toEqual(SLOS.map((s) => `slo-${s.id}-burn-page`).sort());
    for (const rule of plan.burnRules) {
      expect(rule.tier).toBe('page');
      expect(rule.slo.windowDays).toBe(30);
      expect(rule.windows).toEqual([{ longWindow: '1h', shortWindow: '5m', budgetFraction: 0.02, factor: 14.4 }]);
    }
    // The scheduled rule keeps both page pairs: the plan narrows a copy, not the rule set.
    const scheduled = rules.find((r) => r.id === 'slo-wallet-spend-success-burn-page') as BurnRateAlertRule;
    expect(scheduled.windows.map((w) => `${w.longWindow}/${w.shortWindow}`)).toEqual(['1h/5m', '6h/30m']);
  });

  it('a fast pair of an SLO with another window keeps its scaled factor (28 days: 13.44×)', () => {
    const slo = { ...SLOS.find((s) => s.id === 'wallet-spend-success')!, id: 'wallet-28d', windowDays: 28 };
    const p = streamingPlan(burnRateRules([slo]));
    expect(p.burnRules.map((r) => [r.id, r.windows])).toEqual([['slo-wallet-28d-burn-page', [{ longWindow: '1h', shortWindow: '5m', budgetFraction: 0.02, factor: 13.44 }]]]);
  });

  it('tallies each threshold rule once and each distinct SLI selector once', () => {
    const selectorKeys = new Set(SLOS.flatMap((s) => [...s.sli.total, ...(s.sli.good ?? []), ...(s.sli.bad ?? [])]).map(selectorTallyKey));
    expect(new Set(plan.keys)).toEqual(new Set([...plan.thresholdRules.map(thresholdKey), ...selectorKeys]));
    expect(plan.keys).toHaveLength(new Set(plan.keys).size);
    // wallet-spend-success lists product.wallet.spend.failed in total AND bad: one tally, not two.
    const walletP0 = plan.thresholdRules.find((r) => r.id === 'wallet-spend-failures-critical')!;
    expect(plan.byMetric.get('product.wallet.spend.failed')!.map((i) => i.key).sort()).toEqual([selectorTallyKey({ metric: 'product.wallet.spend.failed' }), thresholdKey(walletP0)].sort());
  });

  it('byMetric lists only the metrics streaming rules read; a metric no rule reads costs nothing', () => {
    const read = new Set<string>([...plan.thresholdRules.map((r) => r.metric), ...SLOS.flatMap((s) => [...s.sli.total, ...(s.sli.good ?? []), ...(s.sli.bad ?? [])].map((x) => x.metric))]);
    expect(new Set(plan.byMetric.keys())).toEqual(read);
    // Read by non-streaming P1 rules or by nothing at all: not tallied.
    for (const metric of ['product.wallet.payout.failed', 'product.safety.incident.count', 'product.wallet.balance', 'infra.queue.depth', 'product.wallet.spend.latency_ms']) {
      expect(plan.byMetric.has(metric)).toBe(false);
    }
    // The latency SLO's "good" selector carries its threshold; the request-count selectors their tags.
    expect(plan.byMetric.get('infra.http.request.latency_ms')!.map((i) => i.maxMs ?? null).sort()).toEqual([500, null]);
    expect(plan.byMetric.get('infra.http.request.count')!.map((i) => Object.fromEntries(i.where))).toEqual(
      expect.arrayContaining([{ tier: 'core' }, { tier: 'core', status_class: '5xx' }, { tier: 'secondary' }, { tier: 'secondary', status_class: '5xx' }]),
    );
    expect(plan.byMetric.get('infra.http.request.count')).toHaveLength(4);
  });

  it('reads its burn rules’ short windows from tallies kept long enough', () => {
    expect(ROLLUP_CUTOFF_MS).toBeLessThan(TALLY_RETENTION_MS);
    for (const rule of plan.thresholdRules) expect(rule.windowSeconds * 1000).toBeLessThan(TALLY_RETENTION_MS);
  });
});

describe('a rule marked streaming that cannot stream', () => {
  it.each([
    ['groups by a tag', { id: 'grouped-p0', groupBy: ['feature'] }, /alert rule grouped-p0 is marked streaming: .*group/],
    ['takes a p95', { id: 'p95-p0', metric: 'infra.http.request.latency_ms' as const, aggregation: 'p95' as const }, /alert rule p95-p0 is marked streaming: .*p95/],
    ['takes a max', { id: 'max-p0', aggregation: 'max' as const }, /alert rule max-p0 is marked streaming: .*max/],
    ['has a 30-minute window (longer than the tallies keep)', { id: 'long-p0', windowSeconds: 1_800 }, /alert rule long-p0 is marked streaming: .*window.*30/],
  ])('throws naming the rule when it %s', (_what, overrides, message) => {
    const rules = [thresholdRule({ streaming: true, id: 'fine-p0' }), thresholdRule({ streaming: true, ...overrides })];
    expect(() => streamingPlan(rules)).toThrow(message);
  });

  it('a ticket-tier burn rule marked streaming is refused, naming it', () => {
    const ticket = burnRateRules([SLOS[0]!]).find((r) => r.tier === 'ticket')!;
    expect(() => streamingPlan([{ ...ticket, streaming: true }])).toThrow(`alert rule ${ticket.id} is marked streaming: only the page tier`);
  });

  it('the same rules without the mark are left to the scheduled evaluator (no error, nothing tallied)', () => {
    const p = streamingPlan([thresholdRule({ groupBy: ['feature'] }), thresholdRule({ id: 'x', windowSeconds: 1_800 })]);
    expect([p.thresholdRules, p.burnRules, p.keys, [...p.byMetric.keys()]]).toEqual([[], [], [], []]);
  });

  it('an 18-minute window still streams (the documented limit), a 19-minute one does not', () => {
    expect(streamingPlan([thresholdRule({ streaming: true, windowSeconds: 18 * 60 })]).thresholdRules).toHaveLength(1);
    expect(() => streamingPlan([thresholdRule({ streaming: true, windowSeconds: 19 * 60 })])).toThrow(/test-rule/);
  });
});
