import type { ObservabilityConfig } from '../../shared/config';
import type { ChannelId } from '../../shared/channels';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { NotificationBatch } from '../notify/notification';
import type { MinIntervalLimiter } from '../notify/rate-limiter';
import type { Redactor } from '../../shared/redaction';
import type { AlertLinks } from './links';
import type { Notifier } from './notifier';

/** What every notifier may use; built once per runtime (run/runtime.ts). */
export interface NotifierDeps {
  readonly config: ObservabilityConfig;
  readonly links: AlertLinks;
  readonly clock: Clock;
  readonly redactor: Redactor;
  readonly logger: Logger;
  /** Shared by the Slack notifiers: one message per second per webhook, whichever channel posts. */
  readonly slackLimiter: MinIntervalLimiter;
  /** Per-request timeout of the HTTP notifiers and the SMTP connection. */
  readonly timeoutMs: number;
}

/** Why a channel delivers to the outbox: the variables that are not set. */
export interface Unconfigured {
  readonly unconfigured: string;
}

/**
 * One notifier kind, as registered in the table of notifiers (registry.ts). `create` reads the
 * channel's configuration and builds the notifier, or says what is missing; `preview` renders a
 * batch exactly as the channel would receive it minus secrets, which is what the outbox stores
 * for an unconfigured channel.
 */
export interface NotifierDefinition {
  create(channel: ChannelId, deps: NotifierDeps): Notifier | Unconfigured;
  preview(channel: ChannelId, batch: NotificationBatch, deps: Pick<NotifierDeps, 'config' | 'links'>): unknown;
}

export function isUnconfigured(value: Notifier | Unconfigured): value is Unconfigured {
  return 'unconfigured' in value;
}
