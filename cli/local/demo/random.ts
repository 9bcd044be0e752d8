/** mulberry32: a small seeded PRNG, so a demo run is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A log-normal sample with the given median and shape (σ of the underlying normal). */
export function logNormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}

/** A Poisson-ish count for an expected value (normal approximation above 30). */
export function countFor(random: () => number, expected: number): number {
  if (expected <= 0) return 0;
  if (expected > 30) return Math.max(0, Math.round(expected + Math.sqrt(expected) * (random() * 2 - 1)));
  let k = 0;
  let p = Math.exp(-expected);
  let s = p;
  const u = random();
  while (u > s && k < 1_000) {
    k++;
    p *= expected / k;
    s += p;
  }
  return k;
}
