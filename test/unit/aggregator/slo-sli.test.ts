import fc from 'fast-check';
import { effectiveThresholdMs, maxGoodBucket } from '../../../shared/latency-threshold';
import { assertSliSpec, SliInputs, type SeriesGoodSums, type SeriesSums } from '../../../aggregator/slo-sli';
import { bucketIndex, bucketUpperBound, getSlo, HISTOGRAM_ZERO_BUCKET, type SloSpec } from '../../../shared';

const sums = (name: string, seriesKey: string, events: number, values: number): SeriesSums => ({ name, seriesKey, events: { w: events }, values: { w: values } });
const good = (name: string, seriesKey: string, maxMs: number, n: number): SeriesGoodSums => ({ name, seriesKey, maxMs, good: { w: n } });

describe('SLI selectors over series sums', () => {
  const core = getSlo('core-api-availability')!;
  const inputs = new SliInputs(
    [
      sums('infra.http.request.count', 'endpoint=/a,status_class=2xx,tier=core', 10, 900),
      sums('infra.http.request.count', 'endpoint=/a,status_class=5xx,tier=core', 3, 7),
      sums('infra.http.request.count', 'endpoint=/b,status_class=5xx,tier=secondary', 5, 50),
      sums('infra.http.request.latency_ms', 'tier=core', 1_000, 123_456),
      sums('product.chat.message.failed', 'channel=dm', 4, 6),
      sums('product.chat.delivery.latency_ms', 'channel=dm', 200, 5_000),
    ],
    [good('infra.http.request.latency_ms', 'tier=core', 500, 960), good('product.chat.delivery.latency_ms', 'channel=dm', 60_000, 199)],
  );

  it('adds the values of count metrics (an event may count many requests) and filters on tags', () => {
    expect(inputs.counts(core, 'w')).toEqual({ good: 900, total: 907 });
    expect(inputs.counts(getSlo('secondary-api-availability')!, 'w')).toEqual({ good: 0, total: 50 });
  });

  it('counts observations of timing metrics, and good ones from the histogram sums', () => {
    expect(inputs.counts(getSlo('api-latency')!, 'w')).toEqual({ good: 960, total: 1_000 });
  });

  it('mixes kinds in one SLI: chat delivery is timed deliveries plus failed messages', () => {
    expect(inputs.counts(getSlo('chat-delivery')!, 'w')).toEqual({ good: 199, total: 206 });
  });

  it('has zero totals, not errors, for an SLO without series or for an unknown slot', () => {
    expect(inputs.counts(getSlo('wallet-spend-success')!, 'w')).toEqual({ good: 0, total: 0 });
    expect(inputs.counts(core, 'nope')).toEqual({ good: 0, total: 0 });
  });

  it('clamps good into [0, total] when bad events fall outside the total filter', () => {
    const odd: SloSpec = { ...core, sli: { total: [{ metric: 'infra.http.request.count', where: { tier: 'core' } }], bad: [{ metric: 'infra.http.request.count' }] } };
    expect(inputs.counts(odd, 'w')).toEqual({ good: 0, total: 907 });
  });

  it('rejects SLI specs it cannot compute, at load time', () => {
    const bad = (sli: SloSpec['sli'], objective = 0.99): SloSpec => ({ ...core, objective, sli });
    expect(() => assertSliSpec(bad({ total: [{ metric: 'infra.queue.depth' }], good: [{ metric: 'infra.queue.depth' }] }))).toThrow(/gauge/);
    expect(() => assertSliSpec(bad({ total: [{ metric: 'infra.http.request.count', maxMs: 5 }], good: [] }))).toThrow(/timing/);
    expect(() => assertSliSpec(bad({ total: [{ metric: 'infra.http.request.count' }] }))).toThrow(/exactly one of good or bad/);
    expect(() => assertSliSpec(bad({ total: [{ metric: 'infra.http.request.count' }], bad: [] }, 1))).toThrow(/objective/);
  });
});

describe('latency thresholds as histogram buckets', () => {
  it('counts a bucket as good only when its whole range is at or under the threshold', () => {
    for (const ms of [500, 3_000, 60_000, 1, 0.5, 12_345.6]) {
      const b = maxGoodBucket(ms);
      expect(bucketUpperBound(b)).toBeLessThanOrEqual(ms);
      expect(bucketUpperBound(b + 1)).toBeGreaterThan(ms);
    }
    expect(maxGoodBucket(0)).toBe(HISTOGRAM_ZERO_BUCKET);
  });

  it('loses less than 2% of the threshold to the straddling bucket (500 ms → 492.9 ms)', () => {
    expect(effectiveThresholdMs(500)).toBeCloseTo(492.9, 1);
    for (const ms of [500, 3_000, 60_000]) expect(1 - effectiveThresholdMs(ms) / ms).toBeLessThan(1 - 0.99 / 1.01);
  });

  it('classifies every value exactly like "its bucket ≤ the last good bucket"', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(500, 3_000, 60_000), (v, ms) => {
        const isGood = bucketIndex(v) <= maxGoodBucket(ms);
        if (v <= effectiveThresholdMs(ms) * (1 - 1e-12)) expect(isGood).toBe(true);
        if (v > ms) expect(isGood).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
