import { Duration, type Message, type PubSub, type Subscription } from '@google-cloud/pubsub';
import type { IngestHandler } from './ingest-handler';
import type { IngestMessage, IngestSummary } from './ingest-message';
import { addSummary, emptySummary } from './ingest-message';
import { consoleIngestLog, type IngestLog } from './ingest-log';
import { MessageBatcher } from './message-batcher';
import { RedeliveryTracker } from './redelivery-tracker';

/**
 * The local stack's ingest: a streaming pull on a Pub/Sub subscription (the emulator, or real
 * Pub/Sub) running the same handler as the Firebase function.
 *
 * - Messages are gathered into batches (count, bytes, wait: {@link MessageBatcher}) so one
 *   warehouse write serves many messages; up to `maxInFlightBatches` are written concurrently (the
 *   next batch is decoded while DuckDB stores the previous one).
 * - A message is acked only after its rows are in the warehouse. If the process dies before the
 *   ack reaches Pub/Sub, the message comes again and the warehouse skips its events (dedup by
 *   event id): at-least-once delivery, exactly-once storage.
 * - A message the handler could not store is nacked after a backoff (so an unavailable warehouse
 *   is not hammered), and counted; past the handler's attempt bound it is dead-lettered and acked.
 * - Flow control bounds the messages held in memory.
 */
export interface IngestSubscriberOptions {
  readonly pubsub: PubSub;
  readonly topic: string;
  readonly subscription: string;
  readonly handler: IngestHandler;
  readonly maxBatchMessages?: number;
  readonly maxBatchBytes?: number;
  readonly maxBatchWaitMs?: number;
  readonly maxInFlightBatches?: number;
  /** First nack delay after a failed write; doubles per attempt up to 60 s. */
  readonly retryDelayMs?: number;
  /** Called after each batch (tests and the local stack's status line). */
  readonly onBatch?: (summary: IngestSummary, retried: number) => void;
  readonly log?: IngestLog;
}

export interface IngestSubscriberStats extends IngestSummary {
  batches: number;
  /** Deliveries handed back to Pub/Sub for a retry. */
  nacked: number;
}

export interface RunningIngestSubscriber {
  stats(): IngestSubscriberStats;
  /** Stops pulling, finishes the batches in hand (acking them), nacks the rest, closes the stream. */
  close(): Promise<void>;
}

/**
 * Batch defaults, measured with bench/ingest.bench.ts (emitter-sized messages of 1,000 events):
 * ~50 messages per write was the best of 10…100 — smaller batches pay per-write overhead, larger
 * ones hold the event loop while a whole batch decodes. Two writes in flight: one stores while the
 * next decodes.
 */
const DEFAULTS = { maxBatchMessages: 50, maxBatchBytes: 16_000_000, maxBatchWaitMs: 20, maxInFlightBatches: 2, retryDelayMs: 1_000 };
const MAX_RETRY_DELAY_MS = 60_000;

/** Creates the topic and subscription when missing (ALREADY_EXISTS from a concurrent creator is fine). */
export async function ensureSubscription(pubsub: PubSub, topicName: string, subscriptionName: string): Promise<Subscription> {
  const topic = pubsub.topic(topicName);
  const [topicExists] = await topic.exists();
  if (!topicExists) await ignoreAlreadyExists(topic.create());
  const subscription = topic.subscription(subscriptionName);
  const [subscriptionExists] = await subscription.exists();
  if (!subscriptionExists) await ignoreAlreadyExists(topic.createSubscription(subscriptionName, { ackDeadlineSeconds: 10 }));
  return subscription;
}

async function ignoreAlreadyExists(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if ((error as { code?: number }).code !== 6) throw error; // gRPC ALREADY_EXISTS
  }
}

export async function startIngestSubscriber(options: IngestSubscriberOptions): Promise<RunningIngestSubscriber> {
  const settings = { ...DEFAULTS, ...stripUndefined(options) };
  const log = options.log ?? consoleIngestLog;
  await ensureSubscription(options.pubsub, options.topic, options.subscription);
  const subscription = options.pubsub.subscription(options.subscription, {
    flowControl: { maxMessages: settings.maxBatchMessages * (settings.maxInFlightBatches + 1), maxBytes: settings.maxBatchBytes * (settings.maxInFlightBatches + 1), allowExcessMessages: false },
    // Our writes take well under a second: keep leases short, so that after a crash the messages
    // the dead process held come back in seconds rather than minutes.
    minAckDeadline: Duration.from({ seconds: 10 }),
    maxAckDeadline: Duration.from({ seconds: 10 }),
    streamingOptions: { maxStreams: 2 },
  });
  const stats: IngestSubscriberStats = { ...emptySummary(), batches: 0, nacked: 0 };
  const redeliveries = new RedeliveryTracker();
  const nackTimers = new Map<NodeJS.Timeout, Message>();

  const nackLater = (message: Message, attempt: number) => {
    const delay = Math.min(settings.retryDelayMs * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
    const timer = setTimeout(() => {
      nackTimers.delete(timer);
      message.nack();
    }, delay);
    nackTimers.set(timer, message);
    stats.nacked++;
  };

  const writeBatch = async (batch: readonly Message[]): Promise<void> => {
    const attempts = new Map<string, number>();
    const messages: IngestMessage[] = batch.map((m) => {
      const attempt = Math.max(m.deliveryAttempt || 0, redeliveries.delivered(m.id));
      attempts.set(m.id, attempt);
      return { id: m.id, data: m.data, attributes: m.attributes, deliveryAttempt: attempt, publishTimeMs: m.publishTime.getTime() };
    });
    let retry: ReadonlySet<string>;
    try {
      const outcome = await options.handler.handleBatch(messages);
      addSummary(stats, outcome);
      retry = new Set(outcome.retry.map((m) => m.id));
      options.onBatch?.(outcome, retry.size);
    } catch (error) {
      // handleBatch does not throw for warehouse failures; this is a bug: retry everything, loudly.
      log('error', 'ingest subscriber: the handler threw; the batch will be redelivered', { error: error instanceof Error ? error.message : String(error) });
      retry = new Set(batch.map((m) => m.id));
    }
    stats.batches++;
    for (const m of batch) {
      if (retry.has(m.id)) nackLater(m, attempts.get(m.id) ?? 1);
      else {
        m.ack();
        redeliveries.forget(m.id);
      }
    }
  };

  const batcher = new MessageBatcher<Message>({
    maxMessages: settings.maxBatchMessages,
    maxBytes: settings.maxBatchBytes,
    maxWaitMs: settings.maxBatchWaitMs,
    maxInFlight: settings.maxInFlightBatches,
    sizeOf: (m) => m.length,
    write: writeBatch,
  });
  const onMessage = (message: Message) => batcher.add(message);
  const onError = (error: Error) => log('error', 'ingest subscriber: streaming pull error (the client reconnects by itself when it can)', { error: error.message });
  subscription.on('message', onMessage);
  subscription.on('error', onError);

  return {
    stats: () => ({ ...stats }),
    async close() {
      subscription.removeListener('message', onMessage);
      await batcher.drain();
      for (const [timer, message] of nackTimers) {
        clearTimeout(timer);
        message.nack();
      }
      nackTimers.clear();
      await subscription.close();
      subscription.removeListener('error', onError);
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
