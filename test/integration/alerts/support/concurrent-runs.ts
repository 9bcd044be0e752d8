import type { AlertStore } from '../../../../alerts/state/alert-store';
import type { HttpStandIn } from './http-stand-in';
import { AlertEnv, MIN, T0 } from './alert-env';
import { startPagerDutyStandIn } from './pagerduty-stand-in';
import { startSlackStandIn } from './slack-stand-in';

/**
 * Two evaluator runs at once over the same warehouse and store, as two overlapping scheduled
 * invocations would be: each alert is moved by one run, and each notification sent once.
 */
export function overlappingRunsScenario(openStore: () => Promise<{ store: AlertStore; close(): Promise<void> }>): void {
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  beforeAll(async () => {
    [slack, pagerduty] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn()]);
  });
  afterAll(() => Promise.all([slack.close(), pagerduty.close()]));

  it('two overlapping evaluations never notify twice: one trigger, one Slack message, then one resolve', async () => {
    const { store, close } = await openStore();
    const env = await AlertEnv.open({ SLACK_ONCALL_WEBHOOK: slack.url, PAGERDUTY_INTEGRATION_KEY: 'overlap-routing-key', PAGERDUTY_EVENTS_URL: pagerduty.url });
    try {
      await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0, 5);
      await env.seedCounts('product.call.failed.count', {}, T0 - 5 * MIN, T0, 4);
      const a = env.runtime({ store });
      const b = env.runtime({ store });
      const [ra, rb] = await Promise.all([env.evaluate(T0, a), env.evaluate(T0, b)]);
      const fired = [...ra.transitions, ...rb.transitions].map((t) => `${t.fingerprint}:${t.to}`).sort();
      expect(fired).toEqual(['call-failures-critical:firing', 'wallet-spend-failures-critical:firing']);
      expect(pagerduty.requests.map((r) => (r.body as { dedup_key: string }).dedup_key).sort()).toEqual(['call-failures-critical', 'wallet-spend-failures-critical']);
      expect(slack.requests).toHaveLength(1);
      expect((slack.requests[0]!.body as { text: string }).text).toMatch(/^\[FIRING:2\]/);

      const later = T0 + 16 * MIN; // both windows clean and past keep_firing_for, from T0 + 11
      await Promise.all([env.evaluate(T0 + 11 * MIN, a), env.evaluate(T0 + 11 * MIN, b)]);
      const [la, lb] = await Promise.all([env.evaluate(later, a), env.evaluate(later, b)]);
      expect([...la.transitions, ...lb.transitions].map((t) => `${t.fingerprint}:${t.to}`).sort()).toEqual(['call-failures-critical:resolved', 'wallet-spend-failures-critical:resolved']);
      expect(pagerduty.requests.filter((r) => (r.body as { event_action: string }).event_action === 'resolve')).toHaveLength(2);
      expect(slack.requests).toHaveLength(2);
      expect(pagerduty.invalid()).toEqual([]);
      const log = await env.alertLog();
      expect(log.filter((r) => r.entry_type === 'transition')).toHaveLength(4);
    } finally {
      await env.close();
      await close();
    }
  });
}
