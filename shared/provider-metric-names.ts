import { getMetric, isMetricName, type MetricKind } from './metric-catalogue';
import { activeSlos, type SloSpec } from './slo-catalogue';

/**
 * How a catalogue metric is named in each metrics provider: ONE mapping, shared by the exporters
 * (which write the series) and by the SLO and dashboard generators (slo-as-code/, which query
 * them), so a generated rule or dashboard always reads the series an exporter writes.
 * docs/SLOS.md "Metric names in each provider" shows the table.
 *
 * Prometheus (exposition format, Pushgateway and /metrics):
 * - the name's dots become underscores: `product.wallet.spend.success` → `product_wallet_spend_success`;
 * - a count metric is a counter, `<name>_total`, incremented by each closed minute's sum of values
 *   (an event may count many requests, as the SLIs read it);
 * - a timing metric is a histogram in milliseconds (the catalogue's unit, kept so thresholds read
 *   the same everywhere): `<name>_bucket{le="…"}`, `<name>_count`, `<name>_sum`, so a latency SLI
 *   is `<name>_bucket{le="<maxMs>"}` over `<name>_count`: the exporter's bounds are
 *   {@link prometheusBucketBoundsMs}, the fixed ladder plus every latency threshold of the SLO
 *   catalogue in use, so every catalogue SLO's threshold is an `le` bound;
 * - a gauge keeps its name;
 * - event tags become labels of the same name.
 *
 * Datadog and Cloud Monitoring get the points of exporters/export-points.ts: a count metric as
 * `<name>` (the minute's delta), a gauge as `<name>`, a timing flattened into `<name>.count` and
 * `<name>.sum` (deltas) and `<name>.min|max|p50|p95|p99` (gauges) — so a latency SLI's "good"
 * (observations at or under a threshold) has no series there, and the SLO generators say so
 * rather than approximate it. Datadog keeps the name (dots are its separator), tags as `key:value`;
 * Cloud Monitoring names it `custom.googleapis.com/<name with dots as slashes>`, tags as labels.
 */

export type ProviderMetricKind = MetricKind;

function kindOf(name: string): MetricKind {
  if (!isMetricName(name)) throw new Error(`unknown metric ${name}`);
  return getMetric(name).kind;
}

/** The Prometheus base name: dots (and anything else outside [a-zA-Z0-9_:]) become underscores. */
export function prometheusBaseName(name: string): string {
  return name.replace(/[^\w:]/g, '_');
}

/** The Prometheus series a count metric is read from: the counter `<base>_total`. */
export function prometheusCounterName(name: string): string {
  return `${prometheusBaseName(name)}_total`;
}

/** The Prometheus series of a timing histogram: `<base>_bucket`, `<base>_count`, `<base>_sum`. */
export function prometheusHistogramNames(name: string): { bucket: string; count: string; sum: string } {
  const base = prometheusBaseName(name);
  return { bucket: `${base}_bucket`, count: `${base}_count`, sum: `${base}_sum` };
}

/**
 * The Prometheus series that counts one metric's SLI events: a count metric's counter (its values),
 * a timing metric's `_count` (one per observation), or with `maxMs` its `_bucket{le=maxMs}`.
 * Throws for a gauge (an SLI counts events).
 */
export function prometheusEventSeries(name: string, maxMs?: number): { metric: string; le?: string } {
  const kind = kindOf(name);
  if (kind === 'gauge') throw new Error(`${name} is a gauge; an SLI counts events`);
  if (kind === 'count') return { metric: prometheusCounterName(name) };
  const names = prometheusHistogramNames(name);
  return maxMs === undefined ? { metric: names.count } : { metric: names.bucket, le: prometheusLe(maxMs) };
}

/** The fixed `le` ladder (ms) of every Prometheus timing histogram, before the SLO thresholds are added. */
export const PROMETHEUS_LADDER_BOUNDS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000];

/** Every latency threshold (`maxMs`) of the SLIs of `slos`, in ms. */
export function latencyThresholdsMs(slos: readonly SloSpec[]): number[] {
  return slos.flatMap((slo) => [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]).flatMap((s) => (s.maxMs === undefined ? [] : [s.maxMs]));
}

/**
 * The `le` bounds (ms) of the Prometheus exporter's histograms: {@link PROMETHEUS_LADDER_BOUNDS_MS}
 * ∪ every latency threshold of `slos` (default: the catalogue in use, built-in SLOs and
 * OBS_SLO_FILE imports), ascending, without duplicates. The exporter calls it when it builds a
 * snapshot (exporters/prometheus-text.ts) and the SLO and dashboard generators when they check a
 * threshold (slo-as-code/sli-promql.ts): one answer, so a generated `_bucket{le="<maxMs>"}` is a
 * series the exporter writes. A function, read at call time: the entry points load OBS_SLO_FILE
 * after the modules are imported (slo-as-code/activate.ts).
 */
export function prometheusBucketBoundsMs(slos: readonly SloSpec[] = activeSlos()): number[] {
  return [...new Set([...PROMETHEUS_LADDER_BOUNDS_MS, ...latencyThresholdsMs(slos)])].sort((a, b) => a - b);
}

/** The `le` label value of a bound in ms, as the exposition format writes a float (`500`, `0.5`, `+Inf`). */
export function prometheusLe(maxMs: number): string {
  return maxMs === Infinity ? '+Inf' : String(maxMs);
}

/**
 * The Datadog / Cloud Monitoring point that counts one metric's events: a count metric's own
 * point (its values), a timing's `<name>.count` (observations); undefined for a latency threshold
 * (no such point) or a gauge.
 */
export function flattenedEventMetric(name: string, maxMs?: number): string | undefined {
  const kind = kindOf(name);
  if (kind === 'gauge' || maxMs !== undefined) return undefined;
  return kind === 'count' ? name : `${name}.count`;
}

/** Datadog: the catalogue name unchanged. */
export function datadogMetricName(name: string): string {
  return name;
}

/** Cloud Monitoring: `custom.googleapis.com/<name with dots as slashes>`. */
export function gcmMetricType(name: string): string {
  return `custom.googleapis.com/${name.split('.').join('/')}`;
}
