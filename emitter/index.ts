/**
 * `@avalo/observability/emitter` — the metric client pack code imports.
 *
 * ```ts
 * import { metricCount, metricTimer, withMetrics } from '@avalo/observability/emitter';
 *
 * const timer = metricTimer('product.wallet.spend.latency_ms', { feature: 'chat' });
 * await metricCount('product.wallet.spend.success', 1, { feature: 'chat' });
 * await timer.end();
 * ```
 *
 * Every recording call appends to an in-memory buffer and returns the same already-resolved
 * promise; it never throws and never rejects. Events are validated, checked for personal data,
 * batched into wire-format v1 messages and published later, off the caller's path. Where events go
 * is set by OBSERVABILITY_PROVIDER (`pubsub`, or `none` — the default, which discards them at
 * almost no cost) or by `configureMetrics`. docs/INSTRUMENTATION.md is the guide.
 *
 * This entry imports only `shared/` and, lazily on the first publish, `@google-cloud/pubsub`.
 */
import { KIND_COUNT, KIND_GAUGE, KIND_TIMING } from './buffer';
import { baseTags, buildCore, clientFor, misconfiguredCore, taggedEmitter, type MetricsClient } from './client';
import { RESOLVED, type EmitterCore } from './core';
import { installProcessHooks } from './lifecycle';
import { EMITTER_DEFAULTS, resolveOptions, type EmitterOptions } from './options';
import type { CountName, EmitterStats, GaugeName, MetricTimer, TaggedEmitter, Tags, Timestamp, TimingName } from './types';

export { createEmitter, type MetricsClient } from './client';
export { EMITTER_DEFAULTS, type AggregationChoice, type EmitterOptions, type TransportChoice } from './options';
export { createMemoryTransport, type MemoryTransport } from './transports/memory-transport';
export { TransportError, type Transport } from './transports/transport';
export { DROP_REASONS, type CountName, type DropReason, type EmitterStats, type GaugeName, type MetricTag, type MetricTimer, type TaggedEmitter, type Tags, type TagValue, type Timestamp, type TimingName } from './types';

// Imported bindings read on the caller's path, copied once: some loaders (tsx, esbuild's CommonJS
// interop) turn every read of an import into a getter call, which each call would pay.
const COUNT = KIND_COUNT;
const TIMING = KIND_TIMING;
const GAUGE = KIND_GAUGE;

let active: EmitterCore | undefined;
let shutdownTimeoutMs: number = EMITTER_DEFAULTS.shutdownTimeoutMs;

/** The emitter from the environment, made on first use. A bad environment means `none`, with a warning, never a throw. */
function bootstrap(): EmitterCore {
  try {
    install(createFromOptions({}));
  } catch (error) {
    active = misconfiguredCore(error);
    console.warn(`[metrics] ${active.stats().lastDrop?.message ?? 'the emitter could not be configured'}; metrics are discarded`);
  }
  return active as EmitterCore;
}

function createFromOptions(options: EmitterOptions): { core: EmitterCore; handleSignals: boolean; shutdownMs: number; client: MetricsClient } {
  const resolved = resolveOptions(options);
  const { core, transport } = buildCore(resolved);
  const handleSignals = resolved.handleProcessSignals && resolved.transport !== 'none';
  return { core, handleSignals, shutdownMs: resolved.shutdownTimeoutMs, client: clientFor(core, transport) };
}

function install(made: ReturnType<typeof createFromOptions>): void {
  const previous = active;
  active = made.core;
  shutdownTimeoutMs = made.shutdownMs;
  // The replaced emitter publishes what it holds, in the background.
  if (previous) void previous.shutdown();
  if (made.handleSignals) installProcessHooks(current, () => shutdownTimeoutMs);
}

const current = (): EmitterCore => active ?? bootstrap();
const root: TaggedEmitter = taggedEmitter(current, undefined);

/**
 * Sets up the emitter the module-level functions use, replacing any earlier one (which flushes
 * what it holds in the background). Throws ConfigError on bad options. Returns the emitter, e.g.
 * to inspect a `memory` transport: `configureMetrics({ transport: 'memory' }).transport`.
 */
export function configureMetrics(options: EmitterOptions = {}): MetricsClient {
  const made = createFromOptions(options);
  install(made);
  return made.client;
}

/** Counts something that happened (`value` defaults to 1). */
export function metricCount(name: CountName, value?: number, tags?: Tags, timestamp?: Timestamp): Promise<void> {
  return (active ?? bootstrap()).record(COUNT, name, value === undefined ? 1 : value, tags, timestamp, undefined);
}

/** Records a duration in milliseconds. */
export function metricTiming(name: TimingName, ms: number, tags?: Tags, timestamp?: Timestamp): Promise<void> {
  return (active ?? bootstrap()).record(TIMING, name, ms, tags, timestamp, undefined);
}

/** Records a level (the last value in a window wins). */
export function metricGauge(name: GaugeName, value: number, tags?: Tags, timestamp?: Timestamp): Promise<void> {
  return (active ?? bootstrap()).record(GAUGE, name, value, tags, timestamp, undefined);
}

/** Starts a monotonic timer; `end(extraTags?)` records the elapsed milliseconds once. */
export function metricTimer(name: TimingName, tags?: Tags): MetricTimer {
  return root.timer(name, tags);
}

/** Recording calls that add `tags` to every event (a call's own tags win on the same key). */
export function createTaggedEmitter(tags: Tags): TaggedEmitter {
  return taggedEmitter(current, baseTags(tags));
}

/**
 * Publishes everything recorded so far and resolves when every event is published or dropped.
 * Bounded: a dead transport makes it wait at most about retryWindowMs. Never rejects.
 */
export function flushMetrics(): Promise<void> {
  return active ? active.flush() : RESOLVED;
}

/** Flushes (within shutdownTimeoutMs), closes the transport; later calls are dropped as `shutdown`. Never rejects. */
export function shutdownMetrics(): Promise<void> {
  return active ? active.shutdown() : RESOLVED;
}

/** A snapshot of the emitter's accounting: emitted = published + dropped + buffered + inFlight. */
export function getEmitterStats(): EmitterStats {
  return current().stats();
}

/**
 * Wraps a Cloud Function handler so the metrics it recorded are flushed before it returns: work
 * left running after a function returns is throttled or lost. The handler's result and errors
 * pass through unchanged; the flush itself never fails the function.
 *
 * ```ts
 * export const spend = onCall(withMetrics(async (request) => { ... }));
 * ```
 */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => Promise<Awaited<R>> {
  return async function (this: unknown, ...args: A): Promise<Awaited<R>> {
    try {
      if (typeof handler !== 'function') {
        console.warn('[metrics] withMetrics was given something that is not a function; nothing was called');
        return undefined as Awaited<R>;
      }
      return await handler.apply(this, args);
    } finally {
      await flushMetrics();
    }
  };
}
