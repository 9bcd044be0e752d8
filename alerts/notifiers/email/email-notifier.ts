import { createTransport, type Transporter } from 'nodemailer';
import type { ChannelId } from '../../../shared/channels';
import type { NotificationBatch } from '../../notify/notification';
import { timedOutResult } from '../../notify/deadline';
import { describeError } from '../../../shared/describe-error';
import type { NotifierDeps } from '../notifier-definition';
import type { Notifier, SendResult } from '../notifier';
import { emailMessage } from './email-message';

/** Connection-level failures worth retrying (nodemailer's error codes). */
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL']);

/**
 * SMTP reply codes (RFC 5321 §4.2.1): 4yz is a transient failure, worth retrying; 5yz is
 * permanent. Without a reply, a connection problem is retryable; anything else (bad
 * configuration, rejected authentication) is permanent.
 */
export function classifySmtpError(error: unknown, reason: string): SendResult {
  const e = error as { responseCode?: unknown; code?: unknown };
  if (typeof e.responseCode === 'number') {
    return e.responseCode >= 400 && e.responseCode < 500 ? { outcome: 'retryable', reason: `SMTP ${e.responseCode}: ${reason}` } : { outcome: 'permanent', reason: `SMTP ${e.responseCode}: ${reason}` };
  }
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return { outcome: 'retryable', reason };
  return { outcome: 'permanent', reason };
}

/**
 * Sends one e-mail per batch over `SMTP_URL` with nodemailer, plain text and HTML. The SMTP URL
 * (with its password) is the secret: errors are described through the redactor. The whole send
 * (connect, greeting, envelope, data) is bounded by the attempt's deadline, not only each step
 * by the socket timeouts: a server that answers slowly at every step still cannot hold a run.
 */
export class EmailNotifier implements Notifier {
  readonly batching = 'grouped' as const;
  readonly target: string;
  private readonly transport: Transporter;

  constructor(
    readonly channel: ChannelId,
    smtpUrl: string,
    private readonly to: readonly string[],
    private readonly from: string,
    private readonly deps: NotifierDeps,
  ) {
    this.transport = createTransport({
      url: smtpUrl,
      connectionTimeout: deps.timeoutMs,
      greetingTimeout: deps.timeoutMs,
      socketTimeout: deps.timeoutMs,
    });
    this.target = `e-mail to ${to.join(', ')}`;
  }

  async send(batch: NotificationBatch, signal?: AbortSignal): Promise<SendResult> {
    const message = emailMessage(batch, this.deps.links);
    const deadline = signal ?? AbortSignal.timeout(this.deps.timeoutMs);
    // nodemailer ≥ 10 takes `signal` (its README: aborting closes the SMTP connection of this
    // message); @types/nodemailer 8 does not declare it yet.
    const options = { from: this.from, to: [...this.to], ...message, signal: deadline } as Parameters<Transporter['sendMail']>[0];
    try {
      const info = (await this.transport.sendMail(options)) as { response?: string };
      return { outcome: 'ok', detail: this.deps.redactor.redact(String(info.response ?? 'accepted')) };
    } catch (error) {
      if (deadline.aborted) return timedOutResult('SMTP server');
      return classifySmtpError(error, `e-mail not sent: ${describeError(error, this.deps.redactor)}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
