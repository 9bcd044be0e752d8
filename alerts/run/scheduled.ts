import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { ALERTS_JOB, recordJobRun } from '../../sql/job-state';
import { loadConfig, type ObservabilityConfig } from '../../shared/config';
import type { Warehouse } from '../../sql/warehouse';
import { stderrLogger } from '../logger';
import type { AlertStore } from '../state/alert-store';
import { FirestoreAlertStore } from '../state/firestore-alert-store';
import { evaluateAlerts, type EvaluationReport } from './evaluate-run';
import { sharedAlertWarehouse } from './open-warehouse';
import { createAlertRuntime } from './runtime';

export interface ScheduledDeps {
  /** Where unconfigured channels write (default .data/outbox.jsonl). */
  readonly outboxPath?: string;
  /** The warehouse, kept open across runs of one function instance (the handler does not close it). */
  readonly warehouse: () => Promise<Warehouse>;
  readonly openStore: (config: ObservabilityConfig, warehouse: Warehouse) => AlertStore;
}

/** Production: rollups and alert_log in the configured warehouse, alert state in Firestore (firebase-admin's default app). */
export const productionDeps: ScheduledDeps = {
  warehouse: sharedAlertWarehouse(() => loadConfig()),
  openStore: () => new FirestoreAlertStore(getFirestore(getApps()[0] ?? initializeApp())),
};

/**
 * The handler behind the every-minute schedule (index.ts): one evaluator run at `nowMs`. Throws
 * on failure so the scheduler records it; overlapping runs are safe (run/evaluate-run.ts).
 */
export async function runScheduledAlertEvaluation(deps: ScheduledDeps = productionDeps, nowMs = Date.now()): Promise<EvaluationReport> {
  const config = loadConfig();
  const warehouse = await deps.warehouse();
  const runtime = createAlertRuntime({ warehouse, config, store: deps.openStore(config, warehouse), ...(deps.outboxPath ? { outboxPath: deps.outboxPath } : {}) });
  try {
    const report = await evaluateAlerts(runtime, nowMs);
    await recordJobRun(warehouse, ALERTS_JOB, nowMs, { runId: report.runId, transitions: report.transitions.length, firing: report.firing.length });
    stderrLogger.info('alert evaluation finished', {
      runId: report.runId,
      transitions: report.transitions.length,
      firing: report.firing.length,
      deliveries: report.deliveries.map((d) => `${d.channel}:${d.outcome}`),
    });
    return report;
  } finally {
    runtime.close();
  }
}
