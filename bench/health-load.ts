/**
 * The load generator of bench/health.bench.ts, run in a process of its own so that it does not
 * share an event loop with the server it measures (two cores: one each).
 *
 *   node --import tsx bench/health-load.ts <url> <requests per second> <seconds> <connections>
 *
 * Drives `url` with autocannon at a fixed overall rate and prints one JSON line (LoadResult).
 *
 * What autocannon's fixed rate is: each connection sends requests back to back (the next when the
 * previous answers) until it has made its share of the second's requests, then pauses until the
 * next second (node_modules/autocannon/lib/httpClient.js). So 1,000 requests/s arrive as one burst
 * at the start of each second, answered by `connections` concurrent connections — a harsher load
 * than evenly spaced requests. Its own latency percentiles are whole milliseconds, and with a rate
 * set they are "corrected for coordinated omission" with an expected interval of ceil(1 / rate)
 * = 1 ms, which adds synthetic samples for every response slower than 1 ms. Both are reported,
 * beside the exact latencies: each response's time (autocannon's hrtime measurement, in fractional
 * milliseconds) collected here from its `response` events.
 */

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number };
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}

type Autocannon = (
  options: { url: string; connections: number; overallRate: number; duration: number },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

export interface LoadResult {
  readonly requests: number;
  readonly durationS: number;
  readonly achievedRate: number;
  /** Connection errors, timeouts and non-2xx answers. */
  readonly errors: number;
  /** Exact response times of the 2xx answers, ms. */
  readonly exact: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number; readonly mean: number };
  /** autocannon's own figures: whole ms, corrected for coordinated omission (see above). */
  readonly autocannon: { readonly p50: number; readonly p99: number };
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const [url, rate, seconds, connections] = process.argv.slice(2);
  if (!url || !rate || !seconds || !connections) throw new Error('usage: health-load.ts <url> <rate> <seconds> <connections>');
  // autocannon ships no types; the shape used here is declared above.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as Autocannon;
  const latencies: number[] = [];
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon({ url, connections: Number(connections), overallRate: Number(rate), duration: Number(seconds) }, (error, r) =>
      error ? reject(error) : resolve(r),
    );
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
  const sorted = latencies.sort((a, b) => a - b);
  const out: LoadResult = {
    requests: result.requests.total,
    durationS: result.duration,
    achievedRate: result.requests.total / result.duration,
    errors: result.errors + result.timeouts + result.non2xx,
    exact: {
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      max: sorted[sorted.length - 1] ?? NaN,
      mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    },
    autocannon: { p50: result.latency.p50, p99: result.latency.p99 },
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
