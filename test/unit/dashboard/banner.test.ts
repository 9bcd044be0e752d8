import { computeBanner, describeAlert } from '../../../dashboard/banner';
import type { ActiveAlert, LiveSignals, SloSnapshot } from '../../../health/live-signals';
import type { ComponentHealth } from '../../../health/probes';

const NOW = Date.UTC(2026, 10, 26, 12);
const alert = (severity: ActiveAlert['severity'], state: ActiveAlert['state'] = 'firing'): ActiveAlert => ({ fingerprint: severity, ruleId: `rule-${severity}`, module: 'wallet', severity, state, sinceMs: NOW, summary: '', runbook: '' });
const slo = (patch: Partial<SloSnapshot>): SloSnapshot => ({ sloId: 'wallet-spend-success', status: 'ok', attainment: 1, objective: 0.9995, budgetRemaining: 1, budgetMinutesRemaining: null, exhaustionHours: null, burnRates: {}, computedMs: NOW, ...patch });
const signals = (patch: Partial<LiveSignals> = {}): LiveSignals => ({ nowMs: NOW, slos: [], alerts: [], moduleLastMetricMs: {}, alertsKnown: true, ...patch });
const component = (status: ComponentHealth['status']): ComponentHealth => ({ name: 'ingest_lag', status, latencyMs: 1, lastChecked: NOW, detail: 'last event stored 20 min ago' });

describe('the status banner', () => {
  const cases: Array<[string, LiveSignals, ComponentHealth[], 'GREEN' | 'YELLOW' | 'RED']> = [
    ['nothing wrong', signals(), [component('ok'), component('skipped')], 'GREEN'],
    ['a P0 firing', signals({ alerts: [alert('P0')] }), [], 'RED'],
    ['a P0 only pending', signals({ alerts: [alert('P0', 'pending')] }), [], 'GREEN'],
    ['an exhausted error budget', signals({ slos: [slo({ status: 'exhausted', budgetRemaining: -0.2 })] }), [], 'RED'],
    ['a P1 firing', signals({ alerts: [alert('P1')] }), [], 'YELLOW'],
    ['a P2 firing', signals({ alerts: [alert('P2')] }), [], 'YELLOW'],
    ['only a P3 firing', signals({ alerts: [alert('P3')] }), [], 'GREEN'],
    ['a page-tier burn over 1h', signals({ slos: [slo({ burnRates: { '1h': 14.4 } })] }), [], 'YELLOW'],
    ['a page-tier burn over 6h', signals({ slos: [slo({ burnRates: { '6h': 6.5 } })] }), [], 'YELLOW'],
    ['a burn just under page tier', signals({ slos: [slo({ burnRates: { '1h': 14.3, '6h': 5.9 } })] }), [], 'GREEN'],
    ['stale ingest', signals(), [component('degraded')], 'YELLOW'],
    ['alert state unreadable', signals({ alertsKnown: false }), [], 'YELLOW'],
  ];
  it.each(cases)('is correct for %s', (_label, s, infra, colour) => {
    const banner = computeBanner(s, infra);
    expect(banner.colour).toBe(colour);
    expect(banner.reasons.length > 0).toBe(colour !== 'GREEN');
  });

  it('lists the RED reasons first, then the YELLOW ones', () => {
    const banner = computeBanner(signals({ alerts: [alert('P2'), alert('P0')] }), [component('error')]);
    expect(banner.reasons).toEqual(['P0 firing: rule-P0 (wallet)', 'P2 firing: rule-P2 (wallet)', 'ingest_lag error: last event stored 20 min ago']);
  });

  it('names a firing alert by its rule title and the value that keeps it firing, not its id', () => {
    const p0: ActiveAlert = { ...alert('P0'), ruleId: 'wallet-spend-failures-critical', name: 'Wallet spend failures', value: 14, threshold: 10, comparator: '>', unit: 'events' };
    expect(computeBanner(signals({ alerts: [p0] }), []).reasons).toEqual(['P0 firing: Wallet spend failures (wallet): 14 > 10 events']);
  });

  it.each([
    ['no data', { value: null, threshold: 10, comparator: '>' }, 'Wallet spend failures (wallet): no data'],
    ['a fraction, rounded', { value: 0.1 + 0.2, threshold: 0.25, comparator: '>=', unit: '' }, 'Wallet spend failures (wallet): 0.3 >= 0.25'],
    ['no value known', {}, 'Wallet spend failures (wallet)'],
  ])('describes an alert with %s', (_label, patch, text) => {
    expect(describeAlert({ ...alert('P1'), name: 'Wallet spend failures', ...patch })).toBe(text);
  });
});
