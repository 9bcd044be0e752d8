import { maxGoodBucket, effectiveThresholdMs } from '../../aggregator/latency-threshold';
import { SLOS, type SloSpec } from '../../shared/slo-catalogue';

/**
 * What the SLO queries need from the SLO catalogue (shared/slo-catalogue.ts), derived once: the
 * metrics any SLI reads, and the latency thresholds as histogram buckets. The queries are
 * generated from these at load time, so the golden files show the SQL for today's catalogue and a
 * catalogue change shows up in review as a golden-file change.
 *
 * This module defines no queries (no `QUERIES` export).
 */

const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Every metric named by a selector of `slos`, sorted. */
export function sliMetrics(slos: readonly SloSpec[] = SLOS): string[] {
  const names = new Set<string>();
  for (const slo of slos) {
    for (const s of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) names.add(s.metric);
  }
  return [...names].sort();
}

/** One latency threshold of a selector: good means "bucket ≤ maxBucket" (aggregator/latency-threshold.ts). */
export interface LatencyThreshold {
  readonly metric: string;
  readonly maxMs: number;
  readonly maxBucket: number;
}

/** Every distinct (metric, maxMs) of the catalogue's selectors, sorted. */
export function latencyThresholds(slos: readonly SloSpec[] = SLOS): LatencyThreshold[] {
  const seen = new Map<string, LatencyThreshold>();
  for (const slo of slos) {
    for (const s of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) {
      if (s.maxMs === undefined) continue;
      seen.set(`${s.metric}\u0000${s.maxMs}`, { metric: s.metric, maxMs: s.maxMs, maxBucket: maxGoodBucket(s.maxMs) });
    }
  }
  return [...seen.values()].sort((a, b) => a.metric.localeCompare(b.metric) || a.maxMs - b.maxMs);
}

/** `name IN ('a', 'b')` over the SLI metrics. */
export const sliMetricFilter = (column: string): string => `${column} IN (${sliMetrics().map(sqlString).join(', ')})`;

/** A CTE `thresholds(name, max_ms, max_bucket)` with one row per latency threshold. */
export function thresholdsCte(): string {
  const rows = latencyThresholds().map(
    (t) => `SELECT ${sqlString(t.metric)} AS name, ${t.maxMs} AS max_ms, ${t.maxBucket} AS max_bucket -- good: ≤ ${effectiveThresholdMs(t.maxMs).toFixed(1)} ms`,
  );
  if (rows.length === 0) rows.push(`SELECT CAST(NULL AS STRING) AS name, 0 AS max_ms, 0 AS max_bucket`);
  return `thresholds AS (\n  ${rows.join('\n  UNION ALL ')}\n)`;
}
