import type { ChannelId } from '../../shared/channels';
import { FAILING_CHANNEL_LABEL } from '../model/labels';
import { eq, re } from '../model/matchers';
import type { RouteNode } from './route-tree';

const MINUTE = 60;
const HOUR = 3_600;

/** Where an alert about a failing notification channel goes: these, minus the failing one. */
export const OPERATIONS_CHANNELS: readonly ChannelId[] = ['pagerduty', 'oncall-slack', 'ops-email'];

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
 * | a notification channel failing         | PagerDuty, oncall Slack, ops e-mail — never the failing one | 1 h |
 *
 * The catalogue's per-rule `channels` (shared/alert-rules.ts) record the seed's intent; this table
 * decides delivery. The safety route has `continue: true`, so a safety alert also goes down the
 * severity routes.
 *
 * A channel-failure alert (label `failing_channel`, rule `pipeline-channel-failing`) goes to the
 * operations channels other than the one failing: PagerDuty down → oncall Slack and ops e-mail;
 * Slack down → PagerDuty and ops e-mail. Its route lists all three and the route tree drops the
 * failing one (route-tree.ts), so it never waits on, nor loops through, the channel it is about.
 * It comes before the severity routes: as a P1 it would otherwise reach only oncall Slack.
 */
export const ROUTES: RouteNode = {
  name: 'root',
  receivers: ['oncall-slack'],
  repeatIntervalSeconds: 4 * HOUR,
  routes: [
    { name: 'safety', matchers: [eq('module', 'safety')], receivers: ['safety-slack'], repeatIntervalSeconds: HOUR, continue: true },
    { name: 'channel-failure', matchers: [re(FAILING_CHANNEL_LABEL, '.+')], receivers: OPERATIONS_CHANNELS, repeatIntervalSeconds: HOUR },
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
