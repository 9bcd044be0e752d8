import type { ChannelId } from '../../../shared/channels';
import { timedOutResult } from '../../notify/deadline';
import { classifyHttpStatus, parseRetryAfterMs, shortBody } from '../../notify/http-status';
import type { NotificationBatch } from '../../notify/notification';
import { describeError } from '../../../shared/describe-error';
import type { NotifierDeps } from '../notifier-definition';
import type { Notifier, SendResult } from '../notifier';
import { pagerDutyEvent } from './pagerduty-event';

/**
 * Sends Events API v2 events to `PAGERDUTY_EVENTS_URL`. One event per alert (`batching:
 * 'per-alert'`): each alert instance has its own dedup_key. 202 is success; 429 and 5xx are
 * retried; 400 (an invalid event) never is — PagerDuty's own retry table in its OpenAPI
 * description says so. The routing key is the secret: it is only ever in the request body.
 * The request (body read included) is aborted at the attempt's deadline; a timeout is
 * retryable — PagerDuty deduplicates by dedup_key, so an event that did arrive is not doubled.
 */
export class PagerDutyNotifier implements Notifier {
  readonly batching = 'per-alert' as const;
  readonly target: string;

  constructor(
    readonly channel: ChannelId,
    private readonly routingKey: string,
    private readonly eventsUrl: string,
    private readonly deps: NotifierDeps,
  ) {
    this.target = `pagerduty ${deps.redactor.redact(eventsUrl)}`;
  }

  async send(batch: NotificationBatch, signal?: AbortSignal): Promise<SendResult> {
    const deadline = signal ?? AbortSignal.timeout(this.deps.timeoutMs);
    for (const item of batch.items) {
      const result = await this.sendOne(item, deadline);
      if (result.outcome !== 'ok') return result;
    }
    return { outcome: 'ok', detail: 'HTTP 202' };
  }

  private async sendOne(item: NotificationBatch['items'][number], deadline: AbortSignal): Promise<SendResult> {
    const event = pagerDutyEvent(item, this.routingKey, { links: this.deps.links, environment: this.deps.config.environment });
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.eventsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: deadline,
      });
      text = await response.text();
    } catch (error) {
      if (deadline.aborted) return timedOutResult('PagerDuty');
      return { outcome: 'retryable', reason: `PagerDuty unreachable: ${describeError(error, this.deps.redactor)}` };
    }
    const reason = this.deps.redactor.redact(shortBody(text));
    if (response.status === 202) return { outcome: 'ok', detail: 'HTTP 202' };
    return classifyHttpStatus(response.status, reason, parseRetryAfterMs(response.headers.get('retry-after'), this.deps.clock.now()));
  }
}
