import type { ChannelId } from '../../shared/channels';
import type { NotificationBatch } from '../notify/notification';

/**
 * The result of one send (Alertmanager's notifiers return `(retry bool, err)`): `ok`;
 * `retryable` — worth trying again, after `retryAfterMs` when the channel said so; or
 * `permanent` — the channel refused it and will refuse it again (HTTP 400), never retried.
 * `reason` is for people and logs, and never contains a secret. `timedOut` marks a retryable
 * attempt cut off by its deadline: the channel is hanging, so it is left to a later run rather
 * than retried within this one (notify/retry-policy.ts).
 */
export type SendResult =
  | { readonly outcome: 'ok'; readonly detail?: string }
  | { readonly outcome: 'retryable'; readonly reason: string; readonly retryAfterMs?: number; readonly timedOut?: true }
  | { readonly outcome: 'permanent'; readonly reason: string };

/**
 * A notification channel's transport. Contract:
 * - `send` never throws and never retries: it makes one attempt and classifies it. Retries are
 *   the delivery stage's, under the one retry policy (notify/retry-policy.ts).
 * - `send` stops when `signal` aborts (the attempt's deadline: notify/deadline.ts) — the HTTP
 *   request or SMTP connection is torn down, not left running — and then returns `retryable`
 *   with `timedOut: true`. Without a signal it applies its own per-request timeout.
 * - Nothing it returns or logs contains a secret (webhook URL, routing key, SMTP password).
 * - `batching: 'grouped'` sends a batch as one message (Slack, e-mail); `'per-alert'` expects
 *   batches of one notification (PagerDuty: one event per alert, with its own dedup_key).
 */
export interface Notifier {
  readonly channel: ChannelId;
  readonly batching: 'grouped' | 'per-alert';
  /** Where it delivers, safe to print: `slack webhook`, `pagerduty http://127.0.0.1:…/v2/enqueue`, `outbox .data/outbox.jsonl`. */
  readonly target: string;
  send(batch: NotificationBatch, signal?: AbortSignal): Promise<SendResult>;
}
