import { bucketIndex, WIRE_LIMITS } from '../shared';
import { KIND_GAUGE, KIND_NAMES, KIND_TIMING, type KindCode } from './buffer';
import type { NormalisedTags } from './tags';

/**
 * Memory estimates for the byte bound (maxBufferedBytes). Serialised messages are counted
 * exactly (their UTF-8 bytes); what is still a JavaScript object is estimated, generously:
 * - a raw call in the ring: its slot (~41 bytes of preallocated arrays) plus a typical tag copy;
 * - an aggregate: the object (~15 fields), its two Map entries and key string, a tag copy;
 * - a histogram bucket: one Map entry of two numbers.
 */
export const RAW_CALL_BYTES = 200;
export const AGGREGATE_BYTES = 400;
export const BUCKET_BYTES = 48;

/** Contract limits of a merged event (/tmp/helpers/WIRE18.md, docs/WIRE_FORMAT.md). */
export const MAX_MERGED_COUNT = 1_000_000_000;
export const MAX_HISTOGRAM_PAIRS = 4_096;

// Imported bindings read on the caller's path, copied once: some loaders (tsx, esbuild's CommonJS
// interop) turn every read of an import into a getter call, which each call would pay.
const bucketOf = bucketIndex;
const MINUTE_MS = 60_000;
const MAX_ABS_SUM = WIRE_LIMITS.maxAbsValue;

/** `add` did not merge the call: the sum would leave the wire format's range. Open a new aggregate. */
export const NOT_MERGED = -1;

/**
 * The latest aggregate of each kind, held on purpose. After a flush no aggregate may be alive; a
 * major GC then frees their hidden class, and V8 discards every piece of optimised code that checks
 * for it (deopt reason "weak objects") — the caller's path ran interpreted after each major GC,
 * 2–3× slower (`npm run bench -- emitter`). One live instance per kind keeps the class alive.
 */
const latestOfKind: (SeriesAggregate | undefined)[] = [undefined, undefined, undefined];

/**
 * The calls on one series (metric, kind, tag set) within one flush interval and one UTC minute,
 * merged as the aggregated-event contract says: counts sum; timings keep sum, min, max, last and a
 * histogram over the rollups' own buckets (shared/histogram.ts); gauges keep the last value with
 * min, max and the sum of the readings. `startTs` / `endTs` are the earliest / latest call times; `last` is the value of
 * the latest call (a later call at the same millisecond wins, as it would in a rollup).
 *
 * Callers only merge values that are finite numbers, non-negative for counts and timings, and
 * times that are integers, so every merged value passes the validator's per-value rules if the
 * extremes do (the serialiser checks min, max and both times).
 */
export class SeriesAggregate {
  count = 1;
  sum: number;
  min: number;
  max: number;
  last: number;
  startTs: number;
  endTs: number;
  /** Estimated bytes held, for the byte bound. */
  bytes: number;
  /** Set when count or the histogram reached the contract's limit: the aggregate must be closed. */
  full = false;
  /** Timings only: bucket → calls. */
  readonly histogram: Map<number, number> | undefined;

  constructor(
    readonly kind: KindCode,
    readonly name: string,
    /** The call's own tags, copied (snapshotTags) or already normalised. */
    readonly tags: unknown,
    readonly base: NormalisedTags | undefined,
    readonly minute: number,
    value: number,
    ts: number,
  ) {
    this.sum = value;
    this.min = value;
    this.max = value;
    this.last = value;
    this.startTs = ts;
    this.endTs = ts;
    this.bytes = AGGREGATE_BYTES;
    if (kind === KIND_TIMING) {
      this.histogram = new Map([[bucketIndex(value), 1]]);
      this.bytes += BUCKET_BYTES;
    }
    latestOfKind[kind] = this;
  }

  /**
   * Merges one more call. Returns the bytes it added (a new histogram bucket, else 0), or
   * NOT_MERGED when the sum would pass ±1e15 (the call then starts a new aggregate); sets `full`
   * when count or the histogram reached the contract's limit, so the caller closes the aggregate.
   */
  add(value: number, ts: number): number {
    const sum = this.sum + value;
    if (sum > MAX_ABS_SUM || sum < -MAX_ABS_SUM) return NOT_MERGED;
    const count = ++this.count;
    this.sum = sum;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (ts >= this.endTs) {
      this.endTs = ts;
      this.last = value;
    } else if (ts < this.startTs) {
      this.startTs = ts;
    }
    let added = 0;
    const histogram = this.histogram;
    if (histogram !== undefined) {
      const bucket = bucketOf(value);
      const seen = histogram.get(bucket);
      if (seen === undefined) {
        histogram.set(bucket, 1);
        added = BUCKET_BYTES;
        this.bytes += BUCKET_BYTES;
        if (histogram.size >= MAX_HISTOGRAM_PAIRS) this.full = true;
      } else {
        histogram.set(bucket, seen + 1);
      }
    }
    if (count >= MAX_MERGED_COUNT) this.full = true;
    return added;
  }

  /** The wire `value`: the sum for counts and timings, the last value for gauges. */
  get wireValue(): number {
    return this.kind === KIND_GAUGE ? this.last : this.sum;
  }

  /**
   * The merged event's JSON fields after `ts`, for count > 1: `,"count":…,"start_ts":…,…`.
   * Numbers only (ASCII), so its byte length is its string length.
   */
  mergedFields(): string {
    let fields = `,"count":${this.count},"start_ts":${this.startTs},"min":${String(this.min)},"max":${String(this.max)}`;
    // Gauges: value is the last reading, so the sum travels apart (WIRE18.md "Changes" 1: rollups'
    // value_sum of a gauge is the sum of every reading). Counts and timings: value is the sum.
    if (this.kind === KIND_GAUGE) fields += `,"sum":${String(this.sum)}`;
    else fields += `,"last":${String(this.last)}`;
    if (this.histogram !== undefined) {
      const buckets = [...this.histogram.keys()].sort((a, b) => a - b);
      const pairs = buckets.map((b) => `[${b},${this.histogram?.get(b) as number}]`);
      fields += `,"histogram":[${pairs.join(',')}]`;
    }
    return fields;
  }

  get kindName(): string {
    return KIND_NAMES[this.kind];
  }
}

/** The UTC minute of an epoch-ms time: an aggregate never spans two, so 1-minute rollups stay exact. */
export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS);
}
