/**
 * Notification channels by name. Each is configured by one environment variable; an unconfigured
 * channel delivers to the local outbox instead (see alerts/).
 */
export const CHANNELS = {
  'oncall-slack': { kind: 'slack', env: 'SLACK_ONCALL_WEBHOOK', description: 'Primary on-call Slack channel.' },
  'safety-slack': { kind: 'slack', env: 'SLACK_SAFETY_WEBHOOK', description: 'Safety team Slack channel.' },
  pagerduty: { kind: 'pagerduty', env: 'PAGERDUTY_INTEGRATION_KEY', description: 'PagerDuty Events API v2 service.' },
  'ops-email': { kind: 'email', env: 'OPS_EMAIL', description: 'Operations team e-mail.' },
  'finance-email': { kind: 'email', env: 'FINANCE_EMAIL', description: 'Finance team e-mail.' },
} as const;

export type ChannelId = keyof typeof CHANNELS;
export type ChannelKind = (typeof CHANNELS)[ChannelId]['kind'];

export const CHANNEL_IDS = Object.keys(CHANNELS) as ChannelId[];
