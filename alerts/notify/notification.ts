import { createHash } from 'node:crypto';
import type { ChannelId } from '../../shared/channels';
import type { Severity } from '../../shared/incident-tiers';
import type { AlertDetail, AlertInstance } from '../model/alert-instance';
import type { Labels } from '../model/labels';

/** `firing` once per episode and channel, `reminder` every repeat interval while it fires, `resolved` once. */
export type NotificationKind = 'firing' | 'reminder' | 'resolved';
/** `pending` until a notifier accepted it; `failed` when the channel refused it for good (e.g. HTTP 400). */
export type NotificationStatus = 'pending' | 'delivered' | 'failed';

/** What a message says about one alert: a snapshot taken when the notification is recorded. */
export interface AlertSnapshot {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly name: string;
  readonly severity: Severity;
  readonly module: string;
  readonly labels: Labels;
  readonly value: number | null;
  readonly threshold: number;
  readonly comparator: string;
  readonly unit: string;
  readonly summary: string;
  readonly runbook: string;
  readonly firedAtMs: number;
  readonly resolvedAtMs: number | null;
  readonly detail: AlertDetail;
  /** The value the episode fired with (absent in ledger rows written before it): "was 14 > 10, now 0". */
  readonly firedValue?: number | null;
  /** While a recovered alert still fires (keep_firing_for): until when, else null. */
  readonly keepFiringUntilMs?: number | null;
}

/**
 * One notification of one alert to one channel: a row of the notification ledger (the outbox
 * pattern). It is recorded as `pending` before anything is sent and marked `delivered` after the
 * channel accepted it, so a crash between the two re-sends (at least once) and never loses it.
 * `id` is derived from (channel, fingerprint, episode, kind, sequence): two runs that decide the
 * same notification record the same row, so recording is idempotent and nothing is sent twice.
 */
export interface NotificationRecord {
  readonly id: string;
  readonly channel: ChannelId;
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly kind: NotificationKind;
  /** `firedAtMs` of the firing episode this notification belongs to. */
  readonly episodeStartMs: number;
  /** 0 for firing and resolved; 1, 2, … for reminders. */
  readonly sequence: number;
  readonly alert: AlertSnapshot;
  readonly createdAtMs: number;
  readonly status: NotificationStatus;
  readonly attempts: number;
  readonly nextAttemptAtMs: number;
  /** Set while a run is delivering it; a claim older than the claim timeout may be taken over. */
  readonly claimToken: string | null;
  readonly claimedAtMs: number | null;
  readonly deliveredAtMs: number | null;
  /** The last failure, secrets redacted. */
  readonly lastError: string | null;
}

export function notificationId(channel: ChannelId, fingerprint: string, episodeStartMs: number, kind: NotificationKind, sequence: number): string {
  return createHash('sha256').update(`${channel}\u0000${fingerprint}\u0000${episodeStartMs}\u0000${kind}\u0000${sequence}`).digest('hex').slice(0, 32);
}

export function snapshotOf(instance: AlertInstance): AlertSnapshot {
  return {
    fingerprint: instance.fingerprint,
    ruleId: instance.ruleId,
    name: instance.annotations.name,
    severity: instance.severity,
    module: instance.labels.module ?? '',
    labels: instance.labels,
    value: instance.value,
    threshold: instance.threshold,
    comparator: instance.annotations.comparator,
    unit: instance.annotations.unit,
    summary: instance.annotations.summary,
    runbook: instance.annotations.runbook,
    firedAtMs: instance.firedAtMs ?? instance.activeAtMs ?? instance.lastEvaluatedAtMs,
    resolvedAtMs: instance.resolvedAtMs,
    detail: instance.detail,
    firedValue: instance.firedValue ?? null,
    keepFiringUntilMs: keepFiringUntilMs(instance),
  };
}

/** Until when a firing alert whose condition no longer holds keeps firing (keep_firing_for); null otherwise. */
export function keepFiringUntilMs(instance: AlertInstance): number | null {
  if (instance.state !== 'firing' || instance.keepFiringSinceMs === null || instance.annotations.keepFiringForSeconds === undefined) return null;
  return instance.keepFiringSinceMs + instance.annotations.keepFiringForSeconds * 1000;
}

/** A new pending ledger row. */
export function pendingNotification(
  channel: ChannelId,
  instance: AlertInstance,
  kind: NotificationKind,
  sequence: number,
  nowMs: number,
): NotificationRecord {
  const episodeStartMs = instance.firedAtMs as number;
  return {
    id: notificationId(channel, instance.fingerprint, episodeStartMs, kind, sequence),
    channel,
    fingerprint: instance.fingerprint,
    ruleId: instance.ruleId,
    severity: instance.severity,
    kind,
    episodeStartMs,
    sequence,
    alert: snapshotOf(instance),
    createdAtMs: nowMs,
    status: 'pending',
    attempts: 0,
    nextAttemptAtMs: nowMs,
    claimToken: null,
    claimedAtMs: null,
    deliveredAtMs: null,
    lastError: null,
  };
}

/** Notifications sent together to one channel: one Slack message, one e-mail; PagerDuty sends one event per alert. */
export interface NotificationBatch {
  readonly channel: ChannelId;
  readonly items: readonly NotificationRecord[];
}
