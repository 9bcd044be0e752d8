import { parseRecurrence } from '../../../maintenance/recurrence';
import { WarehouseMaintenanceStore } from '../../../maintenance/warehouse-maintenance-store';
import { createMaintenanceWindow } from '../../../maintenance/window';
import type { HttpStandIn } from '../alerts/support/http-stand-in';
import { AlertEnv, MIN, T0 } from '../alerts/support/alert-env';
import { startPagerDutyStandIn } from '../alerts/support/pagerduty-stand-in';
import { startSlackStandIn } from '../alerts/support/slack-stand-in';

/**
 * Maintenance windows mute their module's alerts like a silence (issue #16): through the whole
 * alert pipeline on DuckDB, with Slack and PagerDuty as real HTTP servers on 127.0.0.1.
 */
describe('maintenance windows mute their module\'s alerts', () => {
  let slack: HttpStandIn;
  let pagerduty: HttpStandIn;
  let env: AlertEnv;
  let store: WarehouseMaintenanceStore;

  beforeAll(async () => {
    [slack, pagerduty] = await Promise.all([startSlackStandIn(), startPagerDutyStandIn()]);
  });
  afterAll(() => Promise.all([slack.close(), pagerduty.close()]));
  beforeEach(async () => {
    slack.reset();
    pagerduty.reset();
    env = await AlertEnv.open({ SLACK_ONCALL_WEBHOOK: slack.url, PAGERDUTY_INTEGRATION_KEY: 'maintenance-test-routing-key', PAGERDUTY_EVENTS_URL: pagerduty.url });
    store = new WarehouseMaintenanceStore(env.warehouse);
  });
  afterEach(() => env.close());

  /** PagerDuty's requests for the wallet P0 (other wallet alerts may fire beside it when the failures last). */
  const pdActions = () =>
    pagerduty.requests.map((r) => r.body as { event_action: string; dedup_key: string }).filter((b) => b.dedup_key === 'wallet-spend-failures-critical').map((b) => b.event_action);
  const addWindow = (module: string, startMs: number, endMs: number, id = 'mw-test') =>
    store.save(createMaintenanceWindow({ module, title: 'Payment provider upgrade', excludeFromBudget: false, startsAtMs: startMs, endsAtMs: endMs, recurrence: null, createdBy: 'ana' }, T0 - 60 * MIN, id));

  it('the store keeps one-off and recurring windows, lists them oldest first and removes one by id', async () => {
    const weekly = createMaintenanceWindow(
      { module: 'chat', title: 'Weekly reindex', excludeFromBudget: true, startsAtMs: T0, endsAtMs: null, recurrence: parseRecurrence({ every: 'weekly', on: 'sun,wed', time: '02:00', durationSeconds: 7200, tz: 'Europe/Berlin' }), createdBy: 'bo' },
      T0 + MIN,
      'mw-weekly',
    );
    await addWindow('wallet', T0, T0 + 60 * MIN, 'mw-once');
    await store.save(weekly);
    expect(await store.list()).toEqual([
      { id: 'mw-once', module: 'wallet', title: 'Payment provider upgrade', excludeFromBudget: false, startsAtMs: T0, endsAtMs: T0 + 60 * MIN, recurrence: null, createdAtMs: T0 - 60 * MIN, createdBy: 'ana' },
      weekly,
    ]);
    expect(await store.remove('mw-once')).toMatchObject({ id: 'mw-once' });
    expect(await store.remove('mw-once')).toBeUndefined();
    expect((await store.list()).map((w) => w.id)).toEqual(['mw-weekly']);
  });

  it('an alert that fires during its module\'s window is tracked but not notified; still firing after the window, it is notified then', async () => {
    await addWindow('wallet', T0 - MIN, T0 + 10 * MIN);
    await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0 + 20 * MIN, 5);
    const during = await env.evaluate(T0);
    expect(during.firing.map((f) => f.fingerprint)).toEqual(['wallet-spend-failures-critical']);
    expect(during.muted).toEqual([{ fingerprint: 'wallet-spend-failures-critical', reason: { by: 'maintenance', maintenanceId: `mw-test@${new Date(T0 - MIN).toISOString()}`, title: 'Payment provider upgrade' } }]);
    expect([slack.requests.length, pagerduty.requests.length]).toEqual([0, 0]);
    await env.evaluate(T0 + 9 * MIN);
    expect([slack.requests.length, pagerduty.requests.length]).toEqual([0, 0]);
    const after = await env.evaluate(T0 + 10 * MIN); // the window's end is exclusive
    expect(after.muted).toEqual([]);
    expect(pdActions()).toEqual(['trigger']);
    expect(slack.requests).toHaveLength(1);
  });

  it('another module\'s window mutes nothing', async () => {
    await addWindow('chat', T0 - MIN, T0 + 10 * MIN);
    await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0, 5);
    const report = await env.evaluate(T0);
    expect(report.muted).toEqual([]);
    expect(pdActions()).toEqual(['trigger']);
  });

  it('reminders of an alert notified before the window are held during it; its resolve after the window goes out', async () => {
    await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0 + 45 * MIN, 5);
    await env.evaluate(T0);
    expect(pdActions()).toEqual(['trigger']);
    await addWindow('wallet', T0 + 20 * MIN, T0 + 50 * MIN);
    const reminderDue = await env.evaluate(T0 + 30 * MIN); // a P0 reminds every 30 minutes
    expect(reminderDue.recorded).toEqual([]);
    expect(reminderDue.muted.map((m) => m.fingerprint)).toContain('wallet-spend-failures-critical');
    expect(new Set(reminderDue.muted.map((m) => m.reason.by))).toEqual(new Set(['maintenance']));
    // The failures stopped at +45; the 10-minute window empties at +55 and keep_firing_for holds it 5 more minutes.
    let resolvedAt: number | undefined;
    for (let t = T0 + 50 * MIN; t <= T0 + 70 * MIN && resolvedAt === undefined; t += MIN) {
      const report = await env.evaluate(t);
      if (report.transitions.some((x) => x.to === 'resolved')) resolvedAt = t;
    }
    expect(resolvedAt).toBeGreaterThanOrEqual(T0 + 50 * MIN);
    // After the window and before the resolve, the reminder that was held is sent; then the resolve.
    expect(pdActions()).toEqual(['trigger', 'trigger', 'resolve']);
  });

  it('a resolve during the window goes out too, as with silences (a muted resolve would leave the PagerDuty incident open)', async () => {
    await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0, 5);
    await env.evaluate(T0);
    await addWindow('wallet', T0 + MIN, T0 + 120 * MIN);
    let resolved = false;
    for (let t = T0 + 5 * MIN; t <= T0 + 30 * MIN && !resolved; t += MIN) resolved = (await env.evaluate(t)).transitions.some((x) => x.to === 'resolved');
    expect(resolved).toBe(true);
    expect(pdActions()).toEqual(['trigger', 'resolve']);
  });

  it('a store that cannot be read mutes nothing, and says so in the log', async () => {
    await env.seedCounts('product.wallet.spend.failed', { reason: 'timeout' }, T0 - 5 * MIN, T0, 5);
    const runtime = env.runtime({ maintenance: { occurrences: () => Promise.reject(new Error('table gone')) } });
    const report = await env.evaluate(T0, runtime);
    expect(report.muted).toEqual([]);
    expect(pdActions()).toEqual(['trigger']);
    expect(env.logger.lines.some((l) => l.includes('maintenance windows could not be read') && l.includes('table gone'))).toBe(true);
  });
});
