/**
 * Log-bucketed histograms in the style of DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and
 * Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", VLDB 2019).
 *
 * With relative accuracy α = 0.01, γ = (1 + α) / (1 − α). A value v > 0 falls in bucket
 * i = ⌈log_γ(v)⌉, which covers (γ^(i−1), γ^i]. Reporting the bucket's value as 2γ^i / (γ + 1)
 * is within α of every value in the bucket, so any quantile read from the buckets is within 1%
 * relative error of the true quantile's value. Buckets merge exactly by adding counts.
 * Zero (and only zero: timings are never negative) goes to a dedicated bucket below all others.
 */
export const HISTOGRAM_RELATIVE_ACCURACY = 0.01;
export const HISTOGRAM_GAMMA = (1 + HISTOGRAM_RELATIVE_ACCURACY) / (1 - HISTOGRAM_RELATIVE_ACCURACY);
export const HISTOGRAM_LN_GAMMA = Math.log(HISTOGRAM_GAMMA);
/** The bucket index of v = 0; sorts before every real bucket (1e-300 ms is bucket ≈ −34,540). */
export const HISTOGRAM_ZERO_BUCKET = -2_147_483_648;

/** The bucket of a non-negative value. */
export function bucketIndex(value: number): number {
  return value <= 0 ? HISTOGRAM_ZERO_BUCKET : Math.ceil(Math.log(value) / HISTOGRAM_LN_GAMMA);
}

/** Exclusive lower bound of a bucket's range (0 for the zero bucket). */
export function bucketLowerBound(bucket: number): number {
  return bucket === HISTOGRAM_ZERO_BUCKET ? 0 : Math.pow(HISTOGRAM_GAMMA, bucket - 1);
}

/** Inclusive upper bound of a bucket's range. */
export function bucketUpperBound(bucket: number): number {
  return bucket === HISTOGRAM_ZERO_BUCKET ? 0 : Math.pow(HISTOGRAM_GAMMA, bucket);
}

/** The value reported for a bucket: within 1% of every value the bucket holds. */
export function bucketValue(bucket: number): number {
  return bucket === HISTOGRAM_ZERO_BUCKET ? 0 : (2 * Math.pow(HISTOGRAM_GAMMA, bucket)) / (HISTOGRAM_GAMMA + 1);
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram given as (bucket, count) pairs, using the
 * nearest-rank definition: the value of the bucket holding the ⌈q·n⌉-th smallest observation.
 * Undefined for an empty histogram. The SQL rollups compute the same thing (aggregator/).
 */
export function histogramQuantile(buckets: ReadonlyArray<readonly [number, number]>, q: number): number | undefined {
  const sorted = [...buckets].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, c]) => sum + c, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bucket, count] of sorted) {
    seen += count;
    if (seen >= rank) return bucketValue(bucket);
  }
  return bucketValue((sorted[sorted.length - 1] as readonly [number, number])[0]);
}
