/* eslint-disable @typescript-eslint/no-explicit-any -- the JSON output is read loosely and checked field by field */
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { createLocalApp } from '../../../app/local';
import { buildMonthlyReport } from '../../../aggregator/slo-report';
import { ruleFacts } from '../../../dashboard/recent-alerts';
import { loadDashboard } from '../../../dashboard/dashboard-data';
import { createProductionApp } from '../../../app/production';
import { activeSlos, SLOS, useSloCatalogue } from '../../../shared/slo-catalogue';
import { activateSloCatalogue } from '../../../slo-as-code/activate';
import { AlertEnv, MIN } from '../alerts/support/alert-env';

/**
 * An imported SLO (docs/examples/slos.openslo.yaml: wallet-payout-success, 99.5% over the calendar
 * month in Europe/Berlin) behaves like a built-in one: `obs slo status` with the maths worked by
 * hand below, its burn-rate alerts, the dashboard's rule facts and the monthly report.
 */
const EXAMPLE = join(__dirname, '../../../docs/examples/slos.openslo.yaml');
const SUCCESS = 'product.wallet.payout.success';
const FAILED = 'product.wallet.payout.failed';
const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-03-31T12:00:30Z'); // windows end at 12:00:00

describe('an imported calendar-month SLO behaves like a built-in one', () => {
  afterAll(() => useSloCatalogue(SLOS));

  it('obs slo status, burn-rate alerts, the admin dashboard and feature matrix, and the monthly report', async () => {
    activateSloCatalogue({ OBS_SLO_FILE: EXAMPLE });
    const env = await AlertEnv.open();
    try {
      // 28 Feb 22:00–23:00 UTC is still February in Berlin (23:00–24:00 CET): not in March's window.
      await env.insertCountEvents(FAILED, { method: 'bank' }, at('2026-02-28T22:00:00Z'), at('2026-02-28T23:00:00Z'), 50);
      // 28 Feb 23:00–23:10 UTC is 1 March 00:00–00:10 in Berlin: in the window. 100 good payouts.
      await env.insertCountEvents(SUCCESS, { method: 'bank' }, at('2026-02-28T23:00:00Z'), at('2026-02-28T23:10:00Z'), 10);
      // 10 March, 100 minutes: 99,800 good, 200 failed.
      await env.insertCountEvents(SUCCESS, { method: 'bank' }, at('2026-03-10T10:00:00Z'), at('2026-03-10T11:40:00Z'), 998);
      await env.insertCountEvents(FAILED, { method: 'bank' }, at('2026-03-10T10:00:00Z'), at('2026-03-10T11:40:00Z'), 2);
      // The last hour: 23 good and 2 failed a minute (1,500 payouts, 120 failed: 8%, a 16× burn of a 0.5% budget).
      await env.insertCountEvents(SUCCESS, { method: 'card' }, NOW - 60 * MIN - 30_000, NOW - 30_000, 23);
      await env.insertCountEvents(FAILED, { method: 'card' }, NOW - 60 * MIN - 30_000, NOW - 30_000, 2);
      await env.aggregate(NOW);

      const app = createLocalApp({ config: env.config, warehouse: env.warehouse, clock: env.clock });
      const io = capture();
      expect(await main(['slo', 'status', '--json', '--at', new Date(NOW).toISOString()], io, app)).toBe(0);
      const status = (JSON.parse(io.stdout) as { statuses: Array<Record<string, any>> }).statuses.find((s) => s.sloId === 'wallet-payout-success')!;
      // By hand: total = 100 + 100,000 + 1,500 = 101,600; bad = 200 + 120 = 320; good = 101,280.
      expect([status.goodEvents, status.totalEvents]).toEqual([101_280, 101_600]);
      expect(status.attainment).toBeCloseTo(101_280 / 101_600, 12); // 0.996850…
      // Budget: allowed = 0.005 × 101,600 = 508 bad events; consumed 320; remaining = 1 − 320/508 = 0.370079.
      expect(status.budget.allowed).toBeCloseTo(508, 9);
      expect(status.budget.consumed).toBe(320);
      expect(status.budget.remaining).toBeCloseTo(0.3700787401574803, 12);
      // Not an availability SLO: no budget minutes.
      expect(status.budget.minutesTotal).toBeNull();
      // Burn: every window from 5m to 3d holds only the last hour's 8% → 0.08 / 0.005 = 16.
      for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) expect(status.burnRates[w]).toBeCloseTo(16, 9);
      // Exhaustion: remaining × the month's hours ÷ burn = 0.370079 × 743 h (March in Berlin) ÷ 16 = 17.19 h.
      expect(status.window).toEqual({ label: 'month_europe_berlin', startMs: at('2026-02-28T23:00:00Z'), lengthDays: 743 / 24, calendar: { timeZone: 'Europe/Berlin' } });
      expect(status.exhaustionHours).toBeCloseTo((0.3700787401574803 * 743) / 16, 9);
      expect(status.status).toBe('at_risk');

      const text = capture();
      expect(await main(['slo', 'status', '--at', new Date(NOW).toISOString()], text, app)).toBe(0);
      expect(text.stdout).toMatch(/wallet-payout-success\s+99\.500%\s+99\.685%\s+101600\s+37\.0%/);
      expect(text.stdout).toContain('wallet-payout-success: calendar month in Europe/Berlin since 2026-02-28T23:00:00.000Z (a 30.958-day month)');

      // Burn-rate alerts: the page (16 > 14.4 over 1h and 5m) and the ticket fire, like a built-in SLO's;
      // so does its budget forecast: at 16× over 6 h and 3 d the budget left lasts ~17 h, before the month ends.
      const report = await env.evaluate(NOW);
      const fired = report.transitions.filter((t) => t.fingerprint.startsWith('slo-wallet-payout-success-')).map((t) => [t.fingerprint, t.to, t.severity]);
      expect(fired).toEqual([
        ['slo-wallet-payout-success-burn-page', 'firing', 'P1'],
        ['slo-wallet-payout-success-burn-ticket', 'firing', 'P3'],
        ['slo-wallet-payout-success-budget-forecast', 'firing', 'P3'],
      ]);
      // The dashboard's recent-alerts table knows the rule's title, module and SLO.
      expect(ruleFacts('slo-wallet-payout-success-burn-page')).toEqual({ title: 'Wallet payout success error budget burn (page)', module: 'wallet', sloId: 'wallet-payout-success' });

      // The admin dashboard's SLO table and the wallet module's readiness (feature matrix) show it, from slo_status.
      const board = await loadDashboard({ warehouse: env.warehouse, probes: [], config: env.config }, NOW);
      const row = board.slos.find((s) => s.id === 'wallet-payout-success');
      expect(row?.attainment).toBeCloseTo(101_280 / 101_600, 12);
      expect(board.modules.wallet!.slos.find((s) => s.id === 'wallet-payout-success')).toMatchObject({ status: 'at_risk' });

      // The monthly report has it (UTC calendar month, like every SLO's report): March in UTC
      // leaves out all of 28 February: 100,000 + 1,500 payouts, 320 failed.
      const monthly = await buildMonthlyReport(env.warehouse, '2026-03');
      const month = monthly.slos.find((s) => s.sloId === 'wallet-payout-success')!;
      expect(month).toMatchObject({ totalEvents: 101_500, goodEvents: 101_180 });
    } finally {
      await env.close();
    }
  });

  it('the Cloud Functions assembly loads OBS_SLO_FILE with its configuration, and a bad file fails it naming the variable', () => {
    useSloCatalogue(SLOS);
    const app = createProductionApp({ env: { OBS_SLO_FILE: EXAMPLE } });
    app.config();
    expect(activeSlos().map((s) => s.id)).toEqual([...SLOS.map((s) => s.id), 'wallet-payout-success', 'call-setup-latency']);
    const bad = createProductionApp({ env: { OBS_SLO_FILE: join(__dirname, 'no-such-file.yaml') } });
    expect(() => bad.config()).toThrow(/^OBS_SLO_FILE=.*no-such-file\.yaml: cannot be read: ENOENT/);
  });
});
