import { randomUUID } from 'node:crypto';
import {
  alertNotificationClaim,
  alertNotificationClaimed,
  alertNotificationComplete,
  alertNotificationCompleteClaim,
  alertNotificationLedger,
  alertNotificationMergeWrites,
  alertNotificationWritesClear,
  alertSilenceExpire,
  alertSilencesLoad,
  alertStateLoad,
  alertStateMergeWrites,
  alertStateWritesClear,
  alertStateWritesWon,
} from '../../sql/queries/alert-state';
import type { Params, Row, Warehouse } from '../../sql/warehouse';
import type { AlertInstance } from '../model/alert-instance';
import type { Silence } from '../mute/silences';
import type { NotificationRecord } from '../notify/notification';
import type { AlertStore, ClaimRequest, DeliveryUpdate, InstanceWrite } from './alert-store';
import { instanceToRecord, notificationToRecord, recordToInstance, recordToNotification, recordToSilence } from './row-codec';

/** `x_ms` record fields → the staging tables' TIMESTAMP columns `x` (which take epoch ms). */
function timestampsByName(record: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(record)) out[key.endsWith('_ms') ? key.slice(0, -3) : key] = value;
  return out;
}

/**
 * The alert store on warehouse tables (alert_state, alert_notifications, alert_silences): the
 * local default on DuckDB. Each compare-and-set or claim is one UPDATE/MERGE statement, which the
 * warehouse applies atomically; the store then reads back whether its run won.
 */
export class WarehouseAlertStore implements AlertStore {
  constructor(private readonly warehouse: Warehouse) {}

  async loadInstances(): Promise<AlertInstance[]> {
    return (await this.warehouse.query(alertStateLoad)).map(recordToInstance);
  }

  async compareAndSetInstances(writes: readonly InstanceWrite[]): Promise<ReadonlySet<string>> {
    if (writes.length === 0) return new Set();
    const runId = (writes[0] as InstanceWrite).next.updatedBy;
    if (writes.some((w) => w.next.updatedBy !== runId)) throw new Error('compareAndSetInstances: every write of a batch must come from one run');
    const staged: Row[] = writes.map((w) => {
      const { version: _version, updated_by: _by, ...record } = timestampsByName(instanceToRecord(w.next));
      return { ...record, run_id: runId, expected_version: w.expectedVersion };
    });
    await this.warehouse.upsert('alert_state_writes', staged);
    try {
      await this.warehouse.execute(alertStateMergeWrites, { run_id: runId });
      return new Set((await this.warehouse.query(alertStateWritesWon, { run_id: runId })).map((r) => String(r.fingerprint)));
    } finally {
      await this.warehouse.execute(alertStateWritesClear, { run_id: runId });
    }
  }

  async recordNotifications(rows: readonly NotificationRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const batchId = randomUUID();
    const staged: Row[] = rows.map((row) => {
      const r = timestampsByName(notificationToRecord(row));
      return {
        run_id: batchId,
        notification_id: r.notification_id ?? null,
        channel: r.channel ?? null,
        fingerprint: r.fingerprint ?? null,
        rule_id: r.rule_id ?? null,
        severity: r.severity ?? null,
        kind: r.kind ?? null,
        episode_start: r.episode_start ?? null,
        sequence: r.sequence ?? null,
        alert: r.alert ?? null,
        created_at: r.created_at ?? null,
      };
    });
    await this.warehouse.upsert('alert_notification_writes', staged);
    try {
      await this.warehouse.execute(alertNotificationMergeWrites, { run_id: batchId });
    } finally {
      await this.warehouse.execute(alertNotificationWritesClear, { run_id: batchId });
    }
  }

  async loadLedger(sinceMs: number): Promise<NotificationRecord[]> {
    return (await this.warehouse.query(alertNotificationLedger, { since_ms: sinceMs })).map(recordToNotification);
  }

  async claimPending(request: ClaimRequest): Promise<NotificationRecord[]> {
    await this.warehouse.execute(alertNotificationClaim, {
      channel: request.channel,
      claim_token: request.claimToken,
      now_ms: request.nowMs,
      stale_before_ms: request.staleBeforeMs,
      limit: request.limit,
    });
    return (await this.warehouse.query(alertNotificationClaimed, { claim_token: request.claimToken })).map(recordToNotification);
  }

  async completeDelivery(id: string, claimToken: string, update: DeliveryUpdate): Promise<void> {
    await this.warehouse.execute(alertNotificationComplete, { notification_id: id, ...completeParams(claimToken, update) });
  }

  async completeClaim(claimToken: string, update: DeliveryUpdate): Promise<void> {
    await this.warehouse.execute(alertNotificationCompleteClaim, completeParams(claimToken, update));
  }

  async saveSilence(silence: Silence): Promise<void> {
    await this.warehouse.upsert('alert_silences', [
      {
        silence_id: silence.id,
        matchers: JSON.stringify(silence.matchers),
        starts_at: silence.startsAtMs,
        ends_at: silence.endsAtMs,
        created_at: silence.createdAtMs,
        created_by: silence.createdBy,
        comment: silence.comment,
      },
    ]);
  }

  async loadSilences(): Promise<Silence[]> {
    return (await this.warehouse.query(alertSilencesLoad)).map(recordToSilence);
  }

  async expireSilence(id: string, nowMs: number): Promise<Silence | undefined> {
    await this.warehouse.execute(alertSilenceExpire, { silence_id: id, now_ms: nowMs });
    return (await this.loadSilences()).find((s) => s.id === id);
  }
}

function completeParams(claimToken: string, update: DeliveryUpdate): Params {
  return {
    claim_token: claimToken,
    status: update.status === 'retry' ? 'pending' : update.status,
    delivered_at_ms: update.status === 'delivered' ? update.atMs : null,
    next_attempt_at_ms: update.status === 'retry' ? update.nextAttemptAtMs : null,
    last_error: update.status === 'delivered' ? null : update.error,
  };
}
