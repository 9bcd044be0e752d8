import type { Transition } from '../../../alerts/model/alert-instance';
import { transitionEntry, WarehouseAlertLog } from '../../../alerts/state/alert-log';
import { RECENT_ALERTS_SPAN_MS, loadRecentAlerts, ruleFacts, toRecentAlert, withFiringPaths } from '../../../dashboard/recent-alerts';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { Row } from '../../../sql/warehouse';
import { RESOLVED_P0, seedResolvedP0 } from '../../support/seed-dashboard';

const NOW = Date.UTC(2026, 10, 26, 12);
const MINUTE = 60_000;

const transition = (id: string, fingerprint: string, ruleId: string, severity: string, atMs: number, to: string, value: number): Row => ({
  log_id: id, logged_at: atMs, entry_type: 'transition', fingerprint, rule_id: ruleId, severity,
  from_state: null, to_state: to, channel: null, delivery_status: null, detail: JSON.stringify({ value, threshold: 10 }),
});

describe('recent alerts (alert_log, last 24 hours)', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    await seedResolvedP0(wh, NOW);
    await wh.upsert('alert_log', [
      // Still firing: fired 20 minutes ago.
      transition('a1', 'latency', 'api-latency-medium', 'P2', NOW - 20 * MINUTE, 'firing', 900),
      // Fired two days ago, resolved inside the span: shown without a firing time.
      transition('b1', 'old', 'chat-failures-high', 'P1', NOW - 48 * 60 * MINUTE, 'firing', 30),
      transition('b2', 'old', 'chat-failures-high', 'P1', NOW - 23 * 60 * MINUTE, 'resolved', 0),
      // Outside the span entirely.
      transition('c1', 'older', 'payout-failures-high', 'P1', NOW - 30 * 60 * MINUTE, 'firing', 5),
      transition('c2', 'older', 'payout-failures-high', 'P1', NOW - 29 * 60 * MINUTE, 'resolved', 0),
      // A delivery row is not an episode.
      { ...transition('d1', 'latency', 'api-latency-medium', 'P2', NOW - 19 * MINUTE, 'firing', 900), entry_type: 'delivery', to_state: null, channel: 'oncall-slack', delivery_status: 'delivered' },
    ]);
  });
  afterAll(() => wh.close());

  it('lists a resolved P0 with its title, fired and resolved times and duration, newest first', async () => {
    const alerts = await loadRecentAlerts(wh, NOW);
    expect(alerts.map((a) => [a.ruleId, a.state])).toEqual([
      ['api-latency-medium', 'firing'],
      ['wallet-spend-failures-critical', 'resolved'],
      ['chat-failures-high', 'resolved'],
    ]);
    expect(alerts[1]).toEqual({
      fingerprint: 'seed-wallet-p0', ruleId: RESOLVED_P0.ruleId, title: RESOLVED_P0.title, module: 'wallet', sloId: null, severity: 'P0', state: 'resolved',
      firedAtMs: NOW - RESOLVED_P0.firedAgoMs, resolvedAtMs: NOW - RESOLVED_P0.firedAgoMs + RESOLVED_P0.durationMs, durationMs: RESOLVED_P0.durationMs, value: RESOLVED_P0.value,
      firedBy: null, // its alert_log rows do not say which path fired it
    });
  });

  it('gives a still-firing alert its duration so far and no resolve time', async () => {
    const [firing] = await loadRecentAlerts(wh, NOW);
    expect(firing).toMatchObject({ state: 'firing', resolvedAtMs: null, durationMs: 20 * MINUTE, value: 900 });
  });

  it('shows a resolve whose firing is older than the span without a firing time or duration', async () => {
    const old = (await loadRecentAlerts(wh, NOW)).find((a) => a.ruleId === 'chat-failures-high');
    expect(old).toMatchObject({ firedAtMs: null, durationMs: null, resolvedAtMs: NOW - 23 * 60 * MINUTE });
    expect(RECENT_ALERTS_SPAN_MS).toBe(24 * 60 * MINUTE);
  });

  it.each([
    ['a threshold rule', 'wallet-spend-failures-critical', { title: 'Wallet spend failures', module: 'wallet', sloId: null }],
    ['a burn-rate rule names its SLO', 'slo-wallet-spend-success-burn-page', { module: 'wallet', sloId: 'wallet-spend-success' }],
    ['a rule no longer in the catalogue keeps its id', 'gone-rule', { title: 'gone-rule', module: 'infrastructure', sloId: null }],
  ])('knows %s', (_label, ruleId, expected) => {
    expect(ruleFacts(ruleId)).toMatchObject(expected);
  });

  it('reads which path fired each episode from the transitions alert_log recorded it in (issue #15)', async () => {
    const log = new WarehouseAlertLog(wh, { redact: (text) => text });
    const t = (fingerprint: string, ruleId: string, atMs: number, from: Transition['from'], to: Transition['to'], firedBy: Transition['firedBy']): Transition => ({
      fingerprint, ruleId, severity: 'P0', from, to, atMs, value: to === 'firing' ? 25 : 0, threshold: 10, ...(firedBy ? { firedBy } : {}),
    });
    await log.append([
      transitionEntry(t('streamed', 'call-failures-critical', NOW - 50 * MINUTE, 'inactive', 'firing', 'streaming'), 'streaming-run-1'),
      transitionEntry(t('streamed', 'call-failures-critical', NOW - 40 * MINUTE, 'firing', 'resolved', 'streaming'), 'run-2'),
      transitionEntry(t('polled', 'function-errors-critical', NOW - 30 * MINUTE, 'inactive', 'firing', 'scheduled'), 'run-3'),
      // Resolved inside the span, fired before it: the resolve's detail says which path fired it.
      transitionEntry(t('long', 'payout-failures-high', NOW - 25 * 60 * MINUTE, 'inactive', 'firing', 'streaming'), 'streaming-run-0'),
      transitionEntry(t('long', 'payout-failures-high', NOW - 60 * MINUTE, 'firing', 'resolved', 'streaming'), 'run-4'),
    ]);
    const byFingerprint = Object.fromEntries((await loadRecentAlerts(wh, NOW)).map((a) => [a.fingerprint, [a.state, a.firedBy]]));
    expect(byFingerprint).toMatchObject({ streamed: ['resolved', 'streaming'], polled: ['firing', 'scheduled'], long: ['resolved', 'streaming'], latency: ['firing', null] });
  });

  it('gives an episode still firing, whose path alert_log did not record, the path of the same episode in the alert state', () => {
    const firing = toRecentAlert({ fingerprint: 'f', rule_id: 'wallet-spend-failures-critical', severity: 'P0', fired_ms: NOW - MINUTE, resolved_ms: null, value: 25, fired_by: null }, NOW);
    const resolved = toRecentAlert({ fingerprint: 'f', rule_id: 'wallet-spend-failures-critical', severity: 'P0', fired_ms: NOW - 60 * MINUTE, resolved_ms: NOW - 50 * MINUTE, value: 25, fired_by: null }, NOW);
    const active = [{ fingerprint: 'f', state: 'firing', sinceMs: NOW - MINUTE, firedBy: 'streaming' as const }];
    expect(withFiringPaths([firing, resolved], active).map((a) => a.firedBy)).toEqual(['streaming', null]);
    // A later episode of the same alert (fired at another instant) is not this one.
    expect(withFiringPaths([firing], [{ ...active[0]!, sinceMs: NOW }]).map((a) => a.firedBy)).toEqual([null]);
    // What alert_log recorded wins.
    expect(withFiringPaths([{ ...firing, firedBy: 'scheduled' }], active).map((a) => a.firedBy)).toEqual(['scheduled']);
  });

  it('treats an unknown severity as P3 rather than failing the page', () => {
    expect(toRecentAlert({ fingerprint: 'f', rule_id: 'x', severity: 'P9', fired_ms: NOW, resolved_ms: null, value: null, fired_by: null }, NOW).severity).toBe('P3');
  });
});
