import { flattenedEventMetric, gcmMetricType } from '../shared/provider-metric-names';
import { MODULE_IDS, MODULES } from '../shared/modules';
import type { EventSelector, SloSpec } from '../shared/slo-catalogue';
import { selectorKey } from './selector-key';

/**
 * Cloud Monitoring SLOs (Service Monitoring API v3): one custom Service per module
 * (`services.create`, body `Service`) and its `ServiceLevelObjective`s
 * (`services.serviceLevelObjectives.create`), request-based over the custom metrics the Cloud
 * Monitoring exporter writes (shared/provider-metric-names.ts: a count metric under its own type,
 * a timing's observations as `<name>.count`), a `goodTotalRatio` of two filters. A latency SLI
 * (observations at or under a threshold) has no series there — the exporter sends timings as
 * count, sum and percentiles, not as a distribution — and is listed under `unsupported`.
 * Rolling windows are `rollingPeriod`; a calendar month is `calendarPeriod: MONTH` — which Cloud
 * Monitoring counts in UTC only (the time zone is named in the SLO's user labels).
 *
 * A `goodTotalRatio` filter selects one metric type, so an SLI that sums several metrics in one
 * role can be written only when its parts reduce to two single selectors (total = good + bad);
 * any other is listed under `unsupported` with the reason, never approximated.
 */

export interface GcmExport {
  /** `serviceId` and `serviceLevelObjectiveId` are the create calls' query parameters; `service` and `serviceLevelObjective` their bodies. */
  readonly services: ReadonlyArray<{ serviceId: string; service: Record<string, unknown>; serviceLevelObjectives: Array<{ serviceLevelObjectiveId: string; serviceLevelObjective: Record<string, unknown> }> }>;
  readonly unsupported: ReadonlyArray<{ sloId: string; reason: string }>;
}

/** A Monitoring filter of one selector (no threshold): the type of the point that counts its events, and its labels. */
export function gcmFilter(s: EventSelector): string {
  const labels = Object.keys(s.where ?? {}).sort().map((k) => ` metric.label.${JSON.stringify(k)}=${JSON.stringify((s.where as Record<string, string>)[k])}`);
  return `metric.type=${JSON.stringify(gcmMetricType(flattenedEventMetric(s.metric) ?? s.metric))}${labels.join('')}`;
}

type Ratio = { goodServiceFilter?: string; badServiceFilter?: string; totalServiceFilter?: string };

/** The SLI as two single-selector filters, or the reason it cannot be. */
export function gcmRatio(slo: SloSpec): Ratio | { unsupported: string } {
  const { total, good, bad } = slo.sli;
  const single = (list: readonly EventSelector[] | undefined) => (list !== undefined && list.length === 1 ? list[0] : undefined);
  if ([...total, ...(good ?? []), ...(bad ?? [])].some((s) => s.maxMs !== undefined)) return { unsupported: 'a latency SLI: the Cloud Monitoring exporter sends timings as count, sum and percentiles (exporters/export-points.ts), with no count of observations under a threshold' };
  const t = single(total);
  if (t && single(bad)) return { totalServiceFilter: gcmFilter(t), badServiceFilter: gcmFilter(single(bad)!) };
  if (t && single(good)) return { totalServiceFilter: gcmFilter(t), goodServiceFilter: gcmFilter(single(good)!) };
  // total = the other role + exactly one more selector: that one is the missing role.
  const given = good ?? bad ?? [];
  const rest = total.filter((s) => !given.some((g) => selectorKey(g) === selectorKey(s)));
  if (given.length === 1 && rest.length === 1 && total.length === 2) {
    const [g, b] = good !== undefined ? [given[0]!, rest[0]!] : [rest[0]!, given[0]!];
    return { goodServiceFilter: gcmFilter(g), badServiceFilter: gcmFilter(b) };
  }
  return { unsupported: 'the SLI sums several metrics in one role, which one Cloud Monitoring filter cannot select' };
}

function sloResource(slo: SloSpec): Record<string, unknown> | { unsupported: string } {
  const ratio = gcmRatio(slo);
  if ('unsupported' in ratio) return ratio;
  const requestBased = { goodTotalRatio: ratio };
  const period = slo.calendar ? { calendarPeriod: 'MONTH' } : { rollingPeriod: `${slo.windowDays * 86_400}s` };
  const userLabels: Record<string, string> = { slo_id: slo.id, module: slo.module, category: slo.category };
  if (slo.calendar) userLabels.time_zone = slo.calendar.timeZone.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  return { displayName: slo.name, goal: slo.objective, ...period, serviceLevelIndicator: { requestBased }, userLabels };
}

export function gcmExport(slos: readonly SloSpec[]): GcmExport {
  const unsupported: Array<{ sloId: string; reason: string }> = [];
  const services = MODULE_IDS.filter((m) => slos.some((s) => s.module === m)).map((module) => {
    const objectives: Array<{ serviceLevelObjectiveId: string; serviceLevelObjective: Record<string, unknown> }> = [];
    for (const slo of slos.filter((s) => s.module === module)) {
      const resource = sloResource(slo);
      if ('unsupported' in resource) unsupported.push({ sloId: slo.id, reason: String(resource.unsupported) });
      else objectives.push({ serviceLevelObjectiveId: slo.id, serviceLevelObjective: resource });
    }
    return { serviceId: `obs-${module.replace(/_/g, '-')}`, service: { displayName: MODULES[module].name, custom: {}, userLabels: { module } }, serviceLevelObjectives: objectives };
  });
  return { services, unsupported };
}

export function gcmSlosJson(slos: readonly SloSpec[]): string {
  return JSON.stringify({ generatedBy: 'obs slo export --format gcm', ...gcmExport(slos) }, null, 2);
}
