import { defineQuery } from '../../../sql/dialect';
import type { HttpStandIn } from './support/http-stand-in';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { startPagerDutyStandIn } from './support/pagerduty-stand-in';
import { startSlackStandIn } from './support/slack-stand-in';

const T = T0 + 3 * 1_440 * MIN; // 03:00 UTC: night
const SUCCESS = 'product.wallet.spend.success';
const FAILED = 'product.wallet.spend.failed';

/**
 * wallet-spend-success (99.95%) end to end: events stored as ingest writes them, the aggregator's
 * rollup and SLO jobs, then the alert evaluator with every rule loaded — the burn rates are the
 * aggregator's SLI counts for the windows ending now.
 */
describe('SLO burn-rate alerts for wallet-spend-success (99.95%), from events through the aggregator', () => {
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  beforeAll(async () => {
    [slack, pagerduty] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn()]);
  });
  afterAll(() => Promise.all([slack.close(), pagerduty.close()]));
  beforeEach(() => {
    slack.reset();
    pagerduty.reset();
  });

  async function withEnv(test: (env: AlertEnv) => Promise<void>): Promise<void> {
    const env = await AlertEnv.open({ SLACK_ONCALL_WEBHOOK: slack.url, PAGERDUTY_INTEGRATION_KEY: 'burn-test-routing-key', PAGERDUTY_EVENTS_URL: pagerduty.url });
    try {
      await test(env);
    } finally {
      await env.close();
    }
  }

  it('a 1% error rate for an hour fires the 14.4× page: P1 to oncall Slack and PagerDuty (error); the ticket and the budget forecast it also trips are inhibited', () =>
    withEnv(async (env) => {
      await env.insertCountEvents(SUCCESS, { feature: 'chat' }, T - 60 * MIN, T, 99);
      await env.insertCountEvents(FAILED, { feature: 'chat', reason: 'timeout' }, T - 60 * MIN, T, 1);
      await env.aggregate(T);
      const report = await env.evaluate(T);
      // 20× in every window that has data. 10 failures in 10 minutes is not more than 10: the P0 threshold rule stays quiet.
      // The budget (60 bad of an allowed 3) is spent and still burning: the forecast projects "now" (issue #16).
      expect(report.transitions.map((t) => [t.fingerprint, t.to, t.severity, Number(t.value?.toFixed(2)), t.threshold])).toEqual([
        ['slo-wallet-spend-success-burn-page', 'firing', 'P1', 20, 14.4],
        ['slo-wallet-spend-success-burn-ticket', 'firing', 'P3', 20, 3],
        ['slo-wallet-spend-success-budget-forecast', 'firing', 'P3', T, T + 30 * 1_440 * MIN],
      ]);
      expect([...report.muted].sort((x, y) => x.fingerprint.localeCompare(y.fingerprint))).toEqual([
        { fingerprint: 'slo-wallet-spend-success-budget-forecast', reason: { by: 'inhibition', rule: 'page-burn-mutes-forecast', sourceFingerprint: 'slo-wallet-spend-success-burn-page' } },
        { fingerprint: 'slo-wallet-spend-success-burn-ticket', reason: { by: 'inhibition', rule: 'page-burn-mutes-ticket-burn', sourceFingerprint: 'slo-wallet-spend-success-burn-page' } },
      ]);
      expect(report.deliveries.map((d) => [d.channel, d.outcome, d.fingerprints]).sort()).toEqual([
        ['oncall-slack', 'delivered', ['slo-wallet-spend-success-burn-page']],
        ['pagerduty', 'delivered', ['slo-wallet-spend-success-burn-page']],
      ]);
      expect(pagerduty.invalid()).toEqual([]);
      expect(pagerduty.requests[0]!.body).toMatchObject({
        event_action: 'trigger',
        dedup_key: 'slo-wallet-spend-success-burn-page',
        payload: { severity: 'error', custom_details: { burn: { slo: 'wallet-spend-success', tier: 'page' } } },
      });
      expect((slack.requests[0]!.body as { text: string }).text).toBe('[FIRING:1] [P1] Wallet spend success error budget burn (page) (wallet): 20× > 14.4×');

      // The same burn rates as the aggregator stored in slo_status for this minute.
      const [status] = await env.warehouse.query(
        defineQuery('test_slo_status', `SELECT TO_JSON_STRING(burn_rates) AS burn_rates FROM {{slo_status}} WHERE computed_at = TIMESTAMP_MILLIS(@at_ms) AND slo_id = 'wallet-spend-success'`),
        { at_ms: T },
      );
      const stored = JSON.parse(String(status!.burn_rates)) as Record<string, number>;
      const [instance] = (await env.runtime().store.loadInstances()).filter((i) => i.fingerprint === 'slo-wallet-spend-success-burn-page');
      const evaluated = instance!.detail.burnRates as Record<string, number>;
      for (const w of ['5m', '1h', '6h', '3d']) expect(evaluated[w]).toBeCloseTo(stored[w]!, 9);
    }));

  it('a 0.04% error rate (0.8× burn) fires nothing', () =>
    withEnv(async (env) => {
      await env.insertCountEvents(SUCCESS, { feature: 'chat' }, T - 60 * MIN, T, 250);
      await env.insertCountEvents(FAILED, { feature: 'chat', reason: 'timeout' }, T - 55 * MIN, T, 1, 10); // one failure every 10 minutes: 6 in 15,000
      await env.aggregate(T);
      const report = await env.evaluate(T);
      expect(report.transitions).toEqual([]);
      expect(report.deliveries).toEqual([]);
      expect([slack.requests.length, pagerduty.requests.length]).toEqual([0, 0]);
    }));

  it('3 failures out of 5 requests at night page no one (the minimum-traffic guard)', () =>
    withEnv(async (env) => {
      await env.insertCountEvents(SUCCESS, { feature: 'chat' }, T - 4 * MIN, T - 2 * MIN, 1);
      await env.insertCountEvents(FAILED, { feature: 'chat', reason: 'timeout' }, T - 3 * MIN, T, 1);
      await env.aggregate(T);
      const report = await env.evaluate(T);
      expect(report.transitions).toEqual([]);
      expect(report.deliveries).toEqual([]);
      expect([slack.requests.length, pagerduty.requests.length]).toEqual([0, 0]);
      expect(await env.runtime().store.loadInstances()).toEqual([]);
    }));
});
