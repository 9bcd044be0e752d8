import type { ClientConfig, PubSub } from '@google-cloud/pubsub';
import { createEmitter, EMITTER_DEFAULTS, TransportError, type EmitterStats, type MetricsClient, type Transport } from '../../emitter';
import { createPubSubTransport } from '../../emitter/transports/pubsub-transport';
import { ensureSubscription, startIngestSubscriber, type RunningIngestSubscriber, type SubscriptionRecovery } from '../../ingest/pubsub-subscriber';
import type { IngestHandler } from '../../ingest/ingest-handler';
import type { IngestLog } from '../../ingest/ingest-log';
import type { IngestSummary } from '../../ingest/ingest-message';
import { emulatorInstalled, startEmulator, type RunningEmulator } from './emulators';

/** How events travel from the emitter to ingest in the local stack. */
export interface StackTransport {
  readonly kind: 'pubsub-emulator' | 'in-process';
  /** One line for the banner. */
  readonly description: string;
  readonly emitter: MetricsClient;
  /** Events stored, duplicates and dead letters so far (the progress line). */
  ingested(): IngestSummary;
  /** Every time the topic and subscription were lost (an emulator restart) and re-created. */
  recoveries(): readonly TransportGap[];
  close(): Promise<void>;
}

/** One outage of the emulator as the stack saw it: the subscriber's side and the emitter's. */
export interface TransportGap extends SubscriptionRecovery {
  /**
   * Messages the emulator acknowledged to the emitter (before it lost them) that ingest never
   * received: they died with the emulator's memory. Counted from the stack's own emitter and
   * subscriber; a message from another publisher, or a redelivery, makes this an underestimate.
   */
  readonly messagesLostWithEmulator: number;
  /** The emitter's counters when publishing resumed (its retries covered the outage). */
  readonly emitter: EmitterStats;
}

const SUBSCRIPTION = 'metrics-events-local-ingest';
/**
 * The local emitter retries for 2 minutes (the library default is 30 s): an emulator restart (a
 * JVM start, seconds) or a short warehouse outage must not cost events. 200,000 buffered events
 * bound the memory (~40 MB).
 */
const LOCAL_RETRY_WINDOW_MS = 120_000;
const LOCAL_MAX_BUFFERED_EVENTS = 200_000;
/** gRPC's reconnect backoff grows to 120 s by default; the stack must notice a restart in seconds. */
const MAX_RECONNECT_BACKOFF_MS = 1_000;

export interface StackTransportOptions {
  handler: IngestHandler;
  topic: string;
  projectId: string;
  emulatorHost: string | undefined;
  useEmulator: boolean;
  now: () => number;
  service: string;
  /** Subscriber errors, with message ids and causes (the stack rate-limits them). */
  log: IngestLog;
  /** Lines for people: the gap report after an emulator restart. */
  report: (line: string) => void;
  /** How often the subscriber checks its subscription exists (default 5 s; tests go faster). */
  checkIntervalMs?: number;
  /** The emitter's aggregation (emitter/options.ts; default `series`). */
  aggregation?: 'series' | 'none';
}

/**
 * The Pub/Sub emulator when it is configured (PUBSUB_EMULATOR_HOST) or installed (started here
 * and stopped on close), with the streaming-pull subscriber feeding ingest; otherwise an
 * in-process transport that hands each message straight to the same ingest handler.
 */
export async function openStackTransport(options: StackTransportOptions): Promise<StackTransport> {
  const emitterOptions = {
    now: options.now,
    service: options.service,
    environment: 'local',
    handleProcessSignals: false,
    maxBufferedEvents: LOCAL_MAX_BUFFERED_EVENTS,
    retryWindowMs: LOCAL_RETRY_WINDOW_MS,
    logger: { warn: (message: string) => options.report(`  emitter: ${message}`) },
    ...(options.aggregation === undefined ? {} : { aggregation: options.aggregation }),
  };
  let emulator: RunningEmulator | undefined;
  let host = options.emulatorHost;
  if (!host && options.useEmulator && emulatorInstalled('pubsub')) {
    emulator = await startEmulator('pubsub');
    host = emulator.host;
  }
  if (host && options.useEmulator) {
    try {
      return await openEmulatorTransport(options, host, emulator, emitterOptions);
    } catch (error) {
      await emulator?.stop();
      throw error;
    }
  }
  const total: IngestSummary = { messages: 0, events: 0, stored: 0, duplicates: 0, deadLettered: 0, gaveUp: 0 };
  let sequence = 0;
  const inProcess: Transport = {
    name: 'in-process',
    async publish(data) {
      const summary = await options.handler.handle({ id: `local-${process.pid}-${++sequence}`, data });
      for (const key of Object.keys(total) as Array<keyof IngestSummary>) total[key] += summary[key];
    },
    close: () => Promise.resolve(),
  };
  const emitter = createEmitter({ ...emitterOptions, transport: inProcess });
  return {
    kind: 'in-process',
    description: 'in-process queue (no Pub/Sub emulator installed): the emitter hands batches straight to ingest',
    emitter,
    ingested: () => ({ ...total }),
    recoveries: () => [],
    close: () => emitter.shutdown(),
  };
}

async function openEmulatorTransport(
  options: StackTransportOptions,
  host: string,
  emulator: RunningEmulator | undefined,
  emitterOptions: { now: () => number; service: string; environment: string; handleProcessSignals: boolean; maxBufferedEvents: number; retryWindowMs: number; logger: { warn: (message: string) => void }; aggregation?: 'series' | 'none' },
): Promise<StackTransport> {
  process.env.PUBSUB_EMULATOR_HOST = host;
  // There is no GCE metadata server here; without this google-auth probes for one and warns.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PubSub: PubSubClass } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
  // google-gax passes every `grpc.*` key of the client options to the gRPC channel.
  const clientConfig: ClientConfig & { 'grpc.max_reconnect_backoff_ms': number } = { projectId: options.projectId, apiEndpoint: host, 'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS };
  const pubsub: PubSub = new PubSubClass(clientConfig);
  const gate = gatedTransport(
    createPubSubTransport({ topic: options.topic, projectId: options.projectId, emulatorHost: host, publishTimeoutMs: EMITTER_DEFAULTS.publishTimeoutMs, maxReconnectBackoffMs: MAX_RECONNECT_BACKOFF_MS }),
  );
  const emitter = createEmitter({ ...emitterOptions, transport: gate.transport, selfMetricsIntervalMs: EMITTER_DEFAULTS.selfMetricsIntervalMs });
  const gaps: TransportGap[] = [];
  // Where the current subscription's books opened: the emitter's messages and ingest's at that time.
  let epoch = { published: 0, handled: 0 };
  let subscriber: RunningIngestSubscriber | undefined;
  try {
    await ensureSubscription(pubsub, options.topic, SUBSCRIPTION);
    subscriber = await startIngestSubscriber({
      pubsub,
      topic: options.topic,
      subscription: SUBSCRIPTION,
      handler: options.handler,
      log: options.log,
      ...(options.checkIntervalMs === undefined ? {} : { checkIntervalMs: options.checkIntervalMs }),
      // Between re-creating the topic and its subscription, a published message would reach a
      // topic with no subscription and vanish: the emitter's publishes wait (retryably) until both exist.
      onLost: () => gate.hold(),
      onRecovered: (recovery) => {
        const stats = emitter.stats();
        const messagesLostWithEmulator = Math.max(0, stats.messagesPublished - epoch.published - (recovery.messagesHandledBefore - epoch.handled)) + recovery.nacksDiscarded;
        epoch = { published: stats.messagesPublished, handled: recovery.messagesHandledBefore };
        gate.release();
        gaps.push({ ...recovery, messagesLostWithEmulator, emitter: stats });
        options.report(describeGap(options.topic, host, recovery, messagesLostWithEmulator, stats));
      },
    });
  } catch (error) {
    await emitter.shutdown();
    await pubsub.close().catch(() => undefined);
    throw error;
  }
  const running = subscriber;
  return {
    kind: 'pubsub-emulator',
    description: `Pub/Sub emulator at ${host}${emulator ? ' (started by obs start)' : ''}, topic ${options.topic}`,
    emitter,
    ingested: () => running.stats(),
    recoveries: () => [...gaps],
    async close() {
      gate.release();
      await emitter.shutdown();
      await running.close();
      await pubsub.close();
      await emulator?.stop();
    },
  };
}

/** The report of one outage, for people: how long, what the emulator lost, what the emitter kept. */
export function describeGap(topic: string, host: string, r: SubscriptionRecovery, lostMessages: number, s: EmitterStats): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const since = new Date(r.unreachableSinceMs ?? r.lostAtMs).toISOString();
  return [
    `  pubsub: topic ${topic} and its subscription were gone from ${host} (the emulator restarted?) — re-created; down ${seconds(r.downMs)} from ${since}.`,
    `  pubsub: messages the emulator had accepted but not delivered died with it: ${lostMessages === 0 ? 'none' : `${lostMessages} message${lostMessages === 1 ? '' : 's'}`} (the emitter's acknowledged messages less those ingest received${r.nacksDiscarded ? `, including ${r.nacksDiscarded} awaiting redelivery` : ''}).`,
    `  pubsub: the emitter retried while the topic was missing: emitted ${s.emitted}, published ${s.published}, buffered ${s.buffered}, in flight ${s.inFlight}, dropped ${s.dropped}.`,
  ].join('\n');
}

/** A transport whose publishes fail retryably while held (the emitter keeps and retries them). */
function gatedTransport(inner: Transport): { transport: Transport; hold(): void; release(): void } {
  let held = false;
  return {
    transport: {
      name: inner.name,
      publish: (data) => (held ? Promise.reject(new TransportError('held while the local stack re-creates its topic and subscription', true)) : inner.publish(data)),
      close: () => inner.close(),
    },
    hold: () => void (held = true),
    release: () => void (held = false),
  };
}
