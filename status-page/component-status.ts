import { severityRank, type ModuleId } from '../shared';
import type { ModuleReadiness } from '../health/module-readiness';
import type { ActiveAlert } from '../health/live-signals';
import type { ComponentStatus, Indicator, IncidentImpact } from './summary';

/**
 * A module's public status from its readiness (health/module-readiness.ts, the feature matrix's
 * rules) and its maintenance windows — pure. docs/OPERATIONS.md "Status page" states the table:
 *
 * - under a maintenance window now → `under_maintenance` (its alerts are muted meanwhile);
 * - not_ready with a firing P0 alert of the module → `major_outage`;
 * - not_ready otherwise (a firing P1, or an SLO whose error budget is exhausted) → `partial_outage`;
 * - degraded (a firing P2/P3, or an SLO burning its budget) → `degraded_performance`;
 * - ready → `operational`;
 * - no_data (none of its metrics in the last 15 minutes) → `operational`: no traffic measured is
 *   not a failure seen. A pipeline that stops receiving data is itself watched (the
 *   infrastructure module's pipeline alerts), and the page says when the data is not recent.
 */
export function componentStatus(module: ModuleId, readiness: ModuleReadiness, alerts: readonly ActiveAlert[], inMaintenance: boolean): ComponentStatus {
  if (inMaintenance) return 'under_maintenance';
  switch (readiness.readiness) {
    case 'not_ready': {
      const p0 = alerts.some((a) => a.module === module && a.state === 'firing' && severityRank(a.severity) === severityRank('P0'));
      return p0 ? 'major_outage' : 'partial_outage';
    }
    case 'degraded':
      return 'degraded_performance';
    case 'ready':
    case 'no_data':
      return 'operational';
  }
}

const INDICATOR_RANK: Record<Indicator, number> = { none: 0, minor: 1, major: 2, critical: 3 };
const COMPONENT_INDICATOR: Record<ComponentStatus, Indicator> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};
const DESCRIPTION: Record<Indicator, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
};

/**
 * The page's overall status, as Statuspage rolls it up: the worst of the components' statuses
 * (degraded → minor, partial outage → major, major outage → critical) and of the unresolved
 * incidents' impacts. With nothing worse and a component under maintenance, the indicator stays
 * `none` and the description says so.
 */
export function overallStatus(statuses: readonly ComponentStatus[], openImpacts: readonly IncidentImpact[]): { indicator: Indicator; description: string } {
  let indicator: Indicator = 'none';
  for (const i of [...statuses.map((s) => COMPONENT_INDICATOR[s]), ...openImpacts]) {
    if (INDICATOR_RANK[i] > INDICATOR_RANK[indicator]) indicator = i;
  }
  if (indicator === 'none' && statuses.includes('under_maintenance')) return { indicator, description: 'Service Under Maintenance' };
  return { indicator, description: DESCRIPTION[indicator] };
}

/** The words the HTML page shows for a status (Statuspage's). */
export const STATUS_LABEL: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded Performance',
  partial_outage: 'Partial Outage',
  major_outage: 'Major Outage',
  under_maintenance: 'Under Maintenance',
};
