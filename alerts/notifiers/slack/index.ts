import type { ChannelId } from '../../../shared/channels';
import type { ObservabilityConfig } from '../../../shared/config';
import type { NotifierDefinition } from '../notifier-definition';
import { slackMessage } from './slack-message';
import { SlackNotifier } from './slack-notifier';

/** Which variable holds each Slack channel's webhook (shared/channels.ts). */
function webhookOf(channel: ChannelId, config: ObservabilityConfig): { url: string | undefined; env: string } {
  return channel === 'safety-slack'
    ? { url: config.slackSafetyWebhook, env: 'SLACK_SAFETY_WEBHOOK' }
    : { url: config.slackOncallWebhook, env: 'SLACK_ONCALL_WEBHOOK' };
}

export const slackDefinition: NotifierDefinition = {
  create(channel, deps) {
    const { url, env } = webhookOf(channel, deps.config);
    return url ? new SlackNotifier(channel, url, deps) : { unconfigured: `${env} is not set` };
  },
  preview: (_channel, batch, deps) => slackMessage(batch, deps.links),
};
