import { CHANNELS, CHANNEL_IDS, type ChannelId, type ChannelKind } from '../../shared/channels';
import { emailDefinition } from './email';
import type { NotifierDefinition, NotifierDeps } from './notifier-definition';
import { isUnconfigured } from './notifier-definition';
import type { Notifier } from './notifier';
import { OutboxNotifier } from './outbox/outbox-notifier';
import { pagerDutyDefinition } from './pagerduty';
import { slackDefinition } from './slack';

/** The table of notifiers: one entry per channel kind (shared/channels.ts). */
export const NOTIFIERS: Readonly<Record<ChannelKind, NotifierDefinition>> = {
  slack: slackDefinition,
  pagerduty: pagerDutyDefinition,
  email: emailDefinition,
};

/**
 * Builds the notifier of every channel: the real one when its variables are set, otherwise the
 * outbox with the channel's own rendering of the message.
 */
export function buildNotifiers(deps: NotifierDeps, outboxPath: string): Map<ChannelId, Notifier> {
  const out = new Map<ChannelId, Notifier>();
  for (const channel of CHANNEL_IDS) {
    const definition = NOTIFIERS[CHANNELS[channel].kind];
    const created = definition.create(channel, deps);
    out.set(
      channel,
      isUnconfigured(created)
        ? new OutboxNotifier(channel, outboxPath, created.unconfigured, (batch) => definition.preview(channel, batch, deps), deps.clock, deps.redactor)
        : created,
    );
  }
  return out;
}
