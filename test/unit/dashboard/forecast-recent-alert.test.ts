import { ruleFacts, toRecentAlert } from '../../../dashboard/recent-alerts';
import { formatAlertValue } from '../../../dashboard/banner';

const NOW = Date.UTC(2026, 10, 26, 12);
const PROJECTED = Date.UTC(2026, 11, 12, 4);

describe('the dashboard knows budget-forecast rules (issue #16)', () => {
  it('gives a forecast its title, module and SLO, and shows its value as the projected date', () => {
    expect(ruleFacts('slo-wallet-spend-success-budget-forecast')).toEqual({ title: 'Wallet spend success error budget forecast', module: 'wallet', sloId: 'wallet-spend-success', valueIsInstant: true });
    const recent = toRecentAlert({ fingerprint: 'f', rule_id: 'slo-wallet-spend-success-budget-forecast', severity: 'P3', fired_ms: NOW - 60_000, resolved_ms: null, value: PROJECTED, fired_by: 'scheduled' }, NOW);
    expect(recent).toMatchObject({ title: 'Wallet spend success error budget forecast', sloId: 'wallet-spend-success', value: PROJECTED, valueText: '2026-12-12 04:00Z' });
  });

  it('a burn rule keeps its number, without a date', () => {
    const recent = toRecentAlert({ fingerprint: 'g', rule_id: 'slo-wallet-spend-success-burn-page', severity: 'P1', fired_ms: NOW - 60_000, resolved_ms: null, value: 20, fired_by: 'scheduled' }, NOW);
    expect(recent.valueText).toBeUndefined();
    expect(recent.value).toBe(20);
  });

  it('the banner reads an active forecast as dates', () => {
    expect(formatAlertValue({ value: PROJECTED, threshold: Date.UTC(2026, 11, 26, 12), comparator: '<', unit: 'at' })).toBe('2026-12-12 04:00Z < 2026-12-26 12:00Z');
  });
});
