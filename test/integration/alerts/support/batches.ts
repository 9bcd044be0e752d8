import type { AlertInstance } from '../../../../alerts/model/alert-instance';
import { pendingNotification, type NotificationBatch } from '../../../../alerts/notify/notification';
import type { ChannelId } from '../../../../shared/channels';
import { T0 } from './alert-env';

export function walletInstance(overrides: Partial<AlertInstance> = {}): AlertInstance {
  return {
    fingerprint: 'wallet-spend-failures-critical',
    ruleId: 'wallet-spend-failures-critical',
    severity: 'P0',
    state: 'firing',
    labels: { alertname: 'wallet-spend-failures-critical', severity: 'P0', module: 'wallet', kind: 'threshold' },
    annotations: { name: 'Wallet spend failures', summary: 'More than 10 failed token spends in 10 minutes.', runbook: 'docs/OPERATIONS.md#runbook-wallet-spend-failures-critical', comparator: '>', unit: '' },
    value: 25,
    threshold: 10,
    activeAtMs: T0,
    firedAtMs: T0,
    resolvedAtMs: null,
    keepFiringSinceMs: null,
    lastEvaluatedAtMs: T0,
    detail: {},
    version: 1,
    updatedBy: 'run',
    ...overrides,
  };
}

/** A batch of firing notifications for `channel`, one per instance. */
export function batchOf(channel: ChannelId, ...instances: AlertInstance[]): NotificationBatch {
  return { channel, items: (instances.length > 0 ? instances : [walletInstance()]).map((i) => pendingNotification(channel, i, i.state === 'resolved' ? 'resolved' : 'firing', 0, T0)) };
}
