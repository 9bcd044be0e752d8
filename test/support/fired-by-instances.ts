import { lifecycleRule, stepInstance } from '../../alerts/lifecycle/lifecycle';
import type { AlertInstance, FiringPath, Observation } from '../../alerts/model/alert-instance';
import type { AlertRule } from '../../alerts/model/alert-rule';
import { defaultAlertRules } from '../../alerts/rules/rule-set';
import { applyObservations } from '../../alerts/run/evaluate-run';
import type { AlertStore } from '../../alerts/state/alert-store';
import { WarehouseAlertLog } from '../../alerts/state/alert-log';
import { WarehouseAlertStore } from '../../alerts/state/warehouse-alert-store';
import { silentLogger } from '../../shared/logger';
import type { Warehouse } from '../../sql/warehouse';

const MIN = 60_000;

/** The rule as the evaluators run it. */
function getAlertRule(id: string): AlertRule | undefined {
  return defaultAlertRules().find((r) => r.id === id);
}

/** A `for: 0` rule's instance stepped through the real lifecycle from nothing to firing, by `path`. */
export function firedBy(ruleId: string, path: FiringPath, atMs: number): AlertInstance {
  const rule = getAlertRule(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId} in the catalogue`);
  const observation = { fingerprint: ruleId, ruleId, labels: { alertname: rule.name, severity: rule.severity, module: rule.module }, value: 42, threshold: 10, breaching: true, detail: {} };
  const step = stepInstance(lifecycleRule(rule), undefined, observation, atMs, `run-${path}-${ruleId}`, path);
  if (step.next?.state !== 'firing') throw new Error(`${ruleId} did not fire at once (its for: is not 0)`);
  return step.next;
}

/**
 * Alert state with one instance per way `obs alerts list` and the dashboard show its path, written
 * through the store's compare-and-set as the evaluators write it:
 * - `streaming`: wallet-spend-failures-critical (P0), fired by the streaming path 2 minutes ago;
 * - `scheduled`: call-failures-critical (P0), fired by the scheduled evaluator 3 minutes ago;
 * - `legacy`: chat-failures-high (P1), fired and resolved in a row written before the path was
 *   recorded (no firedBy): shown as scheduled, the only path there was;
 * - `pending`: api-latency-medium (P2, for: 15m), pending again after an episode the streaming
 *   path fired, whose firedBy it still carries: shown without a path.
 */
export const FIRED_BY_CASES = {
  streaming: 'wallet-spend-failures-critical',
  scheduled: 'call-failures-critical',
  legacy: 'chat-failures-high',
  pending: 'api-latency-medium',
} as const;

export type FiredByCases = Record<keyof typeof FIRED_BY_CASES, AlertInstance>;

export async function writeFiredByCases(store: Pick<AlertStore, 'compareAndSetInstances'>, nowMs: number): Promise<FiredByCases> {
  const streaming = firedBy(FIRED_BY_CASES.streaming, 'streaming', nowMs - 2 * MIN);
  const scheduled = firedBy(FIRED_BY_CASES.scheduled, 'scheduled', nowMs - 3 * MIN);
  const { firedBy: _dropped, ...fired } = firedBy(FIRED_BY_CASES.legacy, 'scheduled', nowMs - 60 * MIN);
  const legacy: AlertInstance = { ...fired, state: 'resolved', resolvedAtMs: nowMs - 40 * MIN, updatedBy: 'run-legacy' };
  const pending = pendingAfterStreamingEpisode(FIRED_BY_CASES.pending, nowMs - MIN);
  for (const next of [streaming, scheduled, legacy, pending]) await store.compareAndSetInstances([{ next, expectedVersion: 0 }]);
  return { streaming, scheduled, legacy, pending };
}

/** A `for: > 0` rule's instance: resolved after an episode fired by streaming, then pending again at `atMs`. */
function pendingAfterStreamingEpisode(ruleId: string, atMs: number): AlertInstance {
  const rule = getAlertRule(ruleId);
  if (!rule || rule.forSeconds <= 0) throw new Error(`${ruleId} must be a rule with a for: duration`);
  const resolved: AlertInstance = {
    fingerprint: ruleId, ruleId, severity: rule.severity, state: 'resolved',
    labels: { alertname: rule.name, severity: rule.severity, module: rule.module },
    annotations: lifecycleRule(rule).annotations,
    value: 0, firedValue: 900, firedBy: 'streaming', threshold: 500,
    activeAtMs: atMs - 60 * MIN, firedAtMs: atMs - 45 * MIN, resolvedAtMs: atMs - 20 * MIN, keepFiringSinceMs: null,
    lastEvaluatedAtMs: atMs - MIN, detail: {}, version: 3, updatedBy: 'run-earlier',
  };
  const observation = { fingerprint: ruleId, ruleId, labels: resolved.labels, value: 800, threshold: 500, breaching: true, detail: {} };
  const step = stepInstance(lifecycleRule(rule), resolved, observation, atMs, `run-pending-${ruleId}`, 'scheduled');
  if (step.next?.state !== 'pending') throw new Error(`${ruleId} did not go pending`);
  // Written as a new row (version 0 → 1): the store holds only what this helper wrote.
  return { ...step.next, version: 0 };
}

/**
 * Two P0s fired through the evaluators' own stage (alerts/run/evaluate-run.ts `applyObservations`:
 * the lifecycle, the store's compare-and-set, alert_log): call-failures-critical by a scheduled run
 * 3 minutes before `nowMs`, then wallet-spend-failures-critical by a streaming run 2 minutes before
 * it. Plus, written straight to the store: a pending P2 still carrying the path of an earlier
 * episode ({@link FIRED_BY_CASES}.pending), and the resolved P1 of a row from before the path was
 * recorded ({@link FIRED_BY_CASES}.legacy). Alert state in `store` (the warehouse's by default,
 * or Firestore as in production); alert_log in the warehouse.
 */
export async function fireThroughEvaluators(warehouse: Warehouse, nowMs: number, store: AlertStore = new WarehouseAlertStore(warehouse)): Promise<void> {
  const runtime = { store, log: new WarehouseAlertLog(warehouse, { redact: (text: string) => text }), logger: silentLogger };
  const rules = defaultAlertRules();
  const breach = (ruleId: string): Observation => {
    const rule = getAlertRule(ruleId)!;
    return { fingerprint: ruleId, ruleId, labels: { alertname: rule.name, severity: rule.severity, module: rule.module }, value: 25, threshold: 10, breaching: true, detail: {} };
  };
  await applyObservations(runtime, rules, [breach(FIRED_BY_CASES.scheduled)], nowMs - 3 * MIN, 'run-scheduled', 'scheduled');
  await applyObservations(runtime, rules, [breach(FIRED_BY_CASES.streaming)], nowMs - 2 * MIN, 'streaming-run', 'streaming');
  const { firedBy: _dropped, ...fired } = firedBy(FIRED_BY_CASES.legacy, 'scheduled', nowMs - 60 * MIN);
  await runtime.store.compareAndSetInstances([{ next: { ...fired, state: 'resolved', resolvedAtMs: nowMs - 40 * MIN, updatedBy: 'run-legacy' }, expectedVersion: 0 }]);
  await runtime.store.compareAndSetInstances([{ next: pendingAfterStreamingEpisode(FIRED_BY_CASES.pending, nowMs - MIN), expectedVersion: 0 }]);
}
