import type { ChannelId } from '../../../shared/channels';
import { timedOutResult } from '../../notify/deadline';
import { classifyHttpStatus, parseRetryAfterMs, shortBody } from '../../notify/http-status';
import type { NotificationBatch } from '../../notify/notification';
import { describeError } from '../../../shared/describe-error';
import type { NotifierDeps } from '../notifier-definition';
import type { Notifier, SendResult } from '../notifier';
import { slackMessage } from './slack-message';

/**
 * Posts a batch to a Slack incoming webhook (https://api.slack.com/messaging/webhooks).
 * Success is HTTP 200 with the body `ok`; a 200 with anything else is an error Slack will repeat
 * (`invalid_payload`, …). 429 carries Retry-After, which the retry policy honours. Before every
 * post it waits its turn on the shared limiter: at most one message per second per webhook.
 * The webhook URL is the secret: it is never part of a reason, a log line or `target`.
 */
export class SlackNotifier implements Notifier {
  readonly batching = 'grouped' as const;
  readonly target = 'slack incoming webhook';

  constructor(
    readonly channel: ChannelId,
    private readonly webhookUrl: string,
    private readonly deps: NotifierDeps,
  ) {}

  async send(batch: NotificationBatch, signal?: AbortSignal): Promise<SendResult> {
    const body = JSON.stringify(slackMessage(batch, this.deps.links));
    await this.deps.slackLimiter.acquire(this.webhookUrl);
    const deadline = signal ?? AbortSignal.timeout(this.deps.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: deadline,
      });
      text = await response.text();
    } catch (error) {
      if (deadline.aborted) return timedOutResult('Slack webhook');
      return { outcome: 'retryable', reason: `Slack webhook unreachable: ${describeError(error, this.deps.redactor)}` };
    }
    const reason = this.deps.redactor.redact(shortBody(text));
    if (response.status === 200 && text.trim() === 'ok') return { outcome: 'ok', detail: 'HTTP 200 ok' };
    if (response.status >= 200 && response.status < 300) return { outcome: 'permanent', reason: `HTTP ${response.status}: Slack answered "${reason}" instead of "ok"` };
    return classifyHttpStatus(response.status, reason, parseRetryAfterMs(response.headers.get('retry-after'), this.deps.clock.now()));
  }
}
