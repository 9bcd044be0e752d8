import { decodeMessage, type MetricEvent, type MetricsMessage } from '../../shared';
import { TransportError, type Transport } from './transport';

/** Names of the emitter's own metrics, which `events()` leaves out unless asked. */
const SELF_METRIC_PREFIX = 'infra.metrics.emitter.';

/**
 * An in-process transport for tests of pack code: every message the emitter would publish is
 * decoded with the same v1 validator ingest uses and kept in memory.
 *
 * ```ts
 * const memory = createMemoryTransport();
 * configureMetrics({ transport: memory, service: 'wallet' });
 * await spend();
 * await flushMetrics();
 * expect(memory.events().map((e) => e.name)).toContain('product.wallet.spend.success');
 * ```
 */
export interface MemoryTransport extends Transport {
  /** Every message published so far, as decoded JSON, in publish order. */
  readonly messages: readonly MetricsMessage[];
  /** The raw bytes of every message published so far. */
  readonly rawMessages: readonly Buffer[];
  /** Every event published so far, flattened; the emitter's own metrics only when asked. */
  events(options?: { includeSelfMetrics?: boolean }): MetricEvent[];
  /** Forgets everything published so far. */
  clear(): void;
  /**
   * Simulates an outage: while set, `publish` rejects with this error (wrap it in a
   * TransportError to choose retryable or not). `undefined` ends the outage.
   */
  failWith(error: Error | undefined): void;
  /** Makes `publish` never settle while true, like a black-holed network; false releases nothing. */
  hang(on: boolean): void;
  /** The number of publish calls, successful or not. */
  readonly attempts: number;
  readonly closed: boolean;
}

export function createMemoryTransport(): MemoryTransport {
  const messages: MetricsMessage[] = [];
  const rawMessages: Buffer[] = [];
  let failure: Error | undefined;
  let hanging = false;
  let attempts = 0;
  let closed = false;
  return {
    name: 'memory',
    messages,
    rawMessages,
    get attempts() {
      return attempts;
    },
    get closed() {
      return closed;
    },
    publish(data: Buffer): Promise<void> {
      attempts++;
      if (hanging) return new Promise<void>(() => undefined);
      if (failure) return Promise.reject(failure);
      const decoded = decodeMessage(data);
      if (decoded.messageReasons.length > 0 || decoded.rejected.length > 0) {
        // The emitter validated every event: a rejection here is an emitter bug, made loud.
        const reasons = [...decoded.messageReasons, ...decoded.rejected.flatMap((r) => r.reasons)];
        return Promise.reject(new TransportError(`memory transport: invalid v1 message: ${reasons.map((r) => r.message).join('; ')}`, false));
      }
      messages.push(JSON.parse(data.toString('utf8')) as MetricsMessage);
      rawMessages.push(data);
      return Promise.resolve();
    },
    events(options = {}) {
      const all = messages.flatMap((m) => m.events);
      return options.includeSelfMetrics ? all : all.filter((e) => !e.name.startsWith(SELF_METRIC_PREFIX));
    },
    clear() {
      messages.length = 0;
      rawMessages.length = 0;
    },
    failWith(error) {
      failure = error;
    },
    hang(on) {
      hanging = on;
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
