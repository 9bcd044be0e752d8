import type { NotifierDefinition } from '../notifier-definition';
import { pagerDutyEvent } from './pagerduty-event';
import { PagerDutyNotifier } from './pagerduty-notifier';

/** What the outbox stores instead of the routing key. */
const NO_ROUTING_KEY = '(PAGERDUTY_INTEGRATION_KEY not set)';

export const pagerDutyDefinition: NotifierDefinition = {
  create(channel, deps) {
    const key = deps.config.pagerdutyIntegrationKey;
    return key ? new PagerDutyNotifier(channel, key, deps.config.pagerdutyEventsUrl, deps) : { unconfigured: 'PAGERDUTY_INTEGRATION_KEY is not set' };
  },
  preview: (_channel, batch, deps) => batch.items.map((item) => pagerDutyEvent(item, NO_ROUTING_KEY, { links: deps.links, environment: deps.config.environment })),
};
