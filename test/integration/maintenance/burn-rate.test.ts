import { WarehouseMaintenanceStore } from '../../../maintenance/warehouse-maintenance-store';
import { createMaintenanceWindow } from '../../../maintenance/window';
import type { HttpStandIn } from '../alerts/support/http-stand-in';
import { AlertEnv, MIN, T0 } from '../alerts/support/alert-env';
import { startPagerDutyStandIn } from '../alerts/support/pagerduty-stand-in';
import { startSlackStandIn } from '../alerts/support/slack-stand-in';

const T = T0 + 3 * 1_440 * MIN;

/**
 * Burn-rate alerts do not count a maintenance window excluded from budgets (issue #16): an hour
 * of 1% wallet failures inside a window that has just ended (so nothing is muted any more) pages
 * when the window counts, and burns nothing when it is excluded.
 */
describe('burn-rate alerts and maintenance windows excluded from budgets', () => {
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

  async function burnAfterWindow(excludeFromBudget: boolean) {
    const env = await AlertEnv.open({ SLACK_ONCALL_WEBHOOK: slack.url, PAGERDUTY_INTEGRATION_KEY: 'burn-maintenance-key', PAGERDUTY_EVENTS_URL: pagerduty.url });
    try {
      await env.insertCountEvents('product.wallet.spend.success', { feature: 'chat' }, T - 60 * MIN, T, 99);
      await env.insertCountEvents('product.wallet.spend.failed', { feature: 'chat', reason: 'timeout' }, T - 60 * MIN, T, 1);
      await new WarehouseMaintenanceStore(env.warehouse).save(
        createMaintenanceWindow({ module: 'wallet', title: 'Payment provider upgrade', excludeFromBudget, startsAtMs: T - 60 * MIN, endsAtMs: T, recurrence: null, createdBy: 'ana' }, T - 2 * 60 * MIN, 'mw-burn'),
      );
      await env.aggregate(T);
      const report = await env.evaluate(T); // the window ended at T (exclusive): nothing is muted
      return { transitions: report.transitions.filter((t) => t.fingerprint.startsWith('slo-wallet-spend-success-burn')).map((t) => [t.fingerprint, t.to]), muted: report.muted };
    } finally {
      await env.close();
    }
  }

  it('counted, the hour of failures fires the page burn (notified: the window is over)', async () => {
    const { transitions, muted } = await burnAfterWindow(false);
    expect(transitions).toEqual([
      ['slo-wallet-spend-success-burn-page', 'firing'],
      ['slo-wallet-spend-success-burn-ticket', 'firing'],
    ]);
    expect(muted.some((m) => m.reason.by === 'maintenance')).toBe(false);
    expect(pagerduty.requests.map((r) => (r.body as { dedup_key: string }).dedup_key)).toContain('slo-wallet-spend-success-burn-page');
  });

  it('excluded from budgets, the same hour burns nothing', async () => {
    const { transitions } = await burnAfterWindow(true);
    expect(transitions).toEqual([]);
    expect(pagerduty.requests.map((r) => (r.body as { dedup_key: string }).dedup_key)).not.toContain('slo-wallet-spend-success-burn-page');
  });
});
