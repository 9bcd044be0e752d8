import { maxGoodBucket } from '../shared/latency-threshold';
import { prometheusBucketBoundsMs, prometheusLe } from '../shared/provider-metric-names';
import type { MinuteSeries } from './types';

/**
 * The Prometheus side (Pushgateway and `/metrics`), in the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). docs/OPERATIONS.md documents
 * the mapping:
 *
 * - metric names: every character outside `[a-zA-Z0-9_:]` becomes `_`, and a leading digit gets a
 *   `_` before it: `product.wallet.spend.success` → `product_wallet_spend_success`;
 * - a count is a counter `<name>_total`: the sum of the values of the hour's closed minutes so far
 *   (it starts again from 0 at every UTC hour: a counter reset, which rate() and increase() expect);
 * - a gauge keeps its name: the last value of the newest closed minute that had one this hour;
 * - a timing is a histogram in milliseconds: `<name>_bucket{le=…}` for the snapshot's bounds
 *   (shared/provider-metric-names.ts prometheusBucketBoundsMs: the fixed ladder and every latency
 *   threshold of the SLO catalogue in use, read when the snapshot is built), `_sum`,
 *   `_count`, accumulated over the hour like the counters. An observation is counted under `le`
 *   when its whole rollup bucket is ≤ le — the rule of the pipeline's own latency SLIs
 *   (shared/latency-threshold.ts), so `_bucket{le="500"}` counts what the SLO job counts good;
 * - tags become labels: names sanitised like metric names, values escaped (`\\`, `\"`, `\n`);
 * - `obs_export_minute_end_seconds`: the end of the newest minute the snapshot holds.
 * Samples carry no timestamps: the Pushgateway refuses them, and Prometheus stamps each scrape.
 */
export function prometheusName(name: string): string {
  const cleaned = name.replace(/[^\w:]/g, '_');
  return /^\d/.test(cleaned) ? `_${cleaned}` : cleaned;
}

export function prometheusLabelName(name: string): string {
  const cleaned = name.replace(/\W/g, '_');
  const safe = /^\d/.test(cleaned) ? `_${cleaned}` : cleaned;
  // Names starting with __ are reserved for Prometheus itself.
  return safe.startsWith('__') ? `tag${safe}` : safe || '_';
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

interface Family {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  /** label text (`{a="b"}` or '') → value, for counters and gauges; histograms keep theirs in `histograms`. */
  readonly samples: Map<string, number>;
  readonly histograms: Map<string, { labels: Array<[string, string]>; buckets: number[]; sum: number; count: number }>;
}

/** Cumulative state of one UTC hour's closed minutes, rendered as exposition text. */
export class PrometheusSnapshot {
  private readonly families = new Map<string, Family>();
  /** End (exclusive) of the newest minute added; the hour's start when empty. */
  uptoMs: number;
  /** The largest rollup bucket counted under each bound of {@link boundsMs}. */
  private readonly maxGoodBuckets: readonly number[];

  /**
   * @param boundsMs the histograms' `le` bounds, ascending; by default those of the SLO catalogue
   *   in use when the snapshot is built (the generators read the same, slo-as-code/sli-promql.ts).
   */
  constructor(
    readonly hourMs: number,
    readonly boundsMs: readonly number[] = prometheusBucketBoundsMs(),
  ) {
    this.uptoMs = hourMs;
    this.maxGoodBuckets = boundsMs.map(maxGoodBucket);
  }

  /** Adds one closed minute (the next one: minutes are added in order). */
  addMinute(minuteMs: number, series: readonly MinuteSeries[]): void {
    for (const s of series) {
      const labels = Object.entries(s.tags)
        .map(([k, v]) => [prometheusLabelName(k), v] as [string, string])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const key = labelText(labels);
      const base = prometheusName(s.name);
      if (s.kind === 'count') {
        const f = this.family(`${base}_total`, 'counter', `${s.name}: sum of the values of this UTC hour's closed minutes`);
        f.samples.set(key, (f.samples.get(key) ?? 0) + s.valueSum);
      } else if (s.kind === 'gauge') {
        if (s.lastValue === null) continue;
        this.family(base, 'gauge', `${s.name}: last value of the newest closed minute`).samples.set(key, s.lastValue);
      } else {
        const f = this.family(base, 'histogram', `${s.name} (milliseconds), this UTC hour's closed minutes`);
        let h = f.histograms.get(key);
        if (!h) f.histograms.set(key, (h = { labels, buckets: this.boundsMs.map(() => 0), sum: 0, count: 0 }));
        for (const [bucket, count] of s.histogram) {
          for (let i = 0; i < this.boundsMs.length; i++) if (bucket <= (this.maxGoodBuckets[i] as number)) h.buckets[i] = (h.buckets[i] as number) + count;
        }
        h.sum += s.valueSum;
        h.count += s.eventCount;
      }
    }
    this.uptoMs = Math.max(this.uptoMs, minuteMs + 60_000);
  }

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { type, help, samples: new Map(), histograms: new Map() }));
    return f;
  }

  /** The exposition text: families sorted by name, one HELP and TYPE line each. */
  render(): string {
    const lines: string[] = [];
    for (const name of [...this.families.keys()].sort()) {
      const f = this.families.get(name) as Family;
      lines.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`);
      for (const [labels, value] of f.samples) lines.push(`${name}${labels} ${formatValue(value)}`);
      for (const h of f.histograms.values()) {
        this.boundsMs.forEach((le, i) => lines.push(`${name}_bucket${labelText([...h.labels, ['le', prometheusLe(le)]])} ${h.buckets[i]}`));
        lines.push(`${name}_bucket${labelText([...h.labels, ['le', '+Inf']])} ${h.count}`);
        lines.push(`${name}_sum${labelText(h.labels)} ${formatValue(h.sum)}`, `${name}_count${labelText(h.labels)} ${h.count}`);
      }
    }
    lines.push('# HELP obs_export_minute_end_seconds End of the newest closed minute in these values (Unix seconds).', '# TYPE obs_export_minute_end_seconds gauge', `obs_export_minute_end_seconds ${this.uptoMs / 1000}`);
    return lines.join('\n') + '\n';
  }
}

function labelText(labels: ReadonlyArray<readonly [string, string]>): string {
  return labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
