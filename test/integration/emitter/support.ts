import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { emulatorInstalled } from '../../../cli/local/emulators';
import { describeWhenAvailable } from '../../support/ci-gate';
import { TransportError, type Transport } from '../../../emitter';
import type { MetricsMessage } from '../../../shared';

/** The project the code under test reads (GOOGLE_CLOUD_PROJECT: .ci/run and the jest setup set it). */
export const PROJECT = process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test';
export const quiet = { warn: (): void => undefined };

/** For suites that start their own emulator (to kill and restart it): the one CI rule (test/support/ci-gate.ts). */
export function describeWithOwnEmulator(name: string, body: () => void): void {
  describeWhenAvailable(name, { missing: emulatorInstalled('pubsub') ? undefined : 'the Pub/Sub emulator is not installed', inCi: 'the CI machine must have the Google Cloud SDK emulators' }, body);
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

type WireEvent = MetricsMessage['events'][number] & { count?: number };

export function idsOf(data: Buffer): string[] {
  return (JSON.parse(data.toString('utf8')) as MetricsMessage).events.map((e) => e.id);
}

/** Pack calls in a message: a merged event counts `count`, a plain one 1 (the emitter's own events are not counted). */
export function callsOf(data: Buffer): number {
  const events = (JSON.parse(data.toString('utf8')) as MetricsMessage).events as WireEvent[];
  return events.filter((e) => !e.name.startsWith(SELF_METRIC_PREFIX)).reduce((sum, e) => sum + (e.count ?? 1), 0);
}

const SELF_METRIC_PREFIX = 'infra.metrics.emitter.';

/** Creates a topic and a subscription on the emulator at `host`, and collects what arrives. */
export async function subscribe(host: string, topicName: string): Promise<Collector> {
  const admin = new PubSub({ projectId: PROJECT, apiEndpoint: host });
  const [topic] = await admin.topic(topicName).get({ autoCreate: true });
  const [subscription] = await topic.createSubscription(uniqueName('sub'));
  return new Collector(admin, subscription);
}

/** Every event id received on a subscription, with how often each arrived. */
export class Collector {
  readonly counts = new Map<string, number>();
  /** Ids of pack events (not the emitter's own infra.metrics.emitter.* events). */
  readonly packIds = new Set<string>();
  /** Calls carried by the distinct pack events (a merged event counts `count`, a plain one 1). */
  packCalls = 0;
  /** Calls carried by each pack event, by id. */
  readonly callsById = new Map<string, number>();
  /** The emitter's own events by name, values summed. */
  readonly selfMetrics = new Map<string, number>();
  messages = 0;
  /** Every message's data as delivered (duplicates included), when `keepData` was asked for. */
  readonly data: Buffer[] = [];
  keepData = false;

  constructor(
    private readonly admin: PubSub,
    private readonly subscription: Subscription,
  ) {
    subscription.on('message', (m: Message) => {
      this.messages++;
      if (this.keepData) this.data.push(m.data);
      for (const e of (JSON.parse(m.data.toString('utf8')) as MetricsMessage).events as WireEvent[]) {
        const seen = this.counts.get(e.id) ?? 0;
        this.counts.set(e.id, seen + 1);
        if (!e.name.startsWith(SELF_METRIC_PREFIX)) {
          this.packIds.add(e.id);
          if (seen === 0) {
            this.packCalls += e.count ?? 1;
            this.callsById.set(e.id, e.count ?? 1);
          }
        }
        else this.selfMetrics.set(e.name, (this.selfMetrics.get(e.name) ?? 0) + e.value);
      }
      m.ack();
    });
    subscription.on('error', () => undefined); // a killed emulator breaks the stream; expected
  }

  /** Waits until `count` distinct ids arrived, or nothing new arrived for `quietMs`. */
  async waitFor(count: number, quietMs = 3_000, maxMs = 30_000): Promise<void> {
    const started = Date.now();
    let last = -1;
    let lastChange = Date.now();
    while (this.counts.size < count && Date.now() - lastChange < quietMs && Date.now() - started < maxMs) {
      if (this.counts.size !== last) {
        last = this.counts.size;
        lastChange = Date.now();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until `condition` holds, or nothing new arrived for `quietMs`. */
  async waitUntil(condition: () => boolean, quietMs = 3_000, maxMs = 30_000): Promise<void> {
    const started = Date.now();
    let last = -1;
    let lastChange = Date.now();
    while (!condition() && Date.now() - lastChange < quietMs && Date.now() - started < maxMs) {
      if (this.counts.size !== last) {
        last = this.counts.size;
        lastChange = Date.now();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  duplicates(): number {
    return [...this.counts.values()].filter((n) => n > 1).length;
  }

  async close(): Promise<void> {
    this.subscription.removeAllListeners('message');
    await Promise.race([this.subscription.close().then(() => this.admin.close()), new Promise((r) => setTimeout(r, 2_000))]);
  }
}

/**
 * Wraps a real transport to record which messages were acknowledged, and when. `hold()` makes
 * attempts fail (retryably) without reaching the emulator, for the few milliseconds between a
 * restarted emulator accepting connections and the test re-creating its subscription: a message
 * published in that gap would be accepted by a topic with no subscription yet and lost to the test,
 * not to the emitter. Everything else goes through untouched.
 */
export class RecordingTransport implements Transport {
  readonly name: string;
  readonly acked: { ids: string[]; calls: number; atMs: number }[] = [];
  realFailures = 0;
  private held = false;

  constructor(private readonly inner: Transport) {
    this.name = inner.name;
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
  }

  async publish(data: Buffer): Promise<void> {
    if (this.held) throw new TransportError('held by the test while the emulator restarts', true);
    try {
      await this.inner.publish(data);
    } catch (error) {
      this.realFailures++;
      throw error;
    }
    this.acked.push({ ids: idsOf(data), calls: callsOf(data), atMs: Date.now() });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  ackedIds(): string[] {
    return this.acked.flatMap((a) => a.ids);
  }

  /** Pack calls in the acknowledged messages. */
  ackedCalls(): number {
    return this.acked.reduce((sum, a) => sum + a.calls, 0);
  }
}

export async function until(condition: () => boolean, maxMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > maxMs) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
