import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGGREGATE_LIMITS, bucketIndex, HISTOGRAM_ZERO_BUCKET, validateEvent, validateMessage, type MetricEvent, type RejectionCode } from '../../../shared';
import { mergeSeries, type Call } from '../../support/merge-calls';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 30);
const MINUTE = Math.floor(NOW / 60_000) * 60_000;
const opts = { nowMs: NOW };

const SERIES = {
  count: { name: 'product.wallet.spend.success', kind: 'count', tags: { feature: 'chat' } },
  timing: { name: 'product.wallet.spend.latency_ms', kind: 'timing', tags: { feature: 'chat' } },
  gauge: { name: 'infra.queue.depth', kind: 'gauge', tags: {} },
} as const;
type Kind = keyof typeof SERIES;

const valueOf = (kind: Kind) =>
  kind === 'gauge'
    ? fc.oneof(fc.integer({ min: -1_000, max: 1_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }))
    : kind === 'timing'
      ? fc.oneof(fc.constant(0), fc.double({ min: 0, max: 60_000, noNaN: true }), fc.integer({ min: 0, max: 5_000 }))
      : fc.integer({ min: 0, max: 100 });

/** 2 … 60 calls of one series within the minute before NOW, merged by the reference merge. */
const merged = (kind: Kind) =>
  fc
    .array(fc.record({ value: valueOf(kind), offset: fc.integer({ min: 0, max: 29_999 }) }), { minLength: 2, maxLength: 60 })
    .map((draws) => {
      const calls: Call[] = draws
        .map((d, i) => ({ id: `c${String(i).padStart(3, '0')}`, ...SERIES[kind], tags: { ...SERIES[kind].tags }, value: d.value, ts: MINUTE + d.offset }))
        .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
      return mergeSeries('m-1', calls);
    });
const anyMerged = fc.constantFrom<Kind>('count', 'timing', 'gauge').chain(merged);

function expectRejected(event: unknown, code: RejectionCode): void {
  const result = validateEvent(event, opts);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reasons.map((r) => r.code)).toContain(code);
  for (const reason of result.reasons) expect(reason.message.length).toBeGreaterThan(10);
}

describe('merged events (issue #18): the validator accepts what the contract allows', () => {
  it('accepts every merged count, timing and gauge the reference merge makes, and returns it unchanged', () => {
    fc.assert(
      fc.property(anyMerged, (event) => {
        // The wire is JSON: what a publisher sends is the JSON form (a -0 from the merge arrives as 0).
        const wire = JSON.parse(JSON.stringify(event)) as MetricEvent;
        expect(validateEvent(wire, opts)).toEqual({ ok: true, event: wire });
      }),
      { numRuns: 500 },
    );
  });

  it('still treats an event without the new fields as one call, and accepts count 1 with min = max = value', () => {
    const one = { id: 'e', ...SERIES.count, value: 3, ts: NOW };
    expect(validateEvent(one, opts)).toEqual({ ok: true, event: one });
    expect(validateEvent({ ...one, count: 1, min: 3, max: 3, last: 3, start_ts: NOW }, opts).ok).toBe(true);
  });

  it('accepts a sum that rounding put a hair outside min·count … max·count (relative tolerance 1e-9)', () => {
    const event = { id: 'e', ...SERIES.timing, value: 0.1 * 3 * (1 + 5e-10), ts: NOW, count: 3, min: 0.1, max: 0.1, start_ts: NOW, histogram: [[bucketIndex(0.1), 3]] };
    expect(validateEvent(event, opts).ok).toBe(true);
    expectRejected({ ...event, value: 0.1 * 3 * (1 + 1e-6) }, 'invalid_aggregate');
  });

  it('accepts the zero bucket and the largest count allowed', () => {
    const event = { id: 'e', ...SERIES.timing, value: 5, ts: NOW, count: AGGREGATE_LIMITS.maxCount, min: 0, max: 5, start_ts: NOW - 10, histogram: [[HISTOGRAM_ZERO_BUCKET, AGGREGATE_LIMITS.maxCount - 1], [bucketIndex(5), 1]] };
    expect(validateEvent(event, opts).ok).toBe(true);
  });
});

/** Corruptions of a valid merged event of the kind, each with the code it must be refused with. */
const corruptions: Array<[string, Kind | 'any', (e: MetricEvent) => Record<string, unknown>, RejectionCode]> = [
  ['count 0', 'any', (e) => ({ ...e, count: 0 }), 'invalid_count'],
  ['a fractional count', 'any', (e) => ({ ...e, count: (e.count ?? 2) + 0.5 }), 'invalid_count'],
  ['a count as a string', 'any', (e) => ({ ...e, count: String(e.count) }), 'invalid_count'],
  ['a count over a billion', 'any', (e) => ({ ...e, count: AGGREGATE_LIMITS.maxCount + 1 }), 'invalid_count'],
  ['min missing', 'any', ({ min: _min, ...e }) => e, 'invalid_aggregate'],
  ['max missing', 'any', ({ max: _max, ...e }) => e, 'invalid_aggregate'],
  ['min above max', 'any', (e) => ({ ...e, min: (e.max ?? 0) + 1 }), 'invalid_aggregate'],
  ['max below the value it must bound', 'any', (e) => ({ ...e, max: e.kind === 'gauge' ? e.value - 1 : e.value / (e.count ?? 1) - 1, min: Math.min(e.min ?? 0, e.value / (e.count ?? 1) - 2, e.kind === 'gauge' ? e.value - 2 : Infinity) }), 'invalid_aggregate'],
  ['a min that is NaN in disguise (null)', 'any', (e) => ({ ...e, min: null }), 'invalid_aggregate'],
  ['a last on a gauge', 'gauge', (e) => ({ ...e, last: e.value }), 'invalid_aggregate'],
  ['sum missing on a merged gauge', 'gauge', ({ sum: _s, ...e }) => e, 'invalid_aggregate'],
  ['a sum on a count', 'count', (e) => ({ ...e, sum: e.value }), 'invalid_aggregate'],
  ['a sum on a timing', 'timing', (e) => ({ ...e, sum: e.value }), 'invalid_aggregate'],
  ['a gauge sum above max·count', 'gauge', (e) => ({ ...e, sum: (e.max ?? 0) * (e.count ?? 1) + 1 + Math.abs(e.max ?? 0) }), 'invalid_aggregate'],
  ['a last above max', 'count', (e) => ({ ...e, last: (e.max ?? 0) + 1 }), 'invalid_aggregate'],
  ['a last above max', 'timing', (e) => ({ ...e, last: (e.max ?? 0) + 1 }), 'invalid_aggregate'],
  ['start_ts missing', 'any', ({ start_ts: _s, ...e }) => e, 'invalid_interval'],
  ['start_ts after ts', 'any', (e) => ({ ...e, start_ts: e.ts + 1 }), 'invalid_interval'],
  ['start_ts in the minute before', 'any', (e) => ({ ...e, start_ts: MINUTE - 1 }), 'invalid_interval'],
  ['a fractional start_ts', 'any', (e) => ({ ...e, start_ts: (e.start_ts ?? 0) + 0.5 }), 'invalid_interval'],
  ['a histogram on a count', 'count', (e) => ({ ...e, histogram: [[1, e.count]] }), 'invalid_histogram'],
  ['a histogram on a gauge', 'gauge', (e) => ({ ...e, histogram: [[1, e.count]] }), 'invalid_histogram'],
  ['no histogram on a merged timing', 'timing', ({ histogram: _h, ...e }) => e, 'invalid_histogram'],
  ['histogram counts one short of count', 'timing', (e) => ({ ...e, count: (e.count ?? 0) + 1, max: (e.max ?? 0) + e.value }), 'invalid_histogram'],
  ['histogram buckets in descending order', 'timing', (e) => ({ ...e, histogram: [[10, 1], [5, (e.count ?? 2) - 1]] }), 'invalid_histogram'],
  ['a histogram pair that is an object', 'timing', (e) => ({ ...e, histogram: [{ bucket: 1, count: e.count }] }), 'invalid_histogram'],
  ['a fractional bucket', 'timing', (e) => ({ ...e, histogram: [[1.5, e.count]] }), 'invalid_histogram'],
  ['a bucket count of 0', 'timing', (e) => ({ ...e, histogram: [[1, 0], [2, e.count]] }), 'invalid_histogram'],
  ['4,097 histogram pairs', 'timing', (e) => ({ ...e, count: 4_097, min: 0, max: e.value, histogram: Array.from({ length: 4_097 }, (_, i) => [i, 1]) }), 'invalid_histogram'],
];

describe('merged events (issue #18): each corruption is refused with its code', () => {
  it.each(corruptions)('refuses %s (%s)', (_label, kind, corrupt, code) => {
    const kinds: Kind[] = kind === 'any' ? ['count', 'timing', 'gauge'] : [kind];
    fc.assert(
      fc.property(fc.constantFrom(...kinds).chain(merged), (event) => {
        expectRejected(JSON.parse(JSON.stringify(corrupt(event))), code);
      }),
      { numRuns: 60 },
    );
  });
});

describe('docs/WIRE_FORMAT.md', () => {
  it('shows an example merged message that the validator accepts whole, with the buckets the text names', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'WIRE_FORMAT.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Merged events'));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(json).toBeDefined();
    const decoded = validateMessage(JSON.parse(json as string), { nowMs: Date.UTC(2026, 10, 26, 12, 5) });
    expect(decoded.messageReasons).toEqual([]);
    expect(decoded.rejected).toEqual([]);
    expect(decoded.valid.map((e) => e.count)).toEqual([2, 3]);
    for (const [ms, bucket] of [[12, 125], [15, 136], [40, 185]] as const) {
      expect(bucketIndex(ms)).toBe(bucket);
      expect(section).toContain(`${ms} ms is bucket ${bucket}`.replace(`${ms} ms is bucket`, ms === 12 ? '12 ms is bucket' : `${ms} ms bucket`));
    }
  });
});
