import { formatInstant } from '../../../alerts/notifiers/message-format';
import { createLocalApp } from '../../../app/local';
import { main } from '../../../cli/obs';
import { AlertEnv, MIN, T0 } from './support/alert-env';
import { SmtpStandIn } from './support/smtp-stand-in';
import { event } from '../../unit/aggregator/support';

const DAY = 1_440 * MIN;
const HOUR = 60 * MIN;
const T = T0 + 3 * DAY;
const SUCCESS = 'product.wallet.spend.success';
const FAILED = 'product.wallet.spend.failed';
const RULE = 'slo-wallet-spend-success-budget-forecast';

/**
 * The budget forecast of wallet-spend-success (99.95%, rolling 30 days) end to end: events, the
 * aggregator, every rule, routing and a real SMTP stand-in. Thirty days of spends, one event a
 * minute counting 10 (600 an hour, 432,000 in the window), and 130 failed spends: 119 twenty days
 * ago, 7 two days ago, 4 four hours ago.
 *
 * By hand: allowed 0.05% × 432,130 = 216.1 bad, remaining 1 − 130/216.1 = 39.8%. Traffic now
 * 43,211 in 3 d = 600.2 an hour; one 1× hour allows 0.3001 bad, so 130 bad spent 433.2 of the 720
 * 1× hours: 286.8 left. Burns: 3 d (11/43,211)/0.0005 = 0.509×, 6 h (4/3,604)/0.0005 = 2.22×: both
 * exhaust before the window ends, the later at 286.8/0.509 = 563 h (23.5 days): 2026-12-22. No burn
 * alert fires: the ticket tier's slowest pair needs 1× over 3 d, the 1d/2h pair 3× (1 d: 0.56×).
 */
describe('budget forecast for wallet-spend-success, from events to an ops e-mail', () => {
  let env: AlertEnv;
  let smtp: SmtpStandIn;

  beforeAll(async () => {
    smtp = await new SmtpStandIn().start();
    env = await AlertEnv.open({ SMTP_URL: smtp.url(), OPS_EMAIL: 'ops@avalo.test', FINANCE_EMAIL: 'finance@avalo.test' });
    const spends = [];
    for (let t = T - 30 * DAY; t < T; t += MIN) spends.push(event(SUCCESS, 'count', 10, t + 1_000, { feature: 'chat' }));
    const failed = (count: number, at: number) => event(FAILED, 'count', count, at, { feature: 'chat', reason: 'timeout' });
    await env.warehouse.insertEvents([...spends, failed(119, T - 20 * DAY), failed(7, T - 2 * DAY), failed(4, T - 4 * HOUR)]);
    await env.aggregate(T);
  }, 120_000);
  afterAll(async () => {
    await env.close();
    await smtp.close();
  });

  // The hand computation above, as a formula of the counts.
  const burn3d = 11 / 43_211 / 0.0005;
  const leftHours = 720 - 130 / (0.0005 * (43_211 / 72));
  const expectedMs = T + (leftHours / burn3d) * HOUR;

  it('fires alone, P3, with the projected exhaustion date as its value and the window end as its threshold', async () => {
    const report = await env.evaluate(T);
    expect(report.transitions.map((t) => [t.fingerprint, t.to, t.severity])).toEqual([[RULE, 'firing', 'P3']]);
    const value = report.transitions[0]!.value!;
    expect(Math.abs(value - expectedMs)).toBeLessThan(60_000);
    expect(new Date(value).toISOString().slice(0, 10)).toBe('2026-12-22');
    expect(report.transitions[0]!.threshold).toBe(T + 30 * DAY);
  });

  it('is routed like the ticket-tier burn alerts: one e-mail to ops, saying when the budget runs out', () => {
    expect(smtp.messages.map((m) => [m.to && 'text' in m.to ? m.to.text : '', m.subject])).toEqual([
      ['ops@avalo.test', `[FIRING:1] [P3] Wallet spend success error budget forecast (wallet): ${formatInstant(expectedMs)} < ${formatInstant(T + 30 * DAY)}`],
    ]);
    expect(formatInstant(expectedMs)).toMatch(/^2026-12-22 \d\d:\d\dZ$/);
    expect(smtp.messages[0]!.text).toContain('runs out of error budget before its rolling 30-day window ends');
  });

  it('keeps the numbers in the alert detail, and obs alerts list shows the date', async () => {
    const [instance] = (await env.runtime().store.loadInstances()).filter((i) => i.fingerprint === RULE);
    expect(instance!.detail).toMatchObject({ slo: 'wallet-spend-success', lowTraffic: false, budgetRemaining: expect.closeTo(1 - 130 / (0.0005 * 432_130), 9) });
    const out: string[] = [];
    const app = createLocalApp({ config: env.config, warehouse: env.warehouse, clock: env.clock, logger: env.logger });
    expect(await main(['alerts', 'list'], { out: (t) => out.push(t), err: () => undefined }, app)).toBe(0);
    expect(out.join('\n')).toContain(formatInstant(expectedMs));
    expect(out.join('\n')).toContain(RULE);
  });
});
