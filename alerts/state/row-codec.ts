import type { ChannelId } from '../../shared/channels';
import type { Severity } from '../../shared/incident-tiers';
import { numberOf, numberOrNull } from '../../sql/row-values';
import type { Row } from '../../sql/warehouse';
import type { AlertAnnotations, AlertInstance, AlertState } from '../model/alert-instance';
import type { Matcher } from '../model/matchers';
import type { Silence } from '../mute/silences';
import type { AlertSnapshot, NotificationKind, NotificationRecord, NotificationStatus } from '../notify/notification';

/**
 * Field-by-field conversion between the alert model and flat records (warehouse rows and
 * Firestore documents use the same flat shape: timestamps as epoch ms, JSON as text).
 */
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));
const json = <T>(v: unknown, fallback: T): T => (v === null || v === undefined || v === '' ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
/** `AlertInstance.firedValue` rides in the state row's `detail` JSON under this key (no table change). */
const FIRED_VALUE_KEY = 'firedValue';
/** `AlertInstance.firedBy` rides there too. */
const FIRED_BY_KEY = 'firedBy';

/** Flat record of an instance: the parameters of the state queries and the Firestore document. */
export function instanceToRecord(i: AlertInstance): Row {
  return {
    fingerprint: i.fingerprint,
    rule_id: i.ruleId,
    severity: i.severity,
    state: i.state,
    labels: JSON.stringify(i.labels),
    annotations: JSON.stringify(i.annotations),
    value: i.value,
    threshold: i.threshold,
    active_at_ms: i.activeAtMs,
    fired_at_ms: i.firedAtMs,
    resolved_at_ms: i.resolvedAtMs,
    keep_firing_since_ms: i.keepFiringSinceMs,
    last_evaluated_at_ms: i.lastEvaluatedAtMs,
    detail: JSON.stringify({
      ...i.detail,
      ...(i.firedValue === undefined ? {} : { [FIRED_VALUE_KEY]: i.firedValue }),
      ...(i.firedBy === undefined ? {} : { [FIRED_BY_KEY]: i.firedBy }),
    }),
    version: i.version,
    updated_by: i.updatedBy,
  };
}

export function recordToInstance(r: Record<string, unknown>): AlertInstance {
  const { [FIRED_VALUE_KEY]: firedValue, [FIRED_BY_KEY]: firedBy, ...detail } = json<Record<string, unknown>>(r.detail, {});
  return {
    fingerprint: str(r.fingerprint),
    ruleId: str(r.rule_id),
    severity: str(r.severity) as Severity,
    state: str(r.state) as AlertState,
    labels: json<Record<string, string>>(r.labels, {}),
    annotations: json<AlertAnnotations>(r.annotations, { name: '', summary: '', runbook: '', comparator: '>', unit: '' }),
    value: numberOrNull(r.value),
    threshold: numberOf(r.threshold),
    activeAtMs: numberOrNull(r.active_at_ms),
    firedAtMs: numberOrNull(r.fired_at_ms),
    resolvedAtMs: numberOrNull(r.resolved_at_ms),
    keepFiringSinceMs: numberOrNull(r.keep_firing_since_ms),
    lastEvaluatedAtMs: numberOf(r.last_evaluated_at_ms),
    detail,
    ...(firedValue === undefined ? {} : { firedValue: numberOrNull(firedValue) }),
    ...(firedBy === 'streaming' || firedBy === 'scheduled' ? { firedBy } : {}),
    version: numberOf(r.version),
    updatedBy: str(r.updated_by),
  };
}

export function notificationToRecord(n: NotificationRecord): Row {
  return {
    notification_id: n.id,
    channel: n.channel,
    fingerprint: n.fingerprint,
    rule_id: n.ruleId,
    severity: n.severity,
    kind: n.kind,
    episode_start_ms: n.episodeStartMs,
    sequence: n.sequence,
    alert: JSON.stringify(n.alert),
    created_at_ms: n.createdAtMs,
    status: n.status,
    attempts: n.attempts,
    next_attempt_at_ms: n.nextAttemptAtMs,
    claim_token: n.claimToken,
    claimed_at_ms: n.claimedAtMs,
    delivered_at_ms: n.deliveredAtMs,
    last_error: n.lastError,
  };
}

export function recordToNotification(r: Record<string, unknown>): NotificationRecord {
  return {
    id: str(r.notification_id),
    channel: str(r.channel) as ChannelId,
    fingerprint: str(r.fingerprint),
    ruleId: str(r.rule_id),
    severity: str(r.severity) as Severity,
    kind: str(r.kind) as NotificationKind,
    episodeStartMs: numberOf(r.episode_start_ms),
    sequence: numberOf(r.sequence),
    alert: json<AlertSnapshot>(r.alert, {} as AlertSnapshot),
    createdAtMs: numberOf(r.created_at_ms),
    status: str(r.status) as NotificationStatus,
    attempts: numberOf(r.attempts),
    nextAttemptAtMs: numberOf(r.next_attempt_at_ms),
    claimToken: strOrNull(r.claim_token),
    claimedAtMs: numberOrNull(r.claimed_at_ms),
    deliveredAtMs: numberOrNull(r.delivered_at_ms),
    lastError: strOrNull(r.last_error),
  };
}

export function silenceToRecord(s: Silence): Row {
  return {
    silence_id: s.id,
    matchers: JSON.stringify(s.matchers),
    starts_at_ms: s.startsAtMs,
    ends_at_ms: s.endsAtMs,
    created_at_ms: s.createdAtMs,
    created_by: s.createdBy,
    comment: s.comment,
  };
}

export function recordToSilence(r: Record<string, unknown>): Silence {
  return {
    id: str(r.silence_id),
    matchers: json<Matcher[]>(r.matchers, []),
    startsAtMs: numberOf(r.starts_at_ms),
    endsAtMs: numberOf(r.ends_at_ms),
    createdAtMs: numberOf(r.created_at_ms),
    createdBy: str(r.created_by),
    comment: str(r.comment),
  };
}
