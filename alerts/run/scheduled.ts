import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { loadConfig, type ObservabilityConfig } from '../../shared/config';
import type { Warehouse } from '../../sql/warehouse';
import { stderrLogger } from '../logger';
import type { AlertStore } from '../state/alert-store';
import { FirestoreAlertStore } from '../state/firestore-alert-store';
import { evaluateAlerts, type EvaluationReport } from './evaluate-run';
import { openAlertWarehouse } from './open-warehouse';
import { createAlertRuntime } from './runtime';

export interface ScheduledDeps {
  /** Where unconfigured channels write (default .data/outbox.jsonl). */
  readonly outboxPath?: string;
  readonly openWarehouse: (config: ObservabilityConfig) => Promise<Warehouse>;
  readonly openStore: (config: ObservabilityConfig, warehouse: Warehouse) => AlertStore;
}

/** Production: alert state in Firestore (firebase-admin's default app), data in the configured warehouse. */
export const productionDeps: ScheduledDeps = {
  openWarehouse: openAlertWarehouse,
  openStore: () => new FirestoreAlertStore(getFirestore(getApps()[0] ?? initializeApp())),
};

/**
 * The handler behind the every-minute schedule (index.ts): one evaluator run at `nowMs`. Throws
 * on failure so the scheduler records it; overlapping runs are safe (run/evaluate-run.ts).
 */
export async function runScheduledAlertEvaluation(deps: ScheduledDeps = productionDeps, nowMs = Date.now()): Promise<EvaluationReport> {
  const config = loadConfig();
  const warehouse = await deps.openWarehouse(config);
  const runtime = createAlertRuntime({ warehouse, config, store: deps.openStore(config, warehouse), ...(deps.outboxPath ? { outboxPath: deps.outboxPath } : {}) });
  try {
    const report = await evaluateAlerts(runtime, nowMs);
    stderrLogger.info('alert evaluation finished', {
      runId: report.runId,
      transitions: report.transitions.length,
      firing: report.firing.length,
      deliveries: report.deliveries.map((d) => `${d.channel}:${d.outcome}`),
    });
    return report;
  } finally {
    runtime.close();
    await warehouse.close();
  }
}
