import { createHash } from 'node:crypto';
import type { ChannelId } from '../../shared/channels';
import type { Severity } from '../../shared/incident-tiers';
import type { Row, Warehouse } from '../../sql/warehouse';
import type { AlertState, Transition } from '../model/alert-instance';
import type { NotificationRecord } from '../notify/notification';
import type { Redactor } from '../../shared/redaction';

/** `pending` when recorded (before sending), then the outcome of each delivery attempt. */
export type DeliveryLogStatus = 'pending' | 'delivered' | 'retryable' | 'failed';

/** One append-only alert_log row (sql/tables.ts), before serialisation. */
export interface AlertLogEntry {
  readonly logId: string;
  readonly loggedAtMs: number;
  /** `gate_emergency`: an emergency deploy the release gate allowed (slo-gate/gate-service.ts), an audit line. */
  readonly entryType: 'transition' | 'delivery' | 'gate_emergency';
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly fromState: AlertState | null;
  readonly toState: AlertState | null;
  readonly channel: ChannelId | null;
  readonly deliveryStatus: DeliveryLogStatus | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * Where every transition and delivery is appended for analysts: the warehouse's alert_log, in
 * production as locally (BigQuery / DuckDB). Appends are idempotent by log id.
 */
export interface AlertLog {
  append(entries: readonly AlertLogEntry[]): Promise<void>;
}

const logId = (...parts: Array<string | number>): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

export function transitionEntry(t: Transition, runId: string): AlertLogEntry {
  return {
    logId: logId('transition', runId, t.fingerprint, t.from, t.to, t.atMs),
    loggedAtMs: t.atMs,
    entryType: 'transition',
    fingerprint: t.fingerprint,
    ruleId: t.ruleId,
    severity: t.severity,
    fromState: t.from,
    toState: t.to,
    channel: null,
    deliveryStatus: null,
    // firedBy: the path that fired the episode (issue #15), in the JSON detail: no table change.
    detail: { value: t.value, threshold: t.threshold, runId, ...(t.firedBy === undefined ? {} : { firedBy: t.firedBy }) },
  };
}

/**
 * A delivery entry. `pending` entries are keyed by the notification alone, so two runs recording
 * the same notification log it once; outcomes are keyed by notification, attempt and claim.
 */
export function deliveryEntry(
  n: NotificationRecord,
  status: DeliveryLogStatus,
  atMs: number,
  detail: Readonly<Record<string, unknown>> = {},
  claimToken = '',
): AlertLogEntry {
  return {
    logId: status === 'pending' ? logId('delivery', n.id, 'pending') : logId('delivery', n.id, status, n.attempts + 1, claimToken, atMs),
    loggedAtMs: atMs,
    entryType: 'delivery',
    fingerprint: n.fingerprint,
    ruleId: n.ruleId,
    severity: n.severity,
    fromState: null,
    toState: null,
    channel: n.channel,
    deliveryStatus: status,
    detail: { notificationId: n.id, kind: n.kind, sequence: n.sequence, ...detail },
  };
}

/** alert_log in the warehouse. Every detail is passed through the redactor before it is stored. */
export class WarehouseAlertLog implements AlertLog {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly redactor: Redactor,
  ) {}

  async append(entries: readonly AlertLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows: Row[] = entries.map((e) => ({
      log_id: e.logId,
      logged_at: e.loggedAtMs,
      entry_type: e.entryType,
      fingerprint: e.fingerprint,
      rule_id: e.ruleId,
      severity: e.severity,
      from_state: e.fromState,
      to_state: e.toState,
      channel: e.channel,
      delivery_status: e.deliveryStatus,
      detail: this.redactor.redact(JSON.stringify(e.detail)),
    }));
    await this.warehouse.upsert('alert_log', rows);
  }
}
