import type { MetricNameOfKind } from '../shared';

/**
 * A tag value as pack code holds it. Strings pass through; finite numbers, booleans and bigints
 * become strings; `undefined` and `null` leave the tag out (so `{ reason: err.code }` with no code
 * is not an error). Anything else makes the event invalid.
 */
export type TagValue = string | number | boolean | bigint | null | undefined;

/** The seed's tag form: `[{ key: 'feature', value: 'chat' }]`. */
export interface MetricTag {
  readonly key: string;
  readonly value: TagValue;
}

/**
 * Tags in either form: the seed's array of `{ key, value }` or a plain object `{ feature: 'chat' }`.
 * The emitter copies them when called, so mutating the object afterwards does not change the event.
 * Keys must be allowed for the metric by the catalogue (plus region, platform, app_version);
 * values must be bounded enumerations, never identifiers or personal data (docs/INSTRUMENTATION.md).
 */
export type Tags = readonly MetricTag[] | Readonly<Record<string, TagValue>>;

/** Event time for backfills: epoch milliseconds (UTC, an integer) or a Date. Defaults to now. */
export type Timestamp = number | Date;

export type CountName = MetricNameOfKind<'count'>;
export type TimingName = MetricNameOfKind<'timing'>;
export type GaugeName = MetricNameOfKind<'gauge'>;

/** A running timer from `metricTimer`. `end()` records the elapsed milliseconds once; later calls do nothing. */
export interface MetricTimer {
  end(this: void, extraTags?: Tags): Promise<void>;
}

/**
 * The recording calls. Every call returns the same already-resolved promise and never throws or
 * rejects, whatever the arguments: a bad call is dropped at flush time and counted by reason.
 * The methods do not use `this`, so they can be destructured: `const { count } = wallet;`.
 */
export interface TaggedEmitter {
  count(this: void, name: CountName, value?: number, tags?: Tags, timestamp?: Timestamp): Promise<void>;
  timing(this: void, name: TimingName, ms: number, tags?: Tags, timestamp?: Timestamp): Promise<void>;
  gauge(this: void, name: GaugeName, value: number, tags?: Tags, timestamp?: Timestamp): Promise<void>;
  timer(this: void, name: TimingName, tags?: Tags): MetricTimer;
}

/**
 * Why an event was not published. Stable codes: they are the `reason` tag of
 * `infra.metrics.emitter.dropped.count` and the keys of `EmitterStats.droppedByReason`.
 */
export const DROP_REASONS = [
  /** The bounded buffer (maxBufferedEvents events or maxBufferedBytes bytes) was full when the call was made. */
  'buffer_full',
  /** Aggregating: the call would have opened a series beyond maxSeries live series in the interval. */
  'series_limit',
  /** The transport kept failing for retryWindowMs. */
  'retries_exhausted',
  /** The transport refused the message permanently (e.g. permission denied, invalid argument). */
  'rejected_by_transport',
  /** The name is not in the metric catalogue. */
  'unknown_metric',
  /** Bad value, timestamp, kind or tags (a tag not allowed for the metric, a non-string value, too many tags). */
  'invalid',
  /** A tag value looked like personal data (shared/pii-guard.ts). */
  'personal_data',
  /** Emitted after shutdownMetrics(), or still pending when the shutdown deadline passed. */
  'shutdown',
  /** The transport is `none` (OBSERVABILITY_PROVIDER unset): every event is discarded by design. */
  'disabled',
  /** A bug in the emitter was caught; the event was dropped rather than thrown at the caller. */
  'internal_error',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * A snapshot of the emitter's accounting, in CALLS (a merged event of count 40 is 40 calls).
 * Invariant, at every instant: `emitted === published + dropped + pending`, where
 * `pending === buffered + inFlight`.
 * `buffered` counts calls waiting in memory (raw calls and open aggregates not yet serialised, and
 * serialised messages waiting for their first attempt or a retry); `inFlight` counts calls in
 * messages the transport is publishing right now. Counts cover pack code's calls only: the
 * emitter's own `infra.metrics.emitter.*` events are not counted in them.
 */
export interface EmitterStats {
  transport: string;
  service: string;
  environment: string;
  emitted: number;
  published: number;
  dropped: number;
  droppedByReason: Record<DropReason, number>;
  buffered: number;
  inFlight: number;
  /** `buffered + inFlight`: calls accepted but not yet published or dropped. */
  pending: number;
  /** `series` or `none` (one event per call). */
  aggregation: 'series' | 'none';
  /** Events published (a merged event counts once): `published / eventsPublished` is the merge ratio. */
  eventsPublished: number;
  /** Bytes of the messages published. */
  bytesPublished: number;
  /** Events held now (raw calls, aggregates, serialised events waiting or in flight); bounded by maxBufferedEvents. */
  heldEvents: number;
  /** Bytes held now (messages exactly, calls and aggregates estimated); bounded by maxBufferedBytes. */
  heldBytes: number;
  /** Series open in the current interval; bounded by maxSeries. */
  liveSeries: number;
  /** Messages (batches) published. */
  messagesPublished: number;
  /** Publish attempts that failed (each is retried or dropped). */
  publishFailures: number;
  /** The most recent drop: its reason and a sentence a person can act on. Never contains a tag value. */
  lastDrop?: { reason: DropReason; message: string; atMs: number };
  /** The most recent transport error. */
  lastTransportError?: { message: string; atMs: number };
}
