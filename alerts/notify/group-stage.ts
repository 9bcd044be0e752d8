import type { Notifier } from '../notifiers/notifier';
import type { NotificationBatch, NotificationRecord } from './notification';

/**
 * The grouping stage: the claimed notifications of one channel become the messages to send.
 * A grouping notifier (Slack, e-mail, outbox) gets one batch — alerts that fire together for a
 * channel go in one message; a per-alert notifier (PagerDuty) one batch per notification, so each
 * alert instance keeps its own dedup_key and its own delivery outcome.
 */
export function groupBatches(notifier: Pick<Notifier, 'channel' | 'batching'>, claimed: readonly NotificationRecord[]): NotificationBatch[] {
  if (claimed.length === 0) return [];
  if (notifier.batching === 'per-alert') return claimed.map((item) => ({ channel: notifier.channel, items: [item] }));
  return [{ channel: notifier.channel, items: [...claimed] }];
}
