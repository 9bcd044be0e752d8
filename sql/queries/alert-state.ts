import { defineQuery } from '../dialect';

/**
 * The local alert store (alerts/state/warehouse-alert-store.ts): current alert state, the
 * notification ledger and silences, in warehouse tables. Concurrency comes from single
 * statements: a MERGE that applies a staged write only WHERE the stored version is the expected
 * one is a batch of compare-and-sets, and an UPDATE that stamps a claim token on unclaimed rows is
 * a claim; the caller reads back what it won. Batches are staged in *_writes tables (per run id)
 * so one statement handles any number of rows.
 */

const STATE_COLUMNS = `fingerprint, rule_id, severity, state, TO_JSON_STRING(labels) AS labels, TO_JSON_STRING(annotations) AS annotations,
  value, threshold, UNIX_MILLIS(active_at) AS active_at_ms, UNIX_MILLIS(fired_at) AS fired_at_ms,
  UNIX_MILLIS(resolved_at) AS resolved_at_ms, UNIX_MILLIS(keep_firing_since) AS keep_firing_since_ms,
  UNIX_MILLIS(last_evaluated_at) AS last_evaluated_at_ms, TO_JSON_STRING(detail) AS detail, version, updated_by`;

export const alertStateLoad = defineQuery('alert_state_load', `SELECT ${STATE_COLUMNS}\nFROM {{alert_state}}`);

const STATE_WRITE_COLUMNS = `fingerprint, rule_id, severity, state, labels, annotations, value, threshold,
  active_at, fired_at, resolved_at, keep_firing_since, last_evaluated_at, detail, version, updated_by`;

/**
 * Batched compare-and-set: merges a run's staged writes (alert_state_writes) in one statement.
 * A write applies only while the stored version is the one the run read (0: absent), and stores
 * version + 1 stamped with the run id; writes that lost the race are skipped.
 */
export const alertStateMergeWrites = defineQuery(
  'alert_state_merge_writes',
  `MERGE INTO {{alert_state}} AS T
USING (SELECT * FROM {{alert_state_writes}} WHERE run_id = @run_id) AS S
ON T.fingerprint = S.fingerprint
WHEN MATCHED AND T.version = S.expected_version THEN UPDATE SET
  rule_id = S.rule_id, severity = S.severity, state = S.state, labels = S.labels, annotations = S.annotations,
  value = S.value, threshold = S.threshold, active_at = S.active_at, fired_at = S.fired_at,
  resolved_at = S.resolved_at, keep_firing_since = S.keep_firing_since, last_evaluated_at = S.last_evaluated_at,
  detail = S.detail, version = S.expected_version + 1, updated_by = S.run_id
WHEN NOT MATCHED AND S.expected_version = 0 THEN INSERT (${STATE_WRITE_COLUMNS})
VALUES (S.fingerprint, S.rule_id, S.severity, S.state, S.labels, S.annotations, S.value, S.threshold,
  S.active_at, S.fired_at, S.resolved_at, S.keep_firing_since, S.last_evaluated_at, S.detail, 1, S.run_id)`,
);

/** The staged writes of a run that are now the stored version: the compare-and-sets it won. */
export const alertStateWritesWon = defineQuery(
  'alert_state_writes_won',
  `SELECT W.fingerprint
FROM {{alert_state_writes}} AS W
JOIN {{alert_state}} AS T ON T.fingerprint = W.fingerprint AND T.version = W.expected_version + 1 AND T.updated_by = W.run_id
WHERE W.run_id = @run_id`,
);

export const alertStateWritesClear = defineQuery('alert_state_writes_clear', 'DELETE FROM {{alert_state_writes}} WHERE run_id = @run_id');

const NOTIFICATION_COLUMNS = `notification_id, channel, fingerprint, rule_id, severity, kind,
  UNIX_MILLIS(episode_start) AS episode_start_ms, sequence, TO_JSON_STRING(alert) AS alert,
  UNIX_MILLIS(created_at) AS created_at_ms, status, attempts, UNIX_MILLIS(next_attempt_at) AS next_attempt_at_ms,
  claim_token, UNIX_MILLIS(claimed_at) AS claimed_at_ms, UNIX_MILLIS(delivered_at) AS delivered_at_ms, last_error`;

/** Records a run's staged notifications (alert_notification_writes), each unless one with its id exists. */
export const alertNotificationMergeWrites = defineQuery(
  'alert_notification_merge_writes',
  `MERGE INTO {{alert_notifications}} AS T
USING (SELECT * FROM {{alert_notification_writes}} WHERE run_id = @run_id) AS S
ON T.notification_id = S.notification_id
WHEN NOT MATCHED THEN INSERT (notification_id, channel, fingerprint, rule_id, severity, kind, episode_start, sequence,
  alert, created_at, status, attempts, next_attempt_at)
VALUES (S.notification_id, S.channel, S.fingerprint, S.rule_id, S.severity, S.kind, S.episode_start, S.sequence,
  S.alert, S.created_at, 'pending', 0, S.created_at)`,
);

export const alertNotificationWritesClear = defineQuery('alert_notification_writes_clear', 'DELETE FROM {{alert_notification_writes}} WHERE run_id = @run_id');

export const alertNotificationLedger = defineQuery(
  'alert_notification_ledger',
  `SELECT ${NOTIFICATION_COLUMNS}
FROM {{alert_notifications}}
WHERE created_at >= TIMESTAMP_MILLIS(@since_ms) OR status = 'pending'`,
);

const CLAIMABLE = `channel = @channel AND status = 'pending' AND next_attempt_at <= TIMESTAMP_MILLIS(@now_ms)
    AND (claim_token IS NULL OR claimed_at < TIMESTAMP_MILLIS(@stale_before_ms))`;

/** Stamps @claim_token on up to @limit due, unclaimed pending rows of one channel, oldest first. */
export const alertNotificationClaim = defineQuery(
  'alert_notification_claim',
  `UPDATE {{alert_notifications}}
SET claim_token = @claim_token, claimed_at = TIMESTAMP_MILLIS(@now_ms)
WHERE ${CLAIMABLE}
  AND notification_id IN (
    SELECT notification_id FROM {{alert_notifications}}
    WHERE ${CLAIMABLE}
    ORDER BY created_at, notification_id
    LIMIT @limit)`,
);

/** The rows a claim won, in the order they are to be sent (firing before resolved). */
export const alertNotificationClaimed = defineQuery(
  'alert_notification_claimed',
  `SELECT ${NOTIFICATION_COLUMNS}
FROM {{alert_notifications}}
WHERE claim_token = @claim_token AND status = 'pending'
ORDER BY created_at, CASE kind WHEN 'firing' THEN 0 WHEN 'reminder' THEN 1 ELSE 2 END, fingerprint`,
);

const COMPLETE_SET = `SET status = @status, attempts = attempts + 1,
  delivered_at = TIMESTAMP_MILLIS(@delivered_at_ms),
  next_attempt_at = COALESCE(TIMESTAMP_MILLIS(@next_attempt_at_ms), next_attempt_at),
  last_error = @last_error, claim_token = NULL, claimed_at = NULL`;

/** Writes a delivery outcome for one notification under the claim that sent it, and releases the claim. */
export const alertNotificationComplete = defineQuery(
  'alert_notification_complete',
  `UPDATE {{alert_notifications}}
${COMPLETE_SET}
WHERE notification_id = @notification_id AND claim_token = @claim_token`,
);

/** The same for every notification still held by a claim (one grouped message). */
export const alertNotificationCompleteClaim = defineQuery(
  'alert_notification_complete_claim',
  `UPDATE {{alert_notifications}}
${COMPLETE_SET}
WHERE claim_token = @claim_token AND status = 'pending'`,
);

export const alertSilencesLoad = defineQuery(
  'alert_silences_load',
  `SELECT silence_id, TO_JSON_STRING(matchers) AS matchers, UNIX_MILLIS(starts_at) AS starts_at_ms,
  UNIX_MILLIS(ends_at) AS ends_at_ms, UNIX_MILLIS(created_at) AS created_at_ms, created_by, comment
FROM {{alert_silences}}
ORDER BY created_at`,
);

export const alertSilenceExpire = defineQuery(
  'alert_silence_expire',
  `UPDATE {{alert_silences}}
SET ends_at = TIMESTAMP_MILLIS(@now_ms)
WHERE silence_id = @silence_id AND ends_at > TIMESTAMP_MILLIS(@now_ms)`,
);

export const QUERIES = [
  alertStateLoad,
  alertStateMergeWrites,
  alertStateWritesWon,
  alertStateWritesClear,
  alertNotificationMergeWrites,
  alertNotificationWritesClear,
  alertNotificationLedger,
  alertNotificationClaim,
  alertNotificationClaimed,
  alertNotificationComplete,
  alertNotificationCompleteClaim,
  alertSilencesLoad,
  alertSilenceExpire,
];
