import { firingPathOf } from '../alerts/model/firing-path';
import type { AlertStore } from '../alerts/state/alert-store';
import { isModuleId } from '../shared';
import type { ActiveAlert, ActiveAlertsSource } from './live-signals';

/**
 * Active alerts for the feature matrix and the dashboard, read from the alert state store (the
 * warehouse table locally, Firestore in production): every instance pending or firing now.
 */
export function activeAlertsFromStore(store: Pick<AlertStore, 'loadInstances'>): ActiveAlertsSource {
  return async () => {
    const instances = await store.loadInstances();
    const active: ActiveAlert[] = [];
    for (const i of instances) {
      if (i.state !== 'pending' && i.state !== 'firing') continue;
      const module = i.labels.module;
      active.push({
        fingerprint: i.fingerprint,
        ruleId: i.ruleId,
        module: isModuleId(module) ? module : 'infrastructure',
        severity: i.severity,
        state: i.state,
        sinceMs: (i.state === 'firing' ? i.firedAtMs : i.activeAtMs) ?? i.lastEvaluatedAtMs,
        summary: i.annotations.summary,
        runbook: i.annotations.runbook,
        name: i.annotations.name,
        value: i.value,
        threshold: i.threshold,
        comparator: i.annotations.comparator,
        unit: i.annotations.unit,
        firedBy: firingPathOf(i),
      });
    }
    return active;
  };
}
