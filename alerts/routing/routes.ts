import { eq } from '../model/matchers';
import type { RouteNode } from './route-tree';

const MINUTE = 60;
const HOUR = 3_600;

/**
 * The routing table (issue #6), as data in the shape of an Alertmanager route tree:
 *
 * | alert                                  | channels                                   | reminder every |
 * |----------------------------------------|--------------------------------------------|----------------|
 * | P0                                     | PagerDuty, oncall Slack                    | 30 min         |
 * | P0 of the wallet module                | PagerDuty, oncall Slack, finance e-mail    | 30 min         |
 * | P1 page-tier SLO burn                  | oncall Slack, PagerDuty                    | 1 h            |
 * | P1                                     | oncall Slack                               | 1 h            |
 * | P2                                     | oncall Slack                               | 4 h            |
 * | P3                                     | ops e-mail                                 | 24 h           |
 * | any alert of the safety module (also)  | safety Slack                               | 1 h            |
 *
 * The catalogue's per-rule `channels` (shared/alert-rules.ts) record the seed's intent; this table
 * decides delivery. The safety route has `continue: true`, so a safety alert also goes down the
 * severity routes.
 */
export const ROUTES: RouteNode = {
  name: 'root',
  receivers: ['oncall-slack'],
  repeatIntervalSeconds: 4 * HOUR,
  routes: [
    { name: 'safety', matchers: [eq('module', 'safety')], receivers: ['safety-slack'], repeatIntervalSeconds: HOUR, continue: true },
    {
      name: 'P0',
      matchers: [eq('severity', 'P0')],
      receivers: ['pagerduty', 'oncall-slack'],
      repeatIntervalSeconds: 30 * MINUTE,
      routes: [{ name: 'wallet', matchers: [eq('module', 'wallet')], receivers: ['pagerduty', 'oncall-slack', 'finance-email'] }],
    },
    {
      name: 'P1',
      matchers: [eq('severity', 'P1')],
      receivers: ['oncall-slack'],
      repeatIntervalSeconds: HOUR,
      routes: [{ name: 'page-burn', matchers: [eq('kind', 'slo_burn'), eq('burn_tier', 'page')], receivers: ['oncall-slack', 'pagerduty'] }],
    },
    { name: 'P2', matchers: [eq('severity', 'P2')], receivers: ['oncall-slack'], repeatIntervalSeconds: 4 * HOUR },
    { name: 'P3', matchers: [eq('severity', 'P3')], receivers: ['ops-email'], repeatIntervalSeconds: 24 * HOUR },
  ],
};
