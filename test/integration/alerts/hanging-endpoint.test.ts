import { systemClock } from '../../../shared/clock';
import { pendingNotification } from '../../../alerts/notify/notification';
import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { walletInstance } from './support/batches';
import { GatedStandIn } from './support/gated-stand-in';
import { PAGERDUTY, validatePagerDutyEvent } from './support/pagerduty-stand-in';
import { SLACK, SLACK_PATH, validateSlackPayload } from './support/slack-stand-in';

/**
 * Issue 17, item 7: a hanging PagerDuty endpoint delayed every rule — pages went out one after
 * another at ~32 s each (3 P0 pages: a 96.6 s run). Now notifications to different channels and
 * different alerts go out concurrently through a bounded pool, every request has a deadline, and
 * a timed-out page is retryable: the next run delivers it, once. Real HTTP servers stand in for
 * PagerDuty and Slack; the assertions are about the order of events, not about wall-clock speed.
 */
describe('a hanging endpoint delays only itself', () => {
  const timeline: string[] = [];
  const dedupKey = (body: unknown) => String((body as { dedup_key?: unknown }).dedup_key);
  let pagerduty: GatedStandIn;
  let slack: GatedStandIn;
  let env: AlertEnv;

  beforeEach(async () => {
    timeline.length = 0;
    pagerduty = await new GatedStandIn('pagerduty', '/v2/enqueue', timeline, dedupKey, { status: PAGERDUTY.accepted.status, body: PAGERDUTY.accepted.body }, validatePagerDutyEvent).start();
    slack = await new GatedStandIn('slack', SLACK_PATH, timeline, () => 'message', { status: SLACK.ok.status, body: SLACK.ok.body }, validateSlackPayload).start();
    env = await AlertEnv.open({ SLACK_ONCALL_WEBHOOK: slack.url, PAGERDUTY_INTEGRATION_KEY: 'hanging-test-routing-key', PAGERDUTY_EVENTS_URL: pagerduty.url });
  });
  afterEach(async () => {
    await env.close();
    await Promise.all([pagerduty.close(), slack.close()]);
    expect([...pagerduty.problems, ...slack.problems]).toEqual([]);
  });

  /** Records `count` firing pages of distinct alert groups, as the dedup stage would. */
  const recordPages = (count: number) =>
    new WarehouseAlertStore(env.warehouse).recordNotifications(
      Array.from({ length: count }, (_, i) => pendingNotification('pagerduty', walletInstance({ fingerprint: `group-${String(i).padStart(2, '0')}` }), 'firing', 0, T0)),
    );

  it('three P0 pages to a PagerDuty that never answers: Slack gets its message first, the run ends at the deadline, and the next run pages each alert once', async () => {
    await env.seedCounts('infra.function.error.count', {}, T0 - 5 * MIN, T0, 11); // 55 > 50 in 5 min
    await env.seedCounts('product.wallet.spend.failed', {}, T0 - 5 * MIN, T0, 5); // 25 > 10 in 10 min
    await env.seedCounts('product.call.failed.count', {}, T0 - 5 * MIN, T0, 4); // 20 > 15 in 10 min
    // 3 s: long enough for Slack's fake to answer on a machine with both cores busy (at 300 ms it
    // sometimes did not), while PagerDuty never answers whatever the deadline.
    const runtime = env.runtime({ deliveryLimits: { requestTimeoutMs: 3_000, runDeadlineMs: 3_000 } });
    pagerduty.mode = 'hang';

    const first = await env.evaluate(T0, runtime);
    const pages = first.deliveries.filter((d) => d.channel === 'pagerduty');
    expect(pages.map((d) => [d.fingerprints[0], d.outcome, d.attempts, d.timedOut])).toEqual([
      ['call-failures-critical', 'retry', 1, true],
      ['function-errors-critical', 'retry', 1, true],
      ['wallet-spend-failures-critical', 'retry', 1, true],
    ]);
    expect(first.deliveries.find((d) => d.channel === 'oncall-slack')).toMatchObject({ outcome: 'delivered', attempts: 1 });
    // Slack's one message (all three alerts) arrived while every page was still hanging; the three
    // pages were all in flight at once before the first was given up: one deadline, not three.
    const firstGivenUp = timeline.findIndex((e) => e.startsWith('pagerduty abandoned'));
    expect(timeline.indexOf('slack answered message')).toBeLessThan(firstGivenUp);
    expect(timeline.slice(0, firstGivenUp).filter((e) => e.startsWith('pagerduty received'))).toHaveLength(3);
    for (const name of ['Cloud Function errors', 'Wallet spend failures', 'Call failures']) expect(slack.bodies[0]).toContain(name);
    const log = await env.alertLog();
    expect(log.filter((r) => r.channel === 'pagerduty').map((r) => r.delivery_status)).toEqual(['pending', 'pending', 'pending', 'retryable', 'retryable', 'retryable']);

    pagerduty.mode = 'answer';
    const second = await env.evaluate(T0 + MIN, runtime);
    expect(second.deliveries.map((d) => [d.channel, d.outcome])).toEqual([
      ['pagerduty', 'delivered'],
      ['pagerduty', 'delivered'],
      ['pagerduty', 'delivered'],
    ]);
    await env.evaluate(T0 + 2 * MIN, runtime);
    const keys = ['call-failures-critical', 'function-errors-critical', 'wallet-spend-failures-critical'];
    expect(Object.fromEntries(pagerduty.answered)).toEqual(Object.fromEntries(keys.map((k) => [k, 1])));
    expect(Object.fromEntries(pagerduty.received)).toEqual(Object.fromEntries(keys.map((k) => [k, 2])));
    expect(slack.bodies).toHaveLength(1);
  });

  it('50 alert groups through a pool of 4: never more than 4 requests in flight, every page delivered once', async () => {
    await recordPages(50);
    pagerduty.holdMs = 25; // long enough for a fifth request to arrive if the pool let one through
    const report = await env.evaluate(T0, env.runtime({ deliveryLimits: { maxConcurrentDeliveries: 4, maxConcurrentDeliveriesPerChannel: 4 } }));
    expect(report.deliveries.filter((d) => d.outcome === 'delivered')).toHaveLength(50);
    expect(pagerduty.maxInFlight).toBe(4);
    expect(pagerduty.answered.size).toBe(50);
    expect([...pagerduty.received.values()].every((n) => n === 1)).toBe(true);
  });

  it('one hanging channel takes only its own share of the pool: Slack goes out while PagerDuty holds 2 of 4 slots', async () => {
    await recordPages(6);
    await env.seedCounts('product.chat.message.failed', {}, T0 - 10 * MIN, T0, 3); // P1: oncall Slack only
    pagerduty.mode = 'hang';
    const report = await env.evaluate(T0, env.runtime({ deliveryLimits: { maxConcurrentDeliveries: 4, maxConcurrentDeliveriesPerChannel: 2, requestTimeoutMs: 200 } }));
    expect(pagerduty.maxInFlight).toBe(2);
    expect(timeline.indexOf('slack answered message')).toBeLessThan(timeline.findIndex((e) => e.startsWith('pagerduty abandoned')));
    expect(report.deliveries.find((d) => d.channel === 'oncall-slack')).toMatchObject({ outcome: 'delivered' });
    expect(report.deliveries.filter((d) => d.channel === 'pagerduty').every((d) => d.outcome === 'retry')).toBe(true);
  });

  it('pages still queued when the run deadline passes are put back unsent, and the next run delivers every one once', async () => {
    await recordPages(10);
    pagerduty.mode = 'hang';
    // Real time here: the run deadline is what is under test.
    const runtime = env.runtime({ clock: systemClock, deliveryLimits: { maxConcurrentDeliveries: 2, maxConcurrentDeliveriesPerChannel: 2, requestTimeoutMs: 200, runDeadlineMs: 300 } });
    const first = await env.evaluate(T0, runtime);
    const attempted = first.deliveries.filter((d) => d.attempts > 0);
    const released = first.deliveries.filter((d) => d.attempts === 0);
    expect(attempted.length + released.length).toBe(10);
    expect(attempted.length).toBeGreaterThanOrEqual(2);
    expect(released.length).toBeGreaterThanOrEqual(1);
    expect(attempted.every((d) => d.outcome === 'retry' && d.timedOut)).toBe(true);
    expect(released.every((d) => d.outcome === 'retry' && /delivery deadline/.test(d.reason ?? ''))).toBe(true);
    expect([...pagerduty.received.values()].reduce((a, b) => a + b, 0)).toBe(attempted.length);
    const ledger = await new WarehouseAlertStore(env.warehouse).loadLedger(0);
    expect(ledger.every((n) => n.status === 'pending' && n.claimToken === null)).toBe(true);

    pagerduty.mode = 'answer';
    // The next run's deadline is not under test: one no busy machine reaches, so it delivers all ten.
    const unhurried = env.runtime({ clock: systemClock, deliveryLimits: { maxConcurrentDeliveries: 2, maxConcurrentDeliveriesPerChannel: 2, requestTimeoutMs: 10_000, runDeadlineMs: 60_000 } });
    const second = await env.evaluate(T0 + MIN, unhurried);
    expect(second.deliveries.filter((d) => d.outcome === 'delivered')).toHaveLength(10);
    expect(pagerduty.answered.size).toBe(10);
    expect([...pagerduty.answered.values()].every((n) => n === 1)).toBe(true);
  });

  it('a resolve waits for its firing: PagerDuty sees trigger before resolve for the same alert', async () => {
    const store = new WarehouseAlertStore(env.warehouse);
    const alert = walletInstance({ fingerprint: 'ordered-alert' });
    const firing = pendingNotification('pagerduty', alert, 'firing', 0, T0);
    const resolved = pendingNotification('pagerduty', { ...alert, state: 'resolved', resolvedAtMs: T0 + 20_000 }, 'resolved', 0, T0 + 20_000);
    await store.recordNotifications([firing]);
    const runtime = env.runtime({ deliveryLimits: { requestTimeoutMs: 200 } });
    pagerduty.mode = 'hang';
    await env.evaluate(T0, runtime); // the trigger times out: backing off until T0 + 1 min
    await store.recordNotifications([resolved]);
    pagerduty.mode = 'answer';
    const early = await env.evaluate(T0 + 30_000, runtime); // the resolve is due, its trigger not yet
    expect(early.deliveries.map((d) => [d.kinds[0], d.outcome, d.attempts, d.reason])).toEqual([['resolved', 'retry', 0, 'held back: the firing notification of this alert is not delivered yet']]);
    const later = await env.evaluate(T0 + MIN, runtime);
    expect(later.deliveries.map((d) => [d.kinds[0], d.outcome])).toEqual([
      ['firing', 'delivered'],
      ['resolved', 'delivered'],
    ]);
    expect(timeline.filter((e) => e.startsWith('pagerduty answered'))).toHaveLength(2);
    expect(pagerduty.bodies.slice(-2).map((b) => (JSON.parse(b) as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
  });

  it('in a grouped Slack message, only the alert that must wait is held back; the others go out now', async () => {
    const store = new WarehouseAlertStore(env.warehouse);
    const a = walletInstance({ fingerprint: 'alert-a' });
    await store.recordNotifications([pendingNotification('oncall-slack', a, 'firing', 0, T0)]);
    const runtime = env.runtime({ deliveryLimits: { requestTimeoutMs: 200 } });
    slack.mode = 'hang';
    await env.evaluate(T0, runtime); // A's firing times out: backing off until T0 + 1 min
    const resolveA = pendingNotification('oncall-slack', { ...a, state: 'resolved', resolvedAtMs: T0 + 20_000 }, 'resolved', 0, T0 + 20_000);
    const firingB = pendingNotification('oncall-slack', walletInstance({ fingerprint: 'alert-b' }), 'firing', 0, T0 + 20_000);
    await store.recordNotifications([resolveA, firingB]);
    slack.mode = 'answer';
    const next = await env.evaluate(T0 + 30_000, runtime);
    expect(next.deliveries.map((d) => [d.notificationIds, d.outcome])).toEqual([
      [[resolveA.id], 'retry'],
      [[firingB.id], 'delivered'],
    ]);
    expect(slack.answered.get('message')).toBe(1);
  });
});
