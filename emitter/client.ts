import { ConfigError } from '../shared';
import { KIND_COUNT, KIND_GAUGE, KIND_TIMING } from './buffer';
import { RESOLVED, type EmitterCore } from './core';
import { DisabledEmitter } from './disabled-emitter';
import { BufferedEmitter } from './emitter';
import { resolveOptions, type EmitterOptions, type ResolvedOptions } from './options';
import { normaliseTags, snapshotTags, tagSetKey, type NormalisedTags } from './tags';
import { createMemoryTransport } from './transports/memory-transport';
import { createPubSubTransport } from './transports/pubsub-transport';
import type { Transport } from './transports/transport';
import type { EmitterStats, MetricTimer, TaggedEmitter, Tags } from './types';

/**
 * An emitter instance: the recording calls plus its own flush, shutdown and stats. The module-level
 * functions (`metricCount`, ...) use the one made by `configureMetrics` or, lazily, from the
 * environment; `createEmitter` makes independent ones (a CLI, a benchmark, a test).
 */
export interface MetricsClient extends TaggedEmitter {
  /** A view that adds `tags` to every event; a call's own tags win on the same key. */
  tagged(this: void, tags: Tags): TaggedEmitter;
  flush(this: void): Promise<void>;
  shutdown(this: void): Promise<void>;
  stats(this: void): EmitterStats;
  /** The transport events go to; undefined for `none`. A `memory` transport can be inspected. */
  readonly transport: Transport | undefined;
}

// Imported bindings read on the caller's path, copied once: some loaders (tsx, esbuild's CommonJS
// interop) turn every read of an import into a getter call, which each call would pay.
const COUNT = KIND_COUNT;
const TIMING = KIND_TIMING;
const GAUGE = KIND_GAUGE;

/** Builds the emitter for resolved options. */
export function buildCore(options: ResolvedOptions): { core: EmitterCore; transport: Transport | undefined } {
  const identity = { service: options.service, environment: options.environment };
  if (options.transport === 'none') {
    return { core: new DisabledEmitter(identity, 'the transport is none (OBSERVABILITY_PROVIDER unset or none): events are discarded', options.now()), transport: undefined };
  }
  const transport =
    options.transport === 'memory'
      ? createMemoryTransport()
      : options.transport === 'pubsub'
        ? createPubSubTransport({
            topic: options.topic,
            projectId: options.projectId,
            emulatorHost: options.emulatorHost,
            publishTimeoutMs: options.publishTimeoutMs,
            maxReconnectBackoffMs: options.maxBackoffMs,
          })
        : options.transport;
  return { core: new BufferedEmitter(options, transport), transport };
}

/** The emitter used when the environment cannot be read: everything is discarded, and stats say why. */
export function misconfiguredCore(error: unknown): EmitterCore {
  const why = error instanceof ConfigError ? `the emitter is not configured: ${error.message}` : 'the emitter could not be configured';
  return new DisabledEmitter({ service: 'unknown', environment: 'unknown' }, why);
}

/** Normalises a tagged emitter's tags once, at creation. Never throws. */
export function baseTags(tags: unknown): NormalisedTags {
  const base = normaliseTags(undefined, snapshotTags(tags));
  if (base.ok) {
    base.key = JSON.stringify(base.tags);
    base.seriesKey = tagSetKey(base, undefined);
  }
  return base;
}

/** Adds `extra` to a timer's tags at `end()`; both are copies, so mutating either later is harmless. */
function mergeTags(first: unknown, extra: unknown): unknown {
  if (extra === undefined) return first;
  const a = normaliseTags(undefined, first);
  if (!a.ok) return first; // dropped at flush, with the first tags' problem as the reason
  const merged = normaliseTags(a, snapshotTags(extra));
  return merged.ok ? merged.tags : extra; // an invalid extra is dropped at flush with its problem
}

function startTimer(core: () => EmitterCore, name: unknown, tags: unknown, base: NormalisedTags | undefined): MetricTimer {
  const startedMs = performance.now();
  const copy = snapshotTags(tags);
  let ended = false;
  return {
    end(extraTags?: Tags): Promise<void> {
      if (ended) return RESOLVED;
      ended = true;
      return core().record(TIMING, name, performance.now() - startedMs, mergeTags(copy, extraTags), undefined, base);
    },
  };
}

/** The four recording calls bound to whichever emitter `core()` returns at call time. */
export function taggedEmitter(core: () => EmitterCore, base: NormalisedTags | undefined): TaggedEmitter {
  return {
    count: (name, value, tags, timestamp) => core().record(COUNT, name, value === undefined ? 1 : value, tags, timestamp, base),
    timing: (name, ms, tags, timestamp) => core().record(TIMING, name, ms, tags, timestamp, base),
    gauge: (name, value, tags, timestamp) => core().record(GAUGE, name, value, tags, timestamp, base),
    timer: (name, tags) => startTimer(core, name, tags, base),
  };
}

/** The instance API over one emitter. */
export function clientFor(core: EmitterCore, transport: Transport | undefined): MetricsClient {
  const get = () => core;
  return {
    ...taggedEmitter(get, undefined),
    tagged: (tags) => taggedEmitter(get, baseTags(tags)),
    flush: () => core.flush(),
    shutdown: () => core.shutdown(),
    stats: () => core.stats(),
    transport,
  };
}

/**
 * Makes an independent emitter (no process hooks: its owner flushes and shuts it down). Throws
 * ConfigError on bad options — configuration fails fast; nothing it returns ever throws afterwards.
 */
export function createEmitter(options: EmitterOptions = {}): MetricsClient {
  const { core, transport } = buildCore(resolveOptions(options));
  return clientFor(core, transport);
}
