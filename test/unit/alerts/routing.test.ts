import { ruleLabels } from '../../../alerts/model/alert-rule';
import { matchRoutes, routeAlert } from '../../../alerts/routing/route-tree';
import { ROUTES } from '../../../alerts/routing/routes';
import { burnRateRules } from '../../../alerts/rules/burn-rate-rules';
import { thresholdRules } from '../../../alerts/rules/threshold-rules';
import { SLOS } from '../../../shared/slo-catalogue';

const channels = (labels: Record<string, string>) => routeAlert(ROUTES, labels).map((r) => r.channel).sort();

describe('routing table (issue #6) as an Alertmanager-style route tree', () => {
  it.each([
    ['a P0 infrastructure alert → PagerDuty and oncall Slack', { severity: 'P0', module: 'infrastructure' }, ['oncall-slack', 'pagerduty']],
    ['a P0 wallet alert → also finance e-mail', { severity: 'P0', module: 'wallet' }, ['finance-email', 'oncall-slack', 'pagerduty']],
    ['a P1 threshold alert → oncall Slack', { severity: 'P1', module: 'chat', kind: 'threshold' }, ['oncall-slack']],
    ['a P1 page-tier burn alert → oncall Slack and PagerDuty', { severity: 'P1', module: 'wallet', kind: 'slo_burn', burn_tier: 'page' }, ['oncall-slack', 'pagerduty']],
    ['a P2 alert → oncall Slack', { severity: 'P2', module: 'ai' }, ['oncall-slack']],
    ['a P3 alert → ops e-mail', { severity: 'P3', module: 'calls', kind: 'slo_burn', burn_tier: 'ticket' }, ['ops-email']],
    ['a P1 safety alert → oncall Slack and safety Slack', { severity: 'P1', module: 'safety' }, ['oncall-slack', 'safety-slack']],
  ])('%s', (_name, labels, expected) => {
    expect(channels(labels)).toEqual(expected);
  });

  it('every seed rule and every burn rule reaches at least one channel, and the seed rules reach what the issue asks', () => {
    const seed = Object.fromEntries(thresholdRules().map((r) => [r.id, channels(ruleLabels(r))]));
    expect(seed['wallet-spend-failures-critical']).toEqual(['finance-email', 'oncall-slack', 'pagerduty']);
    expect(seed['safety-incidents-high']).toEqual(['oncall-slack', 'safety-slack']);
    for (const rule of burnRateRules(SLOS)) expect(channels(ruleLabels(rule)).length).toBeGreaterThan(0);
  });

  it('inherits the repeat interval and reports the routes matched, continue included', () => {
    expect(matchRoutes(ROUTES, { severity: 'P1', module: 'safety' }).map((m) => [m.route, m.repeatIntervalSeconds])).toEqual([
      ['root/safety', 3_600],
      ['root/P1', 3_600],
    ]);
    expect(matchRoutes(ROUTES, { severity: 'P0', module: 'wallet' })).toEqual([
      { route: 'root/P0/wallet', receivers: ['pagerduty', 'oncall-slack', 'finance-email'], repeatIntervalSeconds: 1_800 },
    ]);
  });

  it('an alert no route matches lands on the root receiver', () => {
    expect(channels({ severity: 'P9' })).toEqual(['oncall-slack']);
  });
});
