import { stringify } from 'yaml';
import { burnWindowPairs } from '../alerts/rules/burn-rate-rules';
import type { EventSelector, SloSpec } from '../shared/slo-catalogue';
import { GENERATED_HEADER } from './generated-header';
import { alertPolicyName, OBS_METRIC_SOURCE, OPENSLO_API_VERSION, type OpenSloDoc, type OpenSloSelector } from './openslo-model';

/** A catalogue SLO as OpenSLO v1 documents (openslo-model.ts explains the mapping). */

function selectorsOf(selectors: readonly EventSelector[]): OpenSloSelector[] {
  return selectors.map((s) => {
    const out: OpenSloSelector = { metric: s.metric };
    if (s.where !== undefined && Object.keys(s.where).length > 0) out.where = { ...s.where };
    if (s.maxMs !== undefined) out.maxMs = s.maxMs;
    return out;
  });
}

const source = (selectors: readonly EventSelector[]) => ({ metricSource: { type: OBS_METRIC_SOURCE, spec: { metrics: selectorsOf(selectors) } } });

/**
 * A latency SLI that is one timing metric with a threshold — total [m{where}], good [m{where} ≤ maxMs]
 * — is a thresholdMetric; its threshold, or null for any other SLI.
 */
export function thresholdShape(slo: SloSpec): { selector: EventSelector; maxMs: number } | null {
  const [total, ...moreTotal] = slo.sli.total;
  const [good, ...moreGood] = slo.sli.good ?? [];
  if (total === undefined || good === undefined || moreTotal.length > 0 || moreGood.length > 0 || slo.sli.bad !== undefined) return null;
  if (total.maxMs !== undefined || good.maxMs === undefined || good.metric !== total.metric) return null;
  const key = (w: Readonly<Record<string, string>> | undefined) => JSON.stringify(Object.entries(w ?? {}).sort());
  if (key(total.where) !== key(good.where)) return null;
  return { selector: total, maxMs: good.maxMs };
}

function sliDoc(slo: SloSpec): OpenSloDoc {
  const threshold = thresholdShape(slo);
  const spec: Record<string, unknown> = threshold
    ? { thresholdMetric: source([threshold.selector]) }
    : {
        ratioMetric: {
          counter: true,
          ...(slo.sli.good !== undefined ? { good: source(slo.sli.good) } : {}),
          ...(slo.sli.bad !== undefined ? { bad: source(slo.sli.bad) } : {}),
          total: source(slo.sli.total),
        },
      };
  return { apiVersion: OPENSLO_API_VERSION, kind: 'SLI', metadata: { name: slo.id, displayName: slo.name }, spec };
}

function timeWindow(slo: SloSpec): Record<string, unknown> {
  if (slo.calendar) return { duration: '1M', isRolling: false, calendar: { startTime: '2020-01-01 00:00:00', timeZone: slo.calendar.timeZone } };
  return { duration: `${slo.windowDays}d`, isRolling: true };
}

function policyDocs(slo: SloSpec): OpenSloDoc[] {
  const docs: OpenSloDoc[] = [];
  for (const tier of ['page', 'ticket'] as const) {
    for (const pair of burnWindowPairs(slo, tier)) {
      const name = alertPolicyName(slo.id, tier, pair.longWindow, pair.shortWindow);
      docs.push({
        apiVersion: OPENSLO_API_VERSION,
        kind: 'AlertPolicy',
        metadata: { name },
        spec: {
          description: `${slo.name}: ${pair.factor}× burn over ${pair.longWindow} and ${pair.shortWindow} (${tier}).`,
          alertWhenNoData: false,
          alertWhenResolved: true,
          alertWhenBreaching: true,
          conditions: [
            {
              kind: 'AlertCondition',
              metadata: { name: `${name}-condition` },
              spec: { severity: tier, condition: { kind: 'burnrate', op: 'gt', threshold: pair.factor, lookbackWindow: pair.longWindow, alertAfter: pair.shortWindow } },
            },
          ],
          notificationTargets: [],
        },
      });
    }
  }
  return docs;
}

/** The documents of one SLO: SLO, SLI, then its alert policies. */
export function openSloDocs(slo: SloSpec): OpenSloDoc[] {
  const policies = policyDocs(slo);
  const threshold = thresholdShape(slo);
  const objective: Record<string, unknown> = { displayName: slo.name, target: slo.objective };
  if (threshold) Object.assign(objective, { op: 'lte', value: threshold.maxMs });
  const sloDoc: OpenSloDoc = {
    apiVersion: OPENSLO_API_VERSION,
    kind: 'SLO',
    metadata: { name: slo.id, displayName: slo.name, labels: { module: slo.module, category: slo.category } },
    spec: {
      description: slo.description,
      service: slo.module,
      indicatorRef: slo.id,
      budgetingMethod: 'Occurrences',
      timeWindow: [timeWindow(slo)],
      objectives: [objective],
      alertPolicies: policies.map((p) => p.metadata.name),
    },
  };
  return [sloDoc, sliDoc(slo), ...policies];
}

/** Every SLO as one multi-document OpenSLO v1 YAML stream. */
export function openSloYaml(slos: readonly SloSpec[]): string {
  const docs = slos.flatMap(openSloDocs).map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false }));
  return GENERATED_HEADER('obs slo export --format openslo') + docs.join('---\n');
}
