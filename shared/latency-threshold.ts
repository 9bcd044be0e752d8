import { bucketUpperBound, HISTOGRAM_LN_GAMMA, HISTOGRAM_ZERO_BUCKET } from './histogram';

/**
 * Latency SLIs count "good" events from histogram buckets, not from raw values, and a bucket is
 * all-or-nothing: bucket i holds (γ^(i−1), γ^i]. The rule here is conservative — a bucket is good
 * when its upper bound γ^i is at or under the threshold — so a slow request is never counted as
 * fast. The price is the bucket that straddles the threshold: its values in (γ^B, threshold] are
 * counted bad although they met it. That slice is less than 1 − 1/γ ≈ 1.98% of the threshold
 * (for 500 ms: 492.9–500 ms). docs/SLOS.md explains the bound and its effect on attainment.
 */

/** The largest bucket whose every value is ≤ `maxMs` (γ^i ≤ maxMs); the zero bucket when maxMs ≤ 0. */
export function maxGoodBucket(maxMs: number): number {
  if (!(maxMs > 0) || !Number.isFinite(maxMs)) {
    if (maxMs === Infinity) throw new Error('a latency threshold must be finite');
    return HISTOGRAM_ZERO_BUCKET;
  }
  let bucket = Math.floor(Math.log(maxMs) / HISTOGRAM_LN_GAMMA);
  // log/floor can be one off near a bucket boundary; settle on the exact bound.
  while (bucketUpperBound(bucket + 1) <= maxMs) bucket++;
  while (bucketUpperBound(bucket) > maxMs) bucket--;
  return bucket;
}

/** The largest latency a good bucket can hold, γ^B: what a latency SLI really measures against. */
export function effectiveThresholdMs(maxMs: number): number {
  return bucketUpperBound(maxGoodBucket(maxMs));
}
