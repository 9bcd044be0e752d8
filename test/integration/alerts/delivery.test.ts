import type { AlertStore } from '../../../alerts/state/alert-store';
import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { createSilence } from '../../../alerts/mute/silences';
import { parseMatcher } from '../../../alerts/model/matchers';
import type { HttpStandIn } from './support/http-stand-in';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { PAGERDUTY, startPagerDutyStandIn } from './support/pagerduty-stand-in';
import { SLACK, startSlackStandIn } from './support/slack-stand-in';
import { SmtpStandIn } from './support/smtp-stand-in';

/**
 * The delivery guarantee through the whole pipeline: at least once, without duplicates; a failing
 * channel retried on later runs and never holding up the others; reminders, grouping, silences
 * and inhibition as users see them.
 */
describe('delivery through the pipeline', () => {
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  let smtp: SmtpStandIn;
  let env: AlertEnv;

  beforeAll(async () => {
    [slack, pagerduty, smtp] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn(), new SmtpStandIn().start()]);
  });
  afterAll(() => Promise.all([slack.close(), pagerduty.close(), smtp.close()]));
  beforeEach(async () => {
    slack.reset();
    pagerduty.reset();
    smtp.messages.length = 0;
    env = await AlertEnv.open({
      SLACK_ONCALL_WEBHOOK: slack.url,
      PAGERDUTY_INTEGRATION_KEY: 'delivery-test-routing-key',
      PAGERDUTY_EVENTS_URL: pagerduty.url,
      SMTP_URL: smtp.url(),
      FINANCE_EMAIL: 'finance@avalo.test',
    });
  });
  afterEach(() => env.close());

  const walletBurst = (at: number) => env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, at - 5 * MIN, at, 5);

  it('one failing channel never blocks the others; it is retried on the next run and delivered once', async () => {
    await walletBurst(T0);
    slack.answer(SLACK.serverError, SLACK.serverError, SLACK.serverError);
    const first = await env.evaluate(T0);
    expect(first.deliveries.map((d) => [d.channel, d.outcome, d.attempts]).sort()).toEqual([
      ['finance-email', 'delivered', 1],
      ['oncall-slack', 'retry', 3],
      ['pagerduty', 'delivered', 1],
    ]);
    // The next run is a minute later: the notification is due again (backoff 1 min) and Slack is back.
    const second = await env.evaluate(T0 + MIN);
    expect(second.deliveries.map((d) => [d.channel, d.outcome])).toEqual([['oncall-slack', 'delivered']]);
    expect([slack.requests.filter((r) => r.status === 200).length, pagerduty.requests.length, smtp.messages.length]).toEqual([1, 1, 1]);
    const log = await env.alertLog();
    expect(log.filter((r) => r.channel === 'oncall-slack').map((r) => r.delivery_status)).toEqual(['pending', 'retryable', 'delivered']);
  });

  it('a PagerDuty 400 fails the notification for good: logged, never retried', async () => {
    await walletBurst(T0);
    pagerduty.answer(PAGERDUTY.badRequest);
    const first = await env.evaluate(T0);
    expect(first.deliveries.find((d) => d.channel === 'pagerduty')).toMatchObject({ outcome: 'failed', attempts: 1 });
    await env.evaluate(T0 + MIN);
    await env.evaluate(T0 + 10 * MIN);
    expect(pagerduty.requests).toHaveLength(1);
    const log = await env.alertLog();
    expect(log.filter((r) => r.channel === 'pagerduty').map((r) => r.delivery_status)).toEqual(['pending', 'failed']);
  });

  it('a run that dies after recording a notification loses nothing: the next run delivers it', async () => {
    await walletBurst(T0);
    const store = new WarehouseAlertStore(env.warehouse);
    const dying: AlertStore = Object.assign(Object.create(store) as AlertStore, {
      claimPending: () => Promise.reject(new Error('instance shut down')),
    });
    const crashed = await env.evaluate(T0, env.runtime({ store: dying }));
    expect([crashed.recorded.length, crashed.deliveries.length]).toEqual([3, 0]);
    expect(slack.requests).toHaveLength(0);
    const next = await env.evaluate(T0 + MIN, env.runtime());
    expect(next.recorded).toEqual([]);
    expect(next.deliveries.map((d) => d.channel).sort()).toEqual(['finance-email', 'oncall-slack', 'pagerduty']);
    expect([slack.requests.length, pagerduty.requests.length, smtp.messages.length]).toEqual([1, 1, 1]);
  });

  it('a run that dies after sending but before marking re-sends once its claim times out (at least once)', async () => {
    await walletBurst(T0);
    const store = new WarehouseAlertStore(env.warehouse);
    const dying: AlertStore = Object.assign(Object.create(store) as AlertStore, {
      completeDelivery: () => Promise.reject(new Error('instance shut down')),
      completeClaim: () => Promise.reject(new Error('instance shut down')),
    });
    await env.evaluate(T0, env.runtime({ store: dying }));
    const runtime = env.runtime();
    expect((await env.evaluate(T0 + MIN, runtime)).deliveries).toEqual([]); // still claimed
    const later = await env.evaluate(T0 + 6 * MIN, runtime); // claim older than 5 minutes
    expect(later.deliveries.map((d) => d.channel).sort()).toEqual(['finance-email', 'oncall-slack', 'pagerduty']);
    // PagerDuty got the same event twice with the same dedup_key: it deduplicates.
    expect(pagerduty.requests.map((r) => (r.body as { dedup_key: string }).dedup_key)).toEqual(['wallet-spend-failures-critical', 'wallet-spend-failures-critical']);
  });

  it('reminds every repeat interval while firing (P0: 30 minutes), saying STILL FIRING', async () => {
    await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0 + 40 * MIN, 5);
    await env.evaluate(T0);
    await env.evaluate(T0 + 29 * MIN);
    expect(slack.requests).toHaveLength(1);
    const reminder = await env.evaluate(T0 + 30 * MIN);
    expect(reminder.recorded.map((r) => r.kind)).toEqual(['reminder', 'reminder', 'reminder']);
    expect(slack.raws()).toContain('STILL FIRING');
    expect(pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual(['trigger', 'trigger']);
  });

  it('alerts that fire together for one channel go in one message', async () => {
    await env.seedCounts('product.chat.message.failed', {}, T0 - 10 * MIN, T0, 3); // 30 > 20 in 15 min: P1
    await env.seedCounts('product.support.ticket.created', {}, T0 - 60 * MIN, T0, 2); // 120 > 100 in 1 h: P2
    const report = await env.evaluate(T0);
    expect(report.transitions).toHaveLength(2);
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.body as { text: string }).text).toMatch(/^\[FIRING:2\]/);
  });

  it('a silence mutes a firing alert until it expires; then the alert is notified', async () => {
    await env.seedCounts('product.chat.message.failed', {}, T0 - 10 * MIN, T0 + 60 * MIN, 3);
    const store = new WarehouseAlertStore(env.warehouse);
    await store.saveSilence(createSilence({ matchers: [parseMatcher('alertname=chat-failures-high')], startsAtMs: T0, durationMs: 20 * MIN, createdBy: 'ana', comment: 'chat provider migration' }, T0, 'sil-1'));
    const muted = await env.evaluate(T0);
    expect(muted.muted).toEqual([{ fingerprint: 'chat-failures-high', reason: { by: 'silence', silenceId: 'sil-1', comment: 'chat provider migration' } }]);
    expect(slack.requests).toHaveLength(0);
    const after = await env.evaluate(T0 + 20 * MIN);
    expect(after.muted).toEqual([]);
    expect(slack.requests).toHaveLength(1);
  });

  it('a firing P0 of the wallet module inhibits the wallet P1 (payout failures)', async () => {
    await walletBurst(T0);
    await env.seedCounts('product.wallet.payout.failed', {}, T0 - 10 * MIN, T0, 1); // 10 > 5 in 30 min: P1 wallet
    const report = await env.evaluate(T0);
    expect(report.firing.map((f) => f.fingerprint).sort()).toEqual(['payout-failures-high', 'wallet-spend-failures-critical']);
    expect(report.muted).toEqual([{ fingerprint: 'payout-failures-high', reason: { by: 'inhibition', rule: 'p0-mutes-module', sourceFingerprint: 'wallet-spend-failures-critical' } }]);
    expect((slack.requests[0]!.body as { text: string }).text).toMatch(/^\[FIRING:1\] \[P0\]/);
  });
});
