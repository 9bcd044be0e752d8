import type { ThresholdAlertRule } from '../../../alerts/model/alert-rule';
import type { AlertInstance } from '../../../alerts/model/alert-instance';
import { pendingNotification, type NotificationRecord } from '../../../alerts/notify/notification';
import type { ChannelId } from '../../../shared/channels';

export const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
export const MIN = 60_000;

export function thresholdRule(overrides: Partial<ThresholdAlertRule> = {}): ThresholdAlertRule {
  return {
    kind: 'threshold',
    id: 'test-rule',
    name: 'Test rule',
    severity: 'P2',
    module: 'wallet',
    metric: 'product.wallet.spend.failed',
    where: {},
    aggregation: 'sum',
    windowSeconds: 600,
    comparator: '>',
    threshold: 10,
    forSeconds: 0,
    keepFiringForSeconds: 0,
    groupBy: [],
    summary: 'Test summary.',
    runbook: 'docs/OPERATIONS.md#runbook-test',
    ...overrides,
  };
}

export function instance(overrides: Partial<AlertInstance> = {}): AlertInstance {
  return {
    fingerprint: 'test-rule',
    ruleId: 'test-rule',
    severity: 'P0',
    state: 'firing',
    labels: { alertname: 'test-rule', severity: 'P0', module: 'wallet', kind: 'threshold' },
    annotations: { name: 'Wallet spend failures', summary: 'More than 10 failed token spends in 10 minutes.', runbook: 'docs/OPERATIONS.md#runbook-wallet-spend-failures-critical', comparator: '>', unit: '' },
    value: 23,
    threshold: 10,
    activeAtMs: T0,
    firedAtMs: T0,
    resolvedAtMs: null,
    keepFiringSinceMs: null,
    lastEvaluatedAtMs: T0,
    detail: {},
    version: 1,
    updatedBy: 'run-1',
    ...overrides,
  };
}

export function notification(channel: ChannelId, inst: AlertInstance = instance(), kind: NotificationRecord['kind'] = 'firing', nowMs = T0): NotificationRecord {
  return pendingNotification(channel, inst, kind, 0, nowMs);
}
