import type { PubSub } from '@google-cloud/pubsub';
import { createEmitter, type MetricsClient, type Transport } from '../../emitter';
import { ensureSubscription, startIngestSubscriber, type RunningIngestSubscriber } from '../../ingest/pubsub-subscriber';
import type { IngestHandler } from '../../ingest/ingest-handler';
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
  close(): Promise<void>;
}

const SUBSCRIPTION = 'metrics-events-local-ingest';

/**
 * The Pub/Sub emulator when it is configured (PUBSUB_EMULATOR_HOST) or installed (started here
 * and stopped on close), with the streaming-pull subscriber feeding ingest; otherwise an
 * in-process transport that hands each message straight to the same ingest handler.
 */
export async function openStackTransport(options: {
  handler: IngestHandler;
  topic: string;
  projectId: string;
  emulatorHost: string | undefined;
  useEmulator: boolean;
  now: () => number;
  service: string;
}): Promise<StackTransport> {
  const emitterOptions = { now: options.now, service: options.service, environment: 'local', handleProcessSignals: false, maxBufferedEvents: 200_000 } as const;
  let emulator: RunningEmulator | undefined;
  let host = options.emulatorHost;
  if (!host && options.useEmulator && emulatorInstalled('pubsub')) {
    emulator = await startEmulator('pubsub');
    host = emulator.host;
  }
  if (host && options.useEmulator) {
    process.env.PUBSUB_EMULATOR_HOST = host;
    // There is no GCE metadata server here; without this google-auth probes for one and warns.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PubSub: PubSubClass } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
    const pubsub: PubSub = new PubSubClass({ projectId: options.projectId, apiEndpoint: host });
    await ensureSubscription(pubsub, options.topic, SUBSCRIPTION);
    const subscriber: RunningIngestSubscriber = await startIngestSubscriber({ pubsub, topic: options.topic, subscription: SUBSCRIPTION, handler: options.handler, log: () => undefined });
    const emitter = createEmitter({ ...emitterOptions, transport: 'pubsub', emulatorHost: host, projectId: options.projectId, topic: options.topic });
    return {
      kind: 'pubsub-emulator',
      description: `Pub/Sub emulator at ${host}${emulator ? ' (started by obs start)' : ''}, topic ${options.topic}`,
      emitter,
      ingested: () => subscriber.stats(),
      async close() {
        await emitter.shutdown();
        await subscriber.close();
        await pubsub.close();
        await emulator?.stop();
      },
    };
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
    close: () => emitter.shutdown(),
  };
}
