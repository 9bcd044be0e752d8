import { burnRateRules } from '../alerts/rules/burn-rate-rules';
import { datadogMetricName, flattenedEventMetric } from '../shared/provider-metric-names';
import type { EventSelector, SloSpec } from '../shared/slo-catalogue';

/**
 * Datadog metric-based SLOs (API v1 `POST /api/v1/slo`, body `ServiceLevelObjectiveRequest`) and
 * their multiwindow burn-rate monitors (`POST /api/v1/monitor`, type `slo alert`, query
 * `burn_rate("<SLO id>").over("30d").long_window("1h").short_window("5m") > 14.4`), over the
 * points the Datadog exporter sends (shared/provider-metric-names.ts: a count metric under its
 * own name, a timing's observations as `<name>.count`). A latency SLI (observations at or under a
 * threshold) has no such point — the exporter sends timings as count, sum and percentiles — so
 * such an SLO is listed under `unsupported` with the reason, never approximated by a percentile.
 *
 * A monitor needs the id Datadog gives the SLO when it is created: the export writes
 * `${slo_id:<our id>}` in its place, to substitute after creating the SLO (docs/SLOS.md shows
 * how). Datadog SLOs have rolling 7/30/90-day timeframes: a calendar-month SLO is exported with
 * 30d and says so in its description.
 */

export interface DatadogSloExport {
  readonly sloId: string;
  /** Body of POST /api/v1/slo. */
  readonly slo: Record<string, unknown>;
  /** Bodies of POST /api/v1/monitor, one per burn-rate window pair. */
  readonly monitors: ReadonlyArray<Record<string, unknown>>;
}

/** The placeholder a monitor carries until the SLO exists: `${slo_id:<id>}`. */
export const sloIdPlaceholder = (sloId: string) => `\${slo_id:${sloId}}`;

const scope = (s: EventSelector) => {
  const tags = Object.keys(s.where ?? {}).sort().map((k) => `${k}:${(s.where as Record<string, string>)[k]}`);
  return `{${tags.length === 0 ? '*' : tags.join(',')}}`;
};

/** One selector as a Datadog query (the sum of its point as a count), or undefined when no point counts it. */
export function datadogQuery(s: EventSelector): string | undefined {
  const metric = flattenedEventMetric(s.metric, s.maxMs);
  return metric === undefined ? undefined : `sum:${datadogMetricName(metric)}${scope(s)}.as_count()`;
}

const unsupportedReason = (slo: SloSpec): string | undefined =>
  [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])].some((s) => datadogQuery(s) === undefined)
    ? 'a latency SLI: the Datadog exporter sends timings as count, sum and percentiles (exporters/export-points.ts), with no count of observations under a threshold'
    : undefined;

const sumOf = (selectors: readonly EventSelector[]) => selectors.map((s) => datadogQuery(s) as string).join(' + ');

/** numerator (good) and denominator (total): good = Σ good, or total − Σ bad. */
export function datadogRatio(slo: SloSpec): { numerator: string; denominator: string } {
  const denominator = sumOf(slo.sli.total);
  const numerator = slo.sli.good !== undefined ? sumOf(slo.sli.good) : `${denominator} - (${sumOf(slo.sli.bad ?? [])})`;
  return { numerator, denominator };
}

export function datadogSloExport(slo: SloSpec): DatadogSloExport {
  const tags = [`slo_id:${slo.id}`, `module:${slo.module}`, `category:${slo.category}`, 'managed-by:obs'];
  const description = slo.calendar ? `${slo.description} (a calendar month in ${slo.calendar.timeZone} in the pipeline; Datadog timeframes are rolling: 30d here)` : slo.description;
  const request = {
    name: slo.name,
    type: 'metric',
    description,
    query: datadogRatio(slo),
    thresholds: [{ timeframe: '30d', target: Number((slo.objective * 100).toFixed(6)) }],
    tags,
  };
  const monitors = burnRateRules([slo]).flatMap((rule) =>
    rule.windows.map((pair) => ({
      name: `${rule.name}: ${pair.factor}× over ${pair.longWindow} and ${pair.shortWindow}`,
      type: 'slo alert',
      query: `burn_rate("${sloIdPlaceholder(slo.id)}").over("30d").long_window("${pair.longWindow}").short_window("${pair.shortWindow}") > ${pair.factor}`,
      message: `${rule.summary} Runbook: ${rule.runbook}`,
      tags: [...tags, `tier:${rule.tier}`, `severity:${rule.severity}`, `rule_id:${rule.id}`],
      priority: rule.tier === 'page' ? 1 : 3,
      options: { thresholds: { critical: pair.factor } },
    })),
  );
  return { sloId: slo.id, slo: request, monitors };
}

export interface DatadogExport {
  readonly slos: readonly DatadogSloExport[];
  readonly unsupported: ReadonlyArray<{ sloId: string; reason: string }>;
}

export function datadogExport(slos: readonly SloSpec[]): DatadogExport {
  const unsupported: Array<{ sloId: string; reason: string }> = [];
  const exported: DatadogSloExport[] = [];
  for (const slo of slos) {
    const reason = unsupportedReason(slo);
    if (reason !== undefined) unsupported.push({ sloId: slo.id, reason });
    else exported.push(datadogSloExport(slo));
  }
  return { slos: exported, unsupported };
}

export function datadogSlosJson(slos: readonly SloSpec[]): string {
  return JSON.stringify({ generatedBy: 'obs slo export --format datadog', ...datadogExport(slos) }, null, 2);
}
