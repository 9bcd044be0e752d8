import type { HttpStandIn } from './support/http-stand-in';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { startPagerDutyStandIn } from './support/pagerduty-stand-in';
import { startSlackStandIn } from './support/slack-stand-in';

const DAY = 1_440 * MIN;
const T = T0 + 3 * DAY; // 03:00 UTC: night

/**
 * wallet-spend-success (99.95%) through the warehouse with every rule loaded: the multiwindow
 * burn-rate alerts computed from the 1-minute rollups for the exact windows ending now.
 */
describe('SLO burn-rate alerts for wallet-spend-success (99.95%), end to end', () => {
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

  it('a 1% error rate for an hour (after three clean days) fires the 14.4× page: P1, oncall Slack and PagerDuty (error)', () =>
    withEnv(async (env) => {
      await env.seedCounts('product.wallet.spend.success', { feature: 'chat' }, T - 3 * DAY, T - 60 * MIN, 100);
      await env.seedCounts('product.wallet.spend.success', { feature: 'chat' }, T - 60 * MIN, T, 99);
      await env.seedCounts('product.wallet.spend.failed', { feature: 'chat', reason: 'timeout' }, T - 60 * MIN, T, 1);
      const report = await env.evaluate(T);
      // Only the page fires: 20× over 1h and 5m; 6h is at 3.3×, the ticket windows lower still;
      // and 10 failures in 10 minutes is not more than 10, so the P0 threshold rule stays quiet.
      expect(report.transitions.map((t) => [t.fingerprint, t.to, t.severity, Number(t.value?.toFixed(2)), t.threshold])).toEqual([
        ['slo-wallet-spend-success-burn-page', 'firing', 'P1', 20, 14.4],
      ]);
      expect(report.deliveries.map((d) => [d.channel, d.outcome]).sort()).toEqual([
        ['oncall-slack', 'delivered'],
        ['pagerduty', 'delivered'],
      ]);
      expect(pagerduty.invalid()).toEqual([]);
      expect(pagerduty.requests[0]!.body).toMatchObject({
        event_action: 'trigger',
        dedup_key: 'slo-wallet-spend-success-burn-page',
        payload: { severity: 'error', custom_details: { burn: { slo: 'wallet-spend-success', tier: 'page' } } },
      });
      expect((slack.requests[0]!.body as { text: string }).text).toBe('[FIRING:1] [P1] Wallet spend success error budget burn (page) (wallet): 20× > 14.4×');
    }));

  it('a 0.04% error rate (0.8× burn) fires nothing', () =>
    withEnv(async (env) => {
      await env.seedCounts('product.wallet.spend.success', { feature: 'chat' }, T - 3 * DAY, T, 2_499);
      await env.seedCounts('product.wallet.spend.failed', { feature: 'chat', reason: 'timeout' }, T - 3 * DAY, T, 1);
      const report = await env.evaluate(T);
      expect(report.transitions).toEqual([]);
      expect(report.deliveries).toEqual([]);
      expect([slack.requests.length, pagerduty.requests.length]).toEqual([0, 0]);
    }));

  it('3 failures out of 5 requests at night page no one (the minimum-traffic guard)', () =>
    withEnv(async (env) => {
      await env.seedCounts('product.wallet.spend.success', { feature: 'chat' }, T - 4 * MIN, T - 2 * MIN, 1);
      await env.seedCounts('product.wallet.spend.failed', { feature: 'chat', reason: 'timeout' }, T - 3 * MIN, T, 1);
      const report = await env.evaluate(T);
      expect(report.transitions).toEqual([]);
      expect(report.deliveries).toEqual([]);
      expect([slack.requests.length, pagerduty.requests.length]).toEqual([0, 0]);
      const instances = await env.runtime().store.loadInstances();
      expect(instances).toEqual([]);
    }));
});
