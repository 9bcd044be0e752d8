import { ConfigError, loadConfig, WIRE_LIMITS } from '../shared';
import type { Transport } from './transports/transport';

/**
 * Defaults, with units in their names. The reasoning behind each:
 * - maxBufferedEvents: a bound on events held — raw calls, open aggregates, and serialised events
 *   waiting or in flight. Beyond it new calls (new series, when aggregating) are dropped as
 *   `buffer_full`.
 * - maxBufferedBytes: the memory bound in bytes, 8 MB: the same things measured in bytes (the
 *   serialised messages exactly, raw calls and aggregates by a documented estimate, see
 *   emitter/memory.ts). Beyond it new calls are dropped as `buffer_full`.
 * - maxSeries: live series (metric + tag set) aggregated in one flush interval. A call that would
 *   open one more is dropped as `series_limit`; calls on open series still merge. Tag values are
 *   bounded enumerations, so a real service has hundreds, not thousands.
 * - maxBatchEvents / maxBatchBytes: one Pub/Sub message per batch. 1,000 events (~200 KB) keeps
 *   the ingest function's BigQuery insert small; 900,000 bytes stays under the wire format's 1 MB
 *   per message (WIRE_LIMITS.maxMessageBytes) and far under Pub/Sub's 10 MB per request.
 * - flushIntervalMs: the aggregation interval, and the longest an event waits before it is sent.
 * - retryWindowMs: how long a failing message keeps being retried; also the bound on how long
 *   `flushMetrics()` can wait on a dead transport.
 * - initialBackoffMs / maxBackoffMs: exponential backoff between attempts while the transport fails.
 * - publishTimeoutMs: the deadline of one publish attempt.
 * - maxConcurrentPublishes: messages published at once when the transport is healthy.
 * - selfMetricsIntervalMs: how often the `infra.metrics.emitter.*` metrics are emitted (0 = never;
 *   the default applies to the pubsub transport, other transports default to 0).
 * - shutdownTimeoutMs: how long `shutdownMetrics()`, SIGTERM and process exit wait for the flush;
 *   well inside Cloud Run's 10 s and Kubernetes' 30 s grace periods after SIGTERM.
 */
export const EMITTER_DEFAULTS = {
  maxBufferedEvents: 10_000,
  maxBufferedBytes: 8_000_000,
  maxSeries: 10_000,
  maxBatchEvents: 1_000,
  maxBatchBytes: 900_000,
  flushIntervalMs: 1_000,
  retryWindowMs: 30_000,
  initialBackoffMs: 100,
  maxBackoffMs: 5_000,
  publishTimeoutMs: 10_000,
  maxConcurrentPublishes: 4,
  selfMetricsIntervalMs: 60_000,
  shutdownTimeoutMs: 5_000,
} as const;

export type TransportChoice = 'pubsub' | 'memory' | 'none';

/**
 * `series` (the default): calls on the same metric and tag set within a flush interval (and one
 * UTC minute) merge into one event carrying `count`. `none`: one event per call, as before.
 */
export type AggregationChoice = 'series' | 'none';

export interface EmitterOptions extends Partial<Record<keyof typeof EMITTER_DEFAULTS, number>> {
  /** Where events go. Default: OBSERVABILITY_PROVIDER (`pubsub` or `none`; unset means `none`). */
  transport?: TransportChoice | Transport;
  /** Merge calls per series and flush interval (`series`, the default) or send one event per call (`none`). */
  aggregation?: AggregationChoice;
  /** `source.service` of every message. Default: OBS_SERVICE, then K_SERVICE / FUNCTION_TARGET (set by Cloud Functions), then `unknown`. */
  service?: string;
  /** `source.environment`. Default: OBS_ENVIRONMENT, then NODE_ENV, then `development`. */
  environment?: string;
  /** Pub/Sub topic. Default: METRICS_TOPIC, then `metrics-events`. */
  topic?: string;
  /** Default: GOOGLE_CLOUD_PROJECT. */
  projectId?: string;
  /** `host:port` of a Pub/Sub emulator. Default: PUBSUB_EMULATOR_HOST. */
  emulatorHost?: string;
  /** Flush on SIGTERM and before exit (see docs/INSTRUMENTATION.md). Default true. */
  handleProcessSignals?: boolean;
  /** Where the emitter's rate-limited warnings go. Default: console.warn. */
  logger?: { warn(message: string): void };
  /** The clock for event timestamps and retry windows, epoch ms. Default Date.now. */
  now?: () => number;
  /** The environment to read defaults from. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedOptions extends Record<keyof typeof EMITTER_DEFAULTS, number> {
  transport: TransportChoice | Transport;
  aggregation: AggregationChoice;
  service: string;
  environment: string;
  topic: string;
  projectId: string | undefined;
  emulatorHost: string | undefined;
  handleProcessSignals: boolean;
  logger: { warn(message: string): void };
  now: () => number;
  /** `now` is the system clock (no `now` option): the aggregating path may read it once per turn (emitter.ts). */
  systemClock: boolean;
}

/** The variables the emitter reads: other components' variables cannot break metric emission. */
const EMITTER_VARIABLES = ['OBSERVABILITY_PROVIDER', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'PUBSUB_EMULATOR_HOST', 'METRICS_TOPIC', 'OBS_ENVIRONMENT', 'NODE_ENV'];

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function sourceField(name: string, value: string): string {
  if (value.length === 0 || value.length > WIRE_LIMITS.maxSourceFieldLength || CONTROL_CHARS.test(value)) {
    throw new ConfigError(name, `${name} must be 1–${WIRE_LIMITS.maxSourceFieldLength} printable characters, got ${JSON.stringify(value.slice(0, 80))}`);
  }
  return value;
}

/** A value set by the platform, not by us: trimmed to fit rather than refused. */
const fit = (value: string | undefined): string | undefined => value?.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, WIRE_LIMITS.maxSourceFieldLength) || undefined;

const LIMITS: Partial<Record<keyof typeof EMITTER_DEFAULTS, { min: number; max: number }>> = {
  maxBatchBytes: { min: 1_024, max: WIRE_LIMITS.maxMessageBytes },
  maxBatchEvents: { min: 1, max: WIRE_LIMITS.maxEventsPerMessage },
  maxBufferedEvents: { min: 1, max: 10_000_000 },
  maxBufferedBytes: { min: 65_536, max: 4_294_967_296 },
  maxSeries: { min: 1, max: 10_000_000 },
  maxConcurrentPublishes: { min: 1, max: 100 },
};

/**
 * Merges explicit options, the environment and the defaults. Throws ConfigError (naming the option
 * or variable) on a bad value: configuration fails fast, recording never throws.
 */
export function resolveOptions(options: EmitterOptions = {}): ResolvedOptions {
  const env = options.env ?? process.env;
  // Explicit options go through the same checks as the variables they override.
  const config = loadConfig({
    ...Object.fromEntries(EMITTER_VARIABLES.map((k) => [k, env[k]])),
    ...(options.topic !== undefined ? { METRICS_TOPIC: options.topic } : {}),
    ...(options.emulatorHost !== undefined ? { PUBSUB_EMULATOR_HOST: options.emulatorHost } : {}),
  });
  const numbers = {} as Record<keyof typeof EMITTER_DEFAULTS, number>;
  const transport = options.transport ?? config.provider;
  for (const key of Object.keys(EMITTER_DEFAULTS) as (keyof typeof EMITTER_DEFAULTS)[]) {
    // Self metrics are on by default only for Pub/Sub: tests of pack code see just their own events.
    const fallback = key === 'selfMetricsIntervalMs' && transport !== 'pubsub' ? 0 : EMITTER_DEFAULTS[key];
    const value = options[key] ?? fallback;
    const zeroAllowed = key === 'selfMetricsIntervalMs';
    const { min, max } = LIMITS[key] ?? { min: zeroAllowed ? 0 : 1, max: 86_400_000 };
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(key, `emitter option ${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
    numbers[key] = value;
  }
  if (typeof transport === 'string' && !['pubsub', 'memory', 'none'].includes(transport)) {
    throw new ConfigError('transport', `emitter option transport must be pubsub, memory, none or a Transport object, got ${JSON.stringify(transport)}`);
  }
  if (typeof transport === 'object' && (transport === null || typeof transport.publish !== 'function' || typeof transport.close !== 'function')) {
    throw new ConfigError('transport', 'a custom transport must have publish(data) and close() methods');
  }
  const aggregation = options.aggregation ?? 'series';
  if (aggregation !== 'series' && aggregation !== 'none') {
    throw new ConfigError('aggregation', `emitter option aggregation must be series or none, got ${JSON.stringify(aggregation)}`);
  }
  const service = options.service ?? fit(env.OBS_SERVICE) ?? fit(env.K_SERVICE) ?? fit(env.FUNCTION_TARGET) ?? 'unknown';
  return {
    ...numbers,
    transport,
    aggregation,
    service: sourceField('service', service),
    environment: sourceField('environment', options.environment ?? fit(config.environment) ?? 'development'),
    topic: config.metricsTopic,
    projectId: options.projectId ?? config.projectId,
    emulatorHost: config.pubsubEmulatorHost,
    handleProcessSignals: options.handleProcessSignals ?? true,
    logger: options.logger ?? { warn: (message) => console.warn(`[metrics] ${message}`) },
    now: options.now ?? Date.now,
    systemClock: options.now === undefined,
  };
}
