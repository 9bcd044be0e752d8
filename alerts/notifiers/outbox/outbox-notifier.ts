import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChannelId } from '../../../shared/channels';
import type { Clock } from '../../../shared/clock';
import type { NotificationBatch } from '../../notify/notification';
import { describeError } from '../../../shared/describe-error';
import type { Redactor } from '../../../shared/redaction';
import type { Notifier, SendResult } from '../notifier';

/** Default outbox file (ARCHITECTURE.md: the local stand-in for every channel). */
export const DEFAULT_OUTBOX_PATH = '.data/outbox.jsonl';

/** One line of the outbox file. */
export interface OutboxEntry {
  readonly at: string;
  readonly channel: ChannelId;
  /** Why this went to the outbox: which variables are not set. */
  readonly reason: string;
  readonly notifications: ReadonlyArray<{ readonly id: string; readonly kind: string; readonly fingerprint: string; readonly severity: string }>;
  /** What the channel would have received, secrets left out. */
  readonly message: unknown;
}

/**
 * The outbox: a channel that is not configured appends what it would have sent to a JSON-lines
 * file instead, so a laptop (and a reviewer) sees every notification. Appending is the only I/O;
 * a failed append (disk full, unwritable path) is retryable.
 */
export class OutboxNotifier implements Notifier {
  readonly batching = 'grouped' as const;
  readonly target: string;

  constructor(
    readonly channel: ChannelId,
    private readonly path: string,
    private readonly reason: string,
    private readonly render: (batch: NotificationBatch) => unknown,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
  ) {
    this.target = `outbox ${path}`;
  }

  async send(batch: NotificationBatch): Promise<SendResult> {
    const entry: OutboxEntry = {
      at: new Date(this.clock.now()).toISOString(),
      channel: this.channel,
      reason: this.reason,
      notifications: batch.items.map((i) => ({ id: i.id, kind: i.kind, fingerprint: i.fingerprint, severity: i.severity })),
      message: this.render(batch),
    };
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, this.redactor.redact(JSON.stringify(entry)) + '\n', 'utf8');
      return { outcome: 'ok', detail: `appended to ${this.path}` };
    } catch (error) {
      return { outcome: 'retryable', reason: `outbox not written: ${describeError(error, this.redactor)}` };
    }
  }
}
