import type { HttpStandIn } from './support/http-stand-in';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { startPagerDutyStandIn } from './support/pagerduty-stand-in';
import { startSlackStandIn } from './support/slack-stand-in';
import { SmtpStandIn } from './support/smtp-stand-in';

const ROUTING_KEY = 'R0UT1NGKEYa1b2c3d4e5f6a7b8c9d0e1f2';
const DAY = 1_440 * MIN;

/**
 * End to end through the warehouse: events (as ingest stores them) → the aggregator's rollups →
 * rules → lifecycle → routing → Slack, PagerDuty and e-mail stand-ins. Three days of healthy
 * wallet traffic (15 spends a minute, 115 in the last six hours — enough that the burst below
 * stays inside the wallet-spend-success error budget), then a burst of 25 failed spends in five
 * minutes: the P0 rule (> 10 in 10 minutes) fires. Every evaluation follows an aggregator pass, as
 * the two schedules run every minute.
 */
describe('a burst of wallet spend failures, end to end', () => {
  let env: AlertEnv;
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  let smtp: SmtpStandIn;
  const T = T0 + 3 * DAY;

  beforeAll(async () => {
    [slack, pagerduty, smtp] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn(), new SmtpStandIn().start()]);
    env = await AlertEnv.open({
      SLACK_ONCALL_WEBHOOK: slack.url,
      PAGERDUTY_INTEGRATION_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: pagerduty.url,
      SMTP_URL: smtp.url(),
      OPS_EMAIL: 'ops@avalo.test',
      FINANCE_EMAIL: 'finance@avalo.test',
    });
    await env.insertCountEvents('product.wallet.spend.success', { feature: 'chat' }, T - 3 * DAY, T + 30 * MIN, 15);
    await env.insertCountEvents('product.wallet.spend.success', { feature: 'gifts' }, T - 6 * 60 * MIN, T + 30 * MIN, 100);
    await env.insertCountEvents('product.wallet.spend.failed', { feature: 'chat', reason: 'provider_error' }, T - 5 * MIN, T, 5);
  });
  /** One minute of the schedules: the aggregator's pass, then the alert evaluation. */
  const tick = async (at: number) => {
    await env.aggregate(at);
    return env.evaluate(at);
  };

  afterAll(async () => {
    await env.close();
    await Promise.all([slack.close(), pagerduty.close(), smtp.close()]);
  });

  it('fires the P0 rule: one PagerDuty trigger (critical), one oncall Slack message and one finance e-mail', async () => {
    const report = await tick(T);
    expect(report.transitions.map((t) => [t.fingerprint, t.from, t.to, t.value])).toEqual([['wallet-spend-failures-critical', 'inactive', 'firing', 25]]);
    expect(report.deliveries.map((d) => [d.channel, d.outcome]).sort()).toEqual([
      ['finance-email', 'delivered'],
      ['oncall-slack', 'delivered'],
      ['pagerduty', 'delivered'],
    ]);

    expect(pagerduty.invalid()).toEqual([]);
    expect(pagerduty.requests.map((r) => r.body)).toMatchObject([
      {
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: 'wallet-spend-failures-critical',
        payload: { severity: 'critical', source: 'avalo-test/wallet', summary: '[P0] Wallet spend failures (wallet): 25 > 10', custom_details: { value: 25, threshold: 10 } },
      },
    ]);

    expect(slack.invalid()).toEqual([]);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.body as { text: string }).text).toBe('[FIRING:1] [P0] Wallet spend failures (wallet): 25 > 10');
    expect(slack.requests[0]!.raw).toContain('docs/OPERATIONS.md#runbook-wallet-spend-failures-critical');

    expect(smtp.messages.map((m) => [m.to && 'text' in m.to ? m.to.text : '', m.subject])).toEqual([['finance@avalo.test', '[FIRING:1] [P0] Wallet spend failures (wallet): 25 > 10']]);
    expect(smtp.messages[0]!.text).toContain('More than 10 failed token spends in 10 minutes.');
    expect(smtp.messages[0]!.html).toContain('Wallet spend failures');
  });

  it('notifies nothing new a minute later while it keeps firing', async () => {
    const report = await tick(T + MIN);
    expect([report.transitions, report.recorded, report.deliveries]).toEqual([[], [], []]);
    expect([pagerduty.requests.length, slack.requests.length, smtp.messages.length]).toEqual([1, 1, 1]);
  });

  it('keeps firing for keep_firing_for (5 min) after the failures leave the window, then resolves once: PagerDuty resolve with the same dedup_key, RESOLVED in Slack and e-mail', async () => {
    expect((await tick(T + 11 * MIN)).transitions).toEqual([]); // the window is clean from here on
    const report = await tick(T + 16 * MIN);
    expect(report.transitions.map((t) => [t.fingerprint, t.from, t.to])).toEqual([['wallet-spend-failures-critical', 'firing', 'resolved']]);
    expect(pagerduty.requests.map((r) => r.body)).toEqual([
      expect.objectContaining({ event_action: 'trigger' }),
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'wallet-spend-failures-critical' },
    ]);
    expect(pagerduty.invalid()).toEqual([]);
    expect(slack.requests).toHaveLength(2);
    expect((slack.requests[1]!.body as { text: string }).text).toBe('Resolved: [P0] Wallet spend failures (wallet) — was 25 > 10, now 0');
    expect(smtp.messages.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[FIRING:1\]/), expect.stringMatching(/^Resolved: \[P0\] Wallet spend failures \(wallet\) — was 25 > 10, now 0/)]);

    const again = await tick(T + 17 * MIN);
    expect([again.recorded, again.deliveries]).toEqual([[], []]);
  });

  it('logged every transition and every delivery in alert_log', async () => {
    const log = await env.alertLog();
    expect(log.filter((r) => r.entry_type === 'transition').map((r) => [r.from_state, r.to_state])).toEqual([
      ['inactive', 'firing'],
      ['firing', 'resolved'],
    ]);
    const deliveries = log.filter((r) => r.entry_type === 'delivery').map((r) => `${r.channel}:${r.delivery_status}`);
    for (const channel of ['pagerduty', 'oncall-slack', 'finance-email']) {
      // firing and resolved: recorded (pending) before sending, delivered after
      expect(deliveries.filter((d) => d === `${channel}:pending`)).toHaveLength(2);
      expect(deliveries.filter((d) => d === `${channel}:delivered`)).toHaveLength(2);
    }
  });
});
