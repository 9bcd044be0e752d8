import type { ChannelId } from '../../../shared/channels';
import { classifyHttpStatus, parseRetryAfterMs, shortBody } from '../../notify/http-status';
import type { NotificationBatch } from '../../notify/notification';
import { describeError } from '../../notify/redaction';
import type { NotifierDeps } from '../notifier-definition';
import type { Notifier, SendResult } from '../notifier';
import { pagerDutyEvent } from './pagerduty-event';

/**
 * Sends Events API v2 events to `PAGERDUTY_EVENTS_URL`. One event per alert (`batching:
 * 'per-alert'`): each alert instance has its own dedup_key. 202 is success; 429 and 5xx are
 * retried; 400 (an invalid event) never is — PagerDuty's own retry table in its OpenAPI
 * description says so. The routing key is the secret: it is only ever in the request body.
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

  async send(batch: NotificationBatch): Promise<SendResult> {
    for (const item of batch.items) {
      const result = await this.sendOne(item);
      if (result.outcome !== 'ok') return result;
    }
    return { outcome: 'ok', detail: 'HTTP 202' };
  }

  private async sendOne(item: NotificationBatch['items'][number]): Promise<SendResult> {
    const event = pagerDutyEvent(item, this.routingKey, { links: this.deps.links, environment: this.deps.config.environment });
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.eventsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { outcome: 'retryable', reason: `PagerDuty unreachable: ${describeError(error, this.deps.redactor)}` };
    }
    const reason = this.deps.redactor.redact(shortBody(text));
    if (response.status === 202) return { outcome: 'ok', detail: 'HTTP 202' };
    return classifyHttpStatus(response.status, reason, parseRetryAfterMs(response.headers.get('retry-after'), this.deps.clock.now()));
  }
}
