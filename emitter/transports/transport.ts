/**
 * The transport port: where sealed wire-format v1 messages go. One `publish` call carries one
 * message (one batch of events, at most WIRE_LIMITS.maxMessageBytes bytes of UTF-8 JSON).
 *
 * Contract:
 * - `publish` resolves once the message is durably accepted (Pub/Sub acknowledged it) and rejects
 *   otherwise. It must not retry for long itself: the emitter owns retries, backoff and the retry
 *   window, so a dead endpoint cannot hang `flushMetrics()`. Reject with a {@link TransportError}
 *   whose `retryable` says whether trying again later can help; any other error counts as retryable.
 * - The emitter calls `publish` concurrently (up to maxConcurrentPublishes) and may call it again
 *   with the same bytes after a failure or a timeout, so a message can arrive twice: consumers
 *   deduplicate by event id.
 * - `close` releases connections; it is called once, from `shutdownMetrics()`, and must not throw.
 */
export interface Transport {
  /** A short name: the `transport` tag of `infra.metrics.emitter.published.count`. */
  readonly name: string;
  publish(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** A failed publish, classified once by the transport that understands the error. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** Whether a publish error is worth retrying: only an explicit non-retryable TransportError is not. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof TransportError && !error.retryable);
}

/** A one-line description of an error for stats and logs: the project's one describeError. */
export { describeError } from '../../shared/describe-error';
