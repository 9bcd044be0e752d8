import { activeSlos, MODULES, MODULE_IDS, severityRank, type ModuleId } from '../shared';
import type { LiveSignals } from './live-signals';

export type ReadinessStatus = 'ready' | 'degraded' | 'not_ready' | 'no_data';

export interface ModuleReadiness {
  feature: string;
  packs: readonly string[];
  ready: boolean;
  readiness: ReadinessStatus;
  /** One line for people, e.g. "Not ready: P0 wallet-spend-failures-critical firing". */
  status: string;
  reasons: string[];
  slos: Array<{ id: string; status: string; attainment: number | null; budgetRemaining: number | null }>;
  activeAlerts: number;
  lastMetricMs: number | null;
}

/**
 * A module's readiness, derived from live data only (docs/OPERATIONS.md, "Feature matrix"):
 * - not_ready: a firing P0 or P1 alert of the module, or one of its SLOs has exhausted its budget;
 * - no_data: none of its metrics arrived in the last 15 minutes;
 * - degraded: a firing P2/P3 alert, or an SLO at risk (still ready: degraded is not down);
 * - ready: none of the above.
 */
export function moduleReadiness(module: ModuleId, signals: LiveSignals): ModuleReadiness {
  const reasons: string[] = [];
  const firing = signals.alerts.filter((a) => a.module === module && a.state === 'firing');
  const severe = firing.filter((a) => severityRank(a.severity) <= severityRank('P1'));
  const mild = firing.filter((a) => severityRank(a.severity) > severityRank('P1'));
  const moduleSlos = activeSlos().filter((s) => s.module === module).map((spec) => {
    const snapshot = signals.slos.find((s) => s.sloId === spec.id);
    return { id: spec.id, status: snapshot?.status ?? 'no_data', attainment: snapshot?.attainment ?? null, budgetRemaining: snapshot?.budgetRemaining ?? null };
  });
  const lastMetricMs = signals.moduleLastMetricMs[module] ?? null;

  let readiness: ReadinessStatus = 'ready';
  for (const a of severe) reasons.push(`${a.severity} ${a.ruleId} firing`);
  for (const s of moduleSlos.filter((s) => s.status === 'exhausted')) reasons.push(`SLO ${s.id} error budget exhausted`);
  if (reasons.length > 0) readiness = 'not_ready';
  else if (lastMetricMs === null) {
    readiness = 'no_data';
    reasons.push('no metrics received in the last 15 minutes');
  } else {
    for (const a of mild) reasons.push(`${a.severity} ${a.ruleId} firing`);
    for (const s of moduleSlos.filter((s) => s.status === 'at_risk')) reasons.push(`SLO ${s.id} burning its budget`);
    if (reasons.length > 0) readiness = 'degraded';
  }
  if (!signals.alertsKnown) reasons.push('alert state unavailable');

  const label = { ready: 'Operational', degraded: 'Degraded', not_ready: 'Not ready', no_data: 'No data' }[readiness];
  return {
    feature: MODULES[module].name,
    packs: MODULES[module].packs,
    ready: readiness === 'ready' || readiness === 'degraded',
    readiness,
    status: reasons.length > 0 ? `${label}: ${reasons.join('; ')}` : label,
    reasons,
    slos: moduleSlos,
    activeAlerts: firing.length,
    lastMetricMs,
  };
}

export interface FeatureMatrix {
  features: Record<ModuleId, ModuleReadiness>;
  overallReady: boolean;
  timestamp: number;
}

export function featureMatrix(signals: LiveSignals): FeatureMatrix {
  const features = Object.fromEntries(MODULE_IDS.map((m) => [m, moduleReadiness(m, signals)])) as Record<ModuleId, ModuleReadiness>;
  return { features, overallReady: MODULE_IDS.every((m) => features[m].ready), timestamp: signals.nowMs };
}
