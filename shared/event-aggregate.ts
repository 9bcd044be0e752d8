import { HISTOGRAM_ZERO_BUCKET } from './histogram';
import type { MetricKind } from './metric-catalogue';

/**
 * The optional fields of a merged event (issue #18): one event standing for `count` calls of one
 * series, as an aggregating emitter sends them. docs/WIRE_FORMAT.md states the rules for
 * producers; this module checks them. An event without these fields is exactly one call.
 *
 *   count     calls merged, 1 … 1e9 (absent = 1)
 *   value     count: the total counted; timing: the SUM of the durations; gauge: the LAST value
 *   min, max  smallest / largest value of the calls (count: of the increments); required when count > 1
 *   last      count and timing: the latest call's value (so rollups' last_value stays exact)
 *   sum       gauge: the sum of the values merged (value is the last); required when count > 1
 *   start_ts  the first call's time, same UTC minute as ts; ts is the latest call's time
 *   histogram timing: [bucket, count] pairs, the rollups' own buckets (shared/histogram.ts)
 */
export interface EventAggregate {
  count?: number;
  min?: number;
  max?: number;
  last?: number;
  /** Gauges: the sum of the values merged (a gauge's `value` is its last value). */
  sum?: number;
  start_ts?: number;
  /** `[bucket, count]` pairs, buckets strictly ascending, counts summing to `count`. */
  histogram?: Array<[number, number]>;
}

export const AGGREGATE_LIMITS = {
  maxCount: 1_000_000_000,
  maxHistogramPairs: 4_096,
  /** Relative tolerance of min·count ≤ value ≤ max·count (sums of doubles round). */
  relativeTolerance: 1e-9,
} as const;

/** The fields of {@link EventAggregate}, as they are spelt on the wire. */
export const AGGREGATE_FIELDS = ['count', 'min', 'max', 'last', 'sum', 'start_ts', 'histogram'] as const;

export type AggregateRejectionCode = 'invalid_count' | 'invalid_aggregate' | 'invalid_interval' | 'invalid_histogram';

export interface AggregateReason {
  code: AggregateRejectionCode;
  field: string;
  message: string;
}

/** Where reasons go: the validator's own list of rejections. */
export interface ReasonSink {
  readonly length: number;
  push(reason: AggregateReason): number;
}

const MINUTE_MS = 60_000;
const BUCKET_LIMIT = 2 ** 31;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const show = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'number' ? String(v) : typeof v === 'string' ? `a ${v.length}-character string` : typeof v);

/** a ≤ b, allowing the relative rounding of a sum of doubles. */
function atMost(a: number, b: number): boolean {
  return a <= b + AGGREGATE_LIMITS.relativeTolerance * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Checks the aggregate fields of `raw` (an event object whose kind, value and ts are checked
 * elsewhere: `kind`, `value`, `ts` are passed only when they are valid). Pushes every reason onto
 * `out`; returns the normalised fields (only those present) when there is none.
 */
export function validateAggregate(
  raw: Record<string, unknown>,
  kind: MetricKind | undefined,
  value: number | undefined,
  ts: number | undefined,
  path: string,
  maxAbsValue: number,
  out: ReasonSink,
): EventAggregate {
  const before = out.length;
  const result: EventAggregate = {};
  const { count, min, max, last, sum, start_ts: startTs, histogram } = raw;

  let calls: number | undefined = 1;
  if (count !== undefined) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > AGGREGATE_LIMITS.maxCount) {
      out.push({ code: 'invalid_count', field: `${path}.count`, message: `${path}.count must be an integer from 1 to ${AGGREGATE_LIMITS.maxCount} (the number of calls merged), got ${show(count)}` });
      calls = undefined;
    } else {
      calls = count;
      result.count = count;
    }
  }
  const merged = calls !== undefined && calls > 1;

  // min, max, last: finite numbers in range; timings and counts are never negative.
  const bounds: Record<'min' | 'max' | 'last' | 'sum', number | undefined> = { min: undefined, max: undefined, last: undefined, sum: undefined };
  for (const [name, v] of [['min', min], ['max', max], ['last', last], ['sum', sum]] as const) {
    if (v === undefined) {
      if (merged && name === 'sum' && kind === 'gauge') {
        out.push({ code: 'invalid_aggregate', field: `${path}.sum`, message: `${path}.sum is required on a gauge with count > 1 (the sum of the values merged; value is the last one)` });
      }
      if (merged && (name === 'min' || name === 'max')) out.push({ code: 'invalid_aggregate', field: `${path}.${name}`, message: `${path}.${name} is required when count > 1 (the ${name === 'min' ? 'smallest' : 'largest'} value of the calls merged)` });
      continue;
    }
    if (!isNumber(v) || Math.abs(v) > maxAbsValue) {
      out.push({ code: 'invalid_aggregate', field: `${path}.${name}`, message: `${path}.${name} must be a finite number within ±${maxAbsValue}, got ${show(v)}` });
      continue;
    }
    if ((kind === 'count' || kind === 'timing') && v < 0) {
      out.push({ code: 'invalid_aggregate', field: `${path}.${name}`, message: `${path}.${name} must not be negative for a ${kind}, got ${v}` });
      continue;
    }
    bounds[name] = v;
  }
  if (last !== undefined && kind === 'gauge') {
    out.push({ code: 'invalid_aggregate', field: `${path}.last`, message: `${path}.last is not allowed on a gauge: a gauge's value is already its last value` });
    bounds.last = undefined;
  }
  if (sum !== undefined && (kind === 'count' || kind === 'timing')) {
    out.push({ code: 'invalid_aggregate', field: `${path}.sum`, message: `${path}.sum is only for gauges: a ${kind}'s value is already the sum` });
    bounds.sum = undefined;
  }
  const lo = bounds.min;
  const hi = bounds.max;
  if (lo !== undefined && hi !== undefined && lo > hi) {
    out.push({ code: 'invalid_aggregate', field: `${path}.min`, message: `${path}.min ${lo} is greater than max ${hi}` });
  } else {
    if (value !== undefined && calls !== undefined && kind !== undefined) {
      if (kind === 'gauge') {
        if ((lo !== undefined && value < lo) || (hi !== undefined && value > hi)) {
          out.push({ code: 'invalid_aggregate', field: `${path}.value`, message: `${path}.value ${value} of a gauge (its last value) must lie between min ${show(lo)} and max ${show(hi)}` });
        }
      } else if ((lo !== undefined && !atMost(lo * calls, value)) || (hi !== undefined && !atMost(value, hi * calls))) {
        out.push({ code: 'invalid_aggregate', field: `${path}.value`, message: `${path}.value ${value} (the sum of ${calls} calls) must lie between min·count ${show(lo === undefined ? undefined : lo * calls)} and max·count ${show(hi === undefined ? undefined : hi * calls)}` });
      }
    }
    const total = bounds.sum;
    if (total !== undefined && calls !== undefined && ((lo !== undefined && !atMost(lo * calls, total)) || (hi !== undefined && !atMost(total, hi * calls)))) {
      out.push({ code: 'invalid_aggregate', field: `${path}.sum`, message: `${path}.sum ${total} (of ${calls} values) must lie between min·count ${show(lo === undefined ? undefined : lo * calls)} and max·count ${show(hi === undefined ? undefined : hi * calls)}` });
    } else if (total !== undefined && calls === 1 && value !== undefined && total !== value) {
      out.push({ code: 'invalid_aggregate', field: `${path}.sum`, message: `${path}.sum ${total} differs from value ${value}, but the event is one call` });
    }
    const l = bounds.last;
    if (l !== undefined && ((lo !== undefined && l < lo) || (hi !== undefined && l > hi))) {
      out.push({ code: 'invalid_aggregate', field: `${path}.last`, message: `${path}.last ${l} must lie between min ${show(lo)} and max ${show(hi)}` });
    } else if (l !== undefined && calls === 1 && value !== undefined && l !== value) {
      out.push({ code: 'invalid_aggregate', field: `${path}.last`, message: `${path}.last ${l} differs from value ${value}, but the event is one call` });
    }
  }

  // start_ts: the first call's time, in ts's minute, so every call lands in the 1-minute window of ts.
  if (startTs === undefined) {
    if (merged) out.push({ code: 'invalid_interval', field: `${path}.start_ts`, message: `${path}.start_ts is required when count > 1 (epoch ms of the first call merged)` });
  } else if (typeof startTs !== 'number' || !Number.isInteger(startTs)) {
    out.push({ code: 'invalid_interval', field: `${path}.start_ts`, message: `${path}.start_ts must be integer epoch milliseconds, got ${show(startTs)}` });
  } else if (ts !== undefined) {
    if (startTs > ts) {
      out.push({ code: 'invalid_interval', field: `${path}.start_ts`, message: `${path}.start_ts ${startTs} is after ts ${ts}; ts is the time of the latest call merged` });
    } else if (Math.floor(startTs / MINUTE_MS) !== Math.floor(ts / MINUTE_MS)) {
      out.push({ code: 'invalid_interval', field: `${path}.start_ts`, message: `${path}.start_ts ${startTs} is in another UTC minute than ts ${ts}; a merged event must not span a minute boundary (split it there)` });
    } else {
      result.start_ts = startTs;
    }
  }

  if (histogram !== undefined) {
    if (kind !== undefined && kind !== 'timing') {
      out.push({ code: 'invalid_histogram', field: `${path}.histogram`, message: `${path}.histogram is only allowed on timings, not on a ${kind}` });
    } else {
      const pairs = checkHistogram(histogram, calls, `${path}.histogram`, out);
      if (pairs) result.histogram = pairs;
    }
  } else if (merged && kind === 'timing') {
    out.push({ code: 'invalid_histogram', field: `${path}.histogram`, message: `${path}.histogram is required on a timing with count > 1 ([bucket, count] pairs, docs/WIRE_FORMAT.md)` });
  }

  if (out.length > before) return {};
  if (bounds.min !== undefined) result.min = bounds.min;
  if (bounds.max !== undefined) result.max = bounds.max;
  if (bounds.last !== undefined) result.last = bounds.last;
  if (bounds.sum !== undefined) result.sum = bounds.sum;
  return result;
}

/** The pairs, copied, or undefined after pushing the reason they are refused. */
function checkHistogram(histogram: unknown, calls: number | undefined, field: string, out: ReasonSink): Array<[number, number]> | undefined {
  const fail = (message: string) => {
    out.push({ code: 'invalid_histogram', field, message });
    return undefined;
  };
  if (!Array.isArray(histogram) || histogram.length === 0) return fail(`${field} must be a non-empty array of [bucket, count] pairs, got ${show(histogram)}`);
  if (histogram.length > AGGREGATE_LIMITS.maxHistogramPairs) return fail(`${field} has ${histogram.length} pairs; the limit is ${AGGREGATE_LIMITS.maxHistogramPairs}`);
  const pairs: Array<[number, number]> = new Array<[number, number]>(histogram.length);
  let total = 0;
  let previous = -Infinity;
  for (let i = 0; i < histogram.length; i++) {
    const pair: unknown = histogram[i];
    if (!Array.isArray(pair) || pair.length !== 2) return fail(`${field}[${i}] must be a [bucket, count] pair, got ${show(pair)}`);
    const [bucket, n] = pair as [unknown, unknown];
    if (typeof bucket !== 'number' || !Number.isInteger(bucket) || bucket < HISTOGRAM_ZERO_BUCKET || bucket >= BUCKET_LIMIT) {
      return fail(`${field}[${i}][0] must be an integer bucket (CEIL(LN(v)/LN(γ)), or ${HISTOGRAM_ZERO_BUCKET} for 0), got ${show(bucket)}`);
    }
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > AGGREGATE_LIMITS.maxCount) return fail(`${field}[${i}][1] must be an integer count ≥ 1, got ${show(n)}`);
    if (bucket <= previous) return fail(`${field} buckets must be strictly ascending; bucket ${bucket} at ${i} follows ${previous}`);
    previous = bucket;
    total += n;
    pairs[i] = [bucket, n];
  }
  if (calls !== undefined && total !== calls) return fail(`${field} counts sum to ${total}, but count is ${calls}`);
  return pairs;
}
