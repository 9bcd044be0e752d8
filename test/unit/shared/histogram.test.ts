import fc from 'fast-check';
import { bucketIndex, bucketLowerBound, bucketUpperBound, bucketValue, histogramQuantile, HISTOGRAM_ZERO_BUCKET } from '../../../shared';

describe('log-bucketed histograms', () => {
  it('puts every positive value inside its bucket, and reports it within 1%', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (v) => {
        const b = bucketIndex(v);
        expect(v).toBeGreaterThan(bucketLowerBound(b) * (1 - 1e-12));
        expect(v).toBeLessThanOrEqual(bucketUpperBound(b) * (1 + 1e-12));
        expect(Math.abs(bucketValue(b) - v) / v).toBeLessThanOrEqual(0.01 + 1e-12);
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives zero its own bucket, below all others', () => {
    expect(bucketIndex(0)).toBe(HISTOGRAM_ZERO_BUCKET);
    expect(bucketIndex(1e-300)).toBeGreaterThan(HISTOGRAM_ZERO_BUCKET);
    expect(bucketValue(HISTOGRAM_ZERO_BUCKET)).toBe(0);
  });

  it('reads nearest-rank quantiles within 1% of the exact ones', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 500 }), fc.constantFrom(0.5, 0.9, 0.95, 0.99), (values, q) => {
        const counts = new Map<number, number>();
        for (const v of values) counts.set(bucketIndex(v), (counts.get(bucketIndex(v)) ?? 0) + 1);
        const sorted = [...values].sort((a, b) => a - b);
        const exact = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
        const estimate = histogramQuantile([...counts.entries()], q)!;
        expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.01 + 1e-9);
      }),
    );
  });

  it('has no quantile for an empty histogram', () => {
    expect(histogramQuantile([], 0.95)).toBeUndefined();
  });
});
