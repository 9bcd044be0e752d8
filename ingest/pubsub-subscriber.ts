import { Duration, type Message, type PubSub, type Subscription } from '@google-cloud/pubsub';
import type { IngestHandler } from './ingest-handler';
import type { IngestMessage, IngestSummary } from './ingest-message';
import { addSummary, emptySummary } from './ingest-message';
import { consoleIngestLog, type IngestLog } from './ingest-log';
import { MessageBatcher } from './message-batcher';
import { RedeliveryTracker } from './redelivery-tracker';
import { errorWithCauses } from './warehouse-write-outcomes';

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
 * - An emulator restart loses the topic and subscription (it keeps them in memory): the streaming
 *   pull then ends with NOT_FOUND, and a periodic check finds them missing too. The subscriber
 *   re-creates both once Pub/Sub answers, resumes pulling, and reports the gap
 *   ({@link SubscriptionRecovery}); messages the old emulator held undelivered died with it.
 * - Every error is logged with the message id(s) and the cause.
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
  /** How often the subscription is checked to exist (and Pub/Sub to answer); 0 = never. Default 5 s. */
  readonly checkIntervalMs?: number;
  /** Called when the topic or subscription is found missing, before they are re-created. */
  readonly onLost?: (reason: string) => void;
  /** Called once both exist again and pulling has resumed. */
  readonly onRecovered?: (recovery: SubscriptionRecovery) => void;
}

/** What happened between losing the subscription and getting it back. */
export interface SubscriptionRecovery {
  readonly reason: string;
  /** When Pub/Sub was first seen unreachable (before the loss was found), if it was. */
  readonly unreachableSinceMs?: number;
  readonly lostAtMs: number;
  readonly recoveredAtMs: number;
  /** From the first sign of trouble (unreachable, else the loss) to pulling again. */
  readonly downMs: number;
  /** Messages handled by ingest before the loss (including those in hand, written after it). */
  readonly messagesHandledBefore: number;
  /** Messages nacked for a retry when the subscription vanished: their redelivery died with it. */
  readonly nacksDiscarded: number;
}

export interface IngestSubscriberStats extends IngestSummary {
  batches: number;
  /** Deliveries handed back to Pub/Sub for a retry. */
  nacked: number;
  /** Times the topic/subscription were found missing and re-created. */
  recoveries: number;
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
const DEFAULTS = { maxBatchMessages: 50, maxBatchBytes: 16_000_000, maxBatchWaitMs: 20, maxInFlightBatches: 2, retryDelayMs: 1_000, checkIntervalMs: 5_000 };
const MAX_RETRY_DELAY_MS = 60_000;
/** One admin call (exists/create) while checking or recovering: fail fast, the loop retries. */
const ADMIN_CALL_TIMEOUT_MS = 3_000;
const RECOVERY_BACKOFF_MS = { first: 250, max: 5_000 };
/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
/** At most this many ids in one log line; the count says the rest. */
const MAX_LOGGED_IDS = 10;

/**
 * Creates the topic and subscription when missing (ALREADY_EXISTS from a concurrent creator is
 * fine). With `timeoutMs`, each call gets that deadline and no client-side retry.
 */
export async function ensureSubscription(pubsub: PubSub, topicName: string, subscriptionName: string, timeoutMs?: number): Promise<Subscription> {
  const gaxOpts = timeoutMs === undefined ? undefined : { timeout: timeoutMs, retry: null };
  const topic = pubsub.topic(topicName);
  if (!(await exists(topic.getMetadata(gaxOpts)))) await ignoreAlreadyExists(topic.create(gaxOpts));
  const subscription = topic.subscription(subscriptionName);
  if (!(await exists(subscription.getMetadata(gaxOpts)))) {
    await ignoreAlreadyExists(topic.createSubscription(subscriptionName, { ackDeadlineSeconds: 10, ...(gaxOpts ? { gaxOpts } : {}) }));
  }
  return subscription;
}

async function exists(lookup: Promise<unknown>): Promise<boolean> {
  try {
    await lookup;
    return true;
  } catch (error) {
    if (grpcCode(error) === NOT_FOUND) return false;
    throw error;
  }
}

async function ignoreAlreadyExists(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (grpcCode(error) !== ALREADY_EXISTS) throw error;
  }
}

function grpcCode(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function idsField(messages: readonly { id: string }[]): Record<string, unknown> {
  const ids = messages.slice(0, MAX_LOGGED_IDS).map((m) => m.id);
  return messages.length === 1 ? { messageId: ids[0] } : { messageIds: ids, messages: messages.length };
}

export async function startIngestSubscriber(options: IngestSubscriberOptions): Promise<RunningIngestSubscriber> {
  const settings = { ...DEFAULTS, ...stripUndefined(options) };
  const log = options.log ?? consoleIngestLog;
  await ensureSubscription(options.pubsub, options.topic, options.subscription);
  const stats: IngestSubscriberStats = { ...emptySummary(), batches: 0, nacked: 0, recoveries: 0 };
  const redeliveries = new RedeliveryTracker();
  const nackTimers = new Map<NodeJS.Timeout, Message>();

  const nackLater = (message: Message, attempt: number, cause: string) => {
    const delay = Math.min(settings.retryDelayMs * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
    log('warn', 'ingest subscriber: message not stored; nacked for redelivery', { messageId: message.id, deliveryAttempt: attempt, retryInMs: delay, cause });
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
    let cause = 'the warehouse write failed';
    try {
      const outcome = await options.handler.handleBatch(messages);
      addSummary(stats, outcome);
      retry = new Set(outcome.retry.map((m) => m.id));
      if (outcome.error !== undefined) cause = errorWithCauses(outcome.error);
      options.onBatch?.(outcome, retry.size);
    } catch (error) {
      // handleBatch does not throw for warehouse failures; this is a bug: retry everything, loudly.
      cause = errorWithCauses(error);
      log('error', 'ingest subscriber: the handler threw; the batch will be redelivered', { ...idsField(batch), cause });
      retry = new Set(batch.map((m) => m.id));
    }
    stats.batches++;
    for (const m of batch) {
      if (retry.has(m.id)) nackLater(m, attempts.get(m.id) ?? 1, cause);
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

  let closed = false;
  let recovering: Promise<void> | undefined;
  let unreachableSinceMs: number | undefined;

  const onMessage = (message: Message) => batcher.add(message);
  const onError = (error: Error) => {
    const code = grpcCode(error);
    log('error', 'ingest subscriber: streaming pull error', { code: code ?? null, cause: errorWithCauses(error) });
    // NOT_FOUND ends the pull for good (the client retries only transient codes): re-create.
    if (code === NOT_FOUND) void recover(`the streaming pull ended with NOT_FOUND: ${errorWithCauses(error)}`);
  };
  const open = (): Subscription => {
    const opened = options.pubsub.subscription(options.subscription, {
      flowControl: { maxMessages: settings.maxBatchMessages * (settings.maxInFlightBatches + 1), maxBytes: settings.maxBatchBytes * (settings.maxInFlightBatches + 1), allowExcessMessages: false },
      // Our writes take well under a second: keep leases short, so that after a crash the messages
      // the dead process held come back in seconds rather than minutes.
      minAckDeadline: Duration.from({ seconds: 10 }),
      maxAckDeadline: Duration.from({ seconds: 10 }),
      streamingOptions: { maxStreams: 2 },
    });
    opened.on('message', onMessage);
    opened.on('error', onError);
    return opened;
  };
  const release = async (old: Subscription): Promise<void> => {
    old.removeListener('message', onMessage);
    // A subscription whose server is gone may never finish closing: do not wait on it for long.
    await Promise.race([old.close().catch(() => undefined), new Promise((r) => setTimeout(r, ADMIN_CALL_TIMEOUT_MS).unref())]);
    old.removeListener('error', onError);
  };
  let subscription = open();

  const recover = (reason: string): Promise<void> => {
    recovering ??= (async () => {
      const lostAtMs = Date.now();
      const since = unreachableSinceMs;
      log('warn', 'ingest subscriber: the topic or subscription is gone (Pub/Sub or its emulator restarted?); re-creating them', { topic: options.topic, subscription: options.subscription, reason });
      options.onLost?.(reason);
      await release(subscription);
      // What the old subscription handed over is written before the books are closed on it.
      await batcher.drain().catch(() => undefined);
      // Their redelivery would come from the old subscription, which is gone with its messages.
      const nacksDiscarded = nackTimers.size;
      for (const timer of nackTimers.keys()) clearTimeout(timer);
      nackTimers.clear();
      const messagesHandledBefore = stats.messages;
      let delay = RECOVERY_BACKOFF_MS.first;
      for (let attempt = 1; !closed; attempt++) {
        try {
          await ensureSubscription(options.pubsub, options.topic, options.subscription, ADMIN_CALL_TIMEOUT_MS);
          break;
        } catch (error) {
          if (attempt === 1 || attempt % 10 === 0) log('warn', 'ingest subscriber: cannot re-create the topic and subscription yet; retrying', { attempt, cause: errorWithCauses(error) });
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, RECOVERY_BACKOFF_MS.max);
        }
      }
      if (closed) return;
      subscription = open();
      unreachableSinceMs = undefined;
      stats.recoveries++;
      const recoveredAtMs = Date.now();
      const recovery: SubscriptionRecovery = { reason, ...(since === undefined ? {} : { unreachableSinceMs: since }), lostAtMs, recoveredAtMs, downMs: recoveredAtMs - (since ?? lostAtMs), messagesHandledBefore, nacksDiscarded };
      log('warn', 'ingest subscriber: topic and subscription re-created; pulling again', { topic: options.topic, subscription: options.subscription, downMs: recovery.downMs, nacksDiscarded });
      options.onRecovered?.(recovery);
    })().finally(() => (recovering = undefined));
    return recovering;
  };

  // The streaming pull retries UNAVAILABLE quietly and forever; this check is what notices an
  // outage (and the empty emulator behind a restart) when no NOT_FOUND arrives.
  let checking = false;
  const check = async () => {
    if (checking || recovering || closed) return;
    checking = true;
    try {
      await subscription.getMetadata({ timeout: ADMIN_CALL_TIMEOUT_MS, retry: null });
      if (unreachableSinceMs !== undefined) log('info', 'ingest subscriber: Pub/Sub answers again', { unreachableMs: Date.now() - unreachableSinceMs });
      unreachableSinceMs = undefined;
    } catch (error) {
      if (closed) return;
      if (grpcCode(error) === NOT_FOUND) void recover(`the subscription no longer exists: ${errorWithCauses(error)}`);
      else if (unreachableSinceMs === undefined) {
        unreachableSinceMs = Date.now();
        log('warn', 'ingest subscriber: Pub/Sub does not answer; the pull is retrying', { subscription: options.subscription, cause: errorWithCauses(error) });
      }
    } finally {
      checking = false;
    }
  };
  const checkTimer = settings.checkIntervalMs > 0 ? setInterval(() => void check(), settings.checkIntervalMs) : undefined;
  checkTimer?.unref();

  return {
    stats: () => ({ ...stats }),
    async close() {
      closed = true;
      clearInterval(checkTimer);
      subscription.removeListener('message', onMessage);
      await recovering;
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
