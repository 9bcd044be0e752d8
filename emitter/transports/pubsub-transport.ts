import type { ClientConfig, PubSub, Topic } from '@google-cloud/pubsub';
import { describeError, TransportError, type Transport } from './transport';

export interface PubSubTransportOptions {
  topic: string;
  /** Google Cloud project; with an emulator and no project, `local-project`. */
  projectId?: string;
  /** `host:port` of the Pub/Sub emulator. Unset: the client reads PUBSUB_EMULATOR_HOST itself. */
  emulatorHost?: string;
  /** Deadline of one publish RPC, milliseconds. */
  publishTimeoutMs: number;
  /** Cap on gRPC's own reconnect backoff, milliseconds (see below). */
  maxReconnectBackoffMs: number;
}

/**
 * gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) that mean "the
 * message was not accepted, but it may be later". NOT_FOUND is here because an emulator restart or
 * a topic being re-created loses the topic for a while; the retry window still bounds it.
 * Everything else with a code (INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, ...) is
 * permanent: retrying the same bytes with the same credentials cannot succeed.
 */
const RETRYABLE_GRPC_CODES = new Set([
  1, // CANCELLED
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  5, // NOT_FOUND
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);

/** Classifies an error from the Pub/Sub client. Errors without a gRPC code are retryable. */
export function classifyPubSubError(error: unknown): TransportError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const retryable = typeof code !== 'number' || RETRYABLE_GRPC_CODES.has(code);
  return new TransportError(`Pub/Sub publish failed: ${describeError(error)}`, retryable, { cause: error });
}

/**
 * Publishes each message with `@google-cloud/pubsub`, loaded on the first publish so that `none`
 * and `memory` users never load the SDK.
 *
 * The client is configured deliberately, because its defaults fight ours:
 * - `batching.maxMessages: 1`: the emitter already batches events into one message of up to ~1 MB;
 *   the client's own batching would only add its 10 ms timer. Each message is one Publish request,
 *   far below Pub/Sub's 10 MB request limit. (bench/emitter.bench.ts measures the throughput.)
 * - `gaxOpts: { retry: null, timeout }`: the client's default publish retry keeps trying for up to
 *   600 s, which would let a dead endpoint hang `flushMetrics()`. With `retry: null` google-gax
 *   makes one attempt with the given deadline; the emitter retries within its bounded window.
 * - `grpc.max_reconnect_backoff_ms`: gRPC's reconnect backoff grows to 120 s by default, so after a
 *   long outage the channel could stay "down" long after Pub/Sub is back; capping it keeps
 *   recovery within a few seconds.
 */
export function createPubSubTransport(options: PubSubTransportOptions): Transport {
  let client: PubSub | undefined;
  let topic: Topic | undefined;

  const open = (): Topic => {
    let PubSubClient: typeof PubSub;
    try {
      // require, not import(): this package compiles to CommonJS, where TypeScript keeps import()
      // as a real ESM import, which Jest's module system cannot follow. Loaded here, on the first
      // publish (off the caller's path), so `none` and `memory` users never pay for the SDK.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ PubSub: PubSubClient } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub'));
    } catch (error) {
      throw new TransportError(`could not load @google-cloud/pubsub: ${describeError(error)}`, false, { cause: error });
    }
    const emulator = options.emulatorHost ?? process.env.PUBSUB_EMULATOR_HOST;
    // google-gax passes every `grpc.*` key of the client options to the gRPC channel.
    const config: ClientConfig & { 'grpc.max_reconnect_backoff_ms': number } = {
      projectId: options.projectId ?? (emulator ? 'local-project' : undefined),
      ...(options.emulatorHost ? { apiEndpoint: options.emulatorHost } : {}),
      'grpc.max_reconnect_backoff_ms': options.maxReconnectBackoffMs,
    };
    client = new PubSubClient(config);
    return client.topic(options.topic, {
      batching: { maxMessages: 1 },
      gaxOpts: { retry: null, timeout: options.publishTimeoutMs },
    });
  };

  return {
    name: 'pubsub',
    async publish(data: Buffer): Promise<void> {
      try {
        topic ??= open();
        await topic.publishMessage({ data });
      } catch (error) {
        throw error instanceof TransportError ? error : classifyPubSubError(error);
      }
    },
    async close(): Promise<void> {
      try {
        await client?.close();
      } catch {
        // Closing is best effort: the process is shutting down.
      }
    },
  };
}
