import {
  alertNotificationClaim,
  alertNotificationClaimed,
  alertNotificationComplete,
  alertNotificationLedger,
  alertNotificationRecord,
  alertSilenceExpire,
  alertSilencesLoad,
  alertStateInsert,
  alertStateLoad,
  alertStateOwner,
  alertStateUpdate,
} from '../../sql/queries/alert-state';
import type { Params, Warehouse } from '../../sql/warehouse';
import type { AlertInstance } from '../model/alert-instance';
import type { Silence } from '../mute/silences';
import type { NotificationRecord } from '../notify/notification';
import type { AlertStore, ClaimRequest, DeliveryUpdate } from './alert-store';
import { instanceToRecord, notificationToRecord, recordToInstance, recordToNotification, recordToSilence } from './row-codec';

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

  async compareAndSetInstance(next: AlertInstance, expectedVersion: number): Promise<boolean> {
    const version = expectedVersion + 1;
    const params: Params = { ...instanceToRecord({ ...next, version }), expected_version: expectedVersion };
    await this.warehouse.execute(expectedVersion === 0 ? alertStateInsert : alertStateUpdate, expectedVersion === 0 ? withoutExpected(params) : params);
    const [owner] = await this.warehouse.query(alertStateOwner, { fingerprint: next.fingerprint });
    return owner !== undefined && Number(owner.version) === version && owner.updated_by === next.updatedBy;
  }

  async recordNotifications(rows: readonly NotificationRecord[]): Promise<void> {
    for (const row of rows) {
      const r = notificationToRecord(row);
      await this.warehouse.execute(alertNotificationRecord, {
        notification_id: r.notification_id as string,
        channel: r.channel as string,
        fingerprint: r.fingerprint as string,
        rule_id: r.rule_id as string,
        severity: r.severity as string,
        kind: r.kind as string,
        episode_start_ms: r.episode_start_ms as number,
        sequence: r.sequence as number,
        alert: r.alert as string,
        created_at_ms: r.created_at_ms as number,
      });
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
    await this.warehouse.execute(alertNotificationComplete, {
      notification_id: id,
      claim_token: claimToken,
      status: update.status === 'retry' ? 'pending' : update.status,
      delivered_at_ms: update.status === 'delivered' ? update.atMs : null,
      next_attempt_at_ms: update.status === 'retry' ? update.nextAttemptAtMs : null,
      last_error: update.status === 'delivered' ? null : update.error,
    });
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

function withoutExpected(params: Params): Params {
  const { expected_version: _unused, ...rest } = params;
  return rest;
}
