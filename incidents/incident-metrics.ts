import { SEVERITIES, type Severity } from '../shared/incident-tiers';
import type { ModuleId } from '../shared/modules';
import type { Incident } from './incident';

/** MTTA and MTTR of a set of incidents. */
export interface IncidentTimes {
  readonly incidents: number;
  readonly acknowledged: number;
  readonly resolved: number;
  /** Mean time to acknowledge: the mean of (first acknowledgement − opened) over the acknowledged ones; null when none was. */
  readonly mttaMs: number | null;
  /** Mean time to resolve: the mean of (resolved − opened) over the resolved ones; null when none was. */
  readonly mttrMs: number | null;
}

/** The month's incidents in the monthly report: those opened in it, per tier (severity) and per module. */
export interface IncidentMonthSummary extends IncidentTimes {
  readonly byTier: ReadonlyArray<{ readonly tier: Severity } & IncidentTimes>;
  readonly byModule: ReadonlyArray<{ readonly module: ModuleId } & IncidentTimes>;
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

/** MTTA and MTTR of `incidents`. Pure. An incident resolved before anyone acknowledged it counts in MTTR only. */
export function incidentTimes(incidents: readonly Incident[]): IncidentTimes {
  const acked = incidents.filter((i) => i.acknowledgedAtMs !== null && (i.resolvedAtMs === null || i.acknowledgedAtMs <= i.resolvedAtMs));
  const resolved = incidents.filter((i) => i.resolvedAtMs !== null);
  return {
    incidents: incidents.length,
    acknowledged: acked.length,
    resolved: resolved.length,
    mttaMs: mean(acked.map((i) => (i.acknowledgedAtMs as number) - i.openedAtMs)),
    mttrMs: mean(resolved.map((i) => (i.resolvedAtMs as number) - i.openedAtMs)),
  };
}

/** The summary of the incidents opened in [fromMs, toMs): all, per tier (P0 first, tiers with none left out) and per module. Pure. */
export function incidentMonthSummary(incidents: readonly Incident[], fromMs: number, toMs: number): IncidentMonthSummary {
  const inMonth = incidents.filter((i) => i.openedAtMs >= fromMs && i.openedAtMs < toMs);
  const modules = [...new Set(inMonth.map((i) => i.module))].sort();
  return {
    ...incidentTimes(inMonth),
    byTier: SEVERITIES.filter((s) => inMonth.some((i) => i.severity === s)).map((tier) => ({ tier, ...incidentTimes(inMonth.filter((i) => i.severity === tier)) })),
    byModule: modules.map((module) => ({ module, ...incidentTimes(inMonth.filter((i) => i.module === module)) })),
  };
}
