import { defineQuery } from '../dialect';

/**
 * The local alert store (alerts/state/warehouse-alert-store.ts): current alert state, the
 * notification ledger and silences, in warehouse tables. Concurrency comes from single
 * statements: an UPDATE … WHERE version = @expected_version is a compare-and-set, and an UPDATE
 * that stamps a claim token on unclaimed rows is a claim; the caller reads back what it won.
 */

const STATE_COLUMNS = `fingerprint, rule_id, severity, state, TO_JSON_STRING(labels) AS labels, TO_JSON_STRING(annotations) AS annotations,
  value, threshold, UNIX_MILLIS(active_at) AS active_at_ms, UNIX_MILLIS(fired_at) AS fired_at_ms,
  UNIX_MILLIS(resolved_at) AS resolved_at_ms, UNIX_MILLIS(keep_firing_since) AS keep_firing_since_ms,
  UNIX_MILLIS(last_evaluated_at) AS last_evaluated_at_ms, TO_JSON_STRING(detail) AS detail, version, updated_by`;

export const alertStateLoad = defineQuery('alert_state_load', `SELECT ${STATE_COLUMNS}\nFROM {{alert_state}}`);

export const alertStateOwner = defineQuery(
  'alert_state_owner',
  `SELECT version, updated_by
FROM {{alert_state}}
WHERE fingerprint = @fingerprint`,
);

/** Compare-and-set for a new instance (expected version 0): inserts only when absent. */
export const alertStateInsert = defineQuery(
  'alert_state_insert',
  `MERGE INTO {{alert_state}} AS T
USING (SELECT @fingerprint AS fingerprint) AS S
ON T.fingerprint = S.fingerprint
WHEN NOT MATCHED THEN INSERT (fingerprint, rule_id, severity, state, labels, annotations, value, threshold,
  active_at, fired_at, resolved_at, keep_firing_since, last_evaluated_at, detail, version, updated_by)
VALUES (@fingerprint, @rule_id, @severity, @state, PARSE_JSON(@labels), PARSE_JSON(@annotations), @value, @threshold,
  TIMESTAMP_MILLIS(@active_at_ms), TIMESTAMP_MILLIS(@fired_at_ms), TIMESTAMP_MILLIS(@resolved_at_ms),
  TIMESTAMP_MILLIS(@keep_firing_since_ms), TIMESTAMP_MILLIS(@last_evaluated_at_ms), PARSE_JSON(@detail), @version, @updated_by)`,
);

/** Compare-and-set for an existing instance: writes only while the stored version is @expected_version. */
export const alertStateUpdate = defineQuery(
  'alert_state_update',
  `UPDATE {{alert_state}}
SET rule_id = @rule_id, severity = @severity, state = @state, labels = PARSE_JSON(@labels),
  annotations = PARSE_JSON(@annotations), value = @value, threshold = @threshold,
  active_at = TIMESTAMP_MILLIS(@active_at_ms), fired_at = TIMESTAMP_MILLIS(@fired_at_ms),
  resolved_at = TIMESTAMP_MILLIS(@resolved_at_ms), keep_firing_since = TIMESTAMP_MILLIS(@keep_firing_since_ms),
  last_evaluated_at = TIMESTAMP_MILLIS(@last_evaluated_at_ms), detail = PARSE_JSON(@detail),
  version = @version, updated_by = @updated_by
WHERE fingerprint = @fingerprint AND version = @expected_version`,
);

const NOTIFICATION_COLUMNS = `notification_id, channel, fingerprint, rule_id, severity, kind,
  UNIX_MILLIS(episode_start) AS episode_start_ms, sequence, TO_JSON_STRING(alert) AS alert,
  UNIX_MILLIS(created_at) AS created_at_ms, status, attempts, UNIX_MILLIS(next_attempt_at) AS next_attempt_at_ms,
  claim_token, UNIX_MILLIS(claimed_at) AS claimed_at_ms, UNIX_MILLIS(delivered_at) AS delivered_at_ms, last_error`;

/** Records a notification unless one with the same id exists (ids are deterministic). */
export const alertNotificationRecord = defineQuery(
  'alert_notification_record',
  `MERGE INTO {{alert_notifications}} AS T
USING (SELECT @notification_id AS notification_id) AS S
ON T.notification_id = S.notification_id
WHEN NOT MATCHED THEN INSERT (notification_id, channel, fingerprint, rule_id, severity, kind, episode_start, sequence,
  alert, created_at, status, attempts, next_attempt_at)
VALUES (@notification_id, @channel, @fingerprint, @rule_id, @severity, @kind, TIMESTAMP_MILLIS(@episode_start_ms), @sequence,
  PARSE_JSON(@alert), TIMESTAMP_MILLIS(@created_at_ms), 'pending', 0, TIMESTAMP_MILLIS(@created_at_ms))`,
);

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

/** Writes a delivery outcome under the claim that sent it, and releases the claim. */
export const alertNotificationComplete = defineQuery(
  'alert_notification_complete',
  `UPDATE {{alert_notifications}}
SET status = @status, attempts = attempts + 1,
  delivered_at = TIMESTAMP_MILLIS(@delivered_at_ms),
  next_attempt_at = COALESCE(TIMESTAMP_MILLIS(@next_attempt_at_ms), next_attempt_at),
  last_error = @last_error, claim_token = NULL, claimed_at = NULL
WHERE notification_id = @notification_id AND claim_token = @claim_token`,
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
  alertStateOwner,
  alertStateInsert,
  alertStateUpdate,
  alertNotificationRecord,
  alertNotificationLedger,
  alertNotificationClaim,
  alertNotificationClaimed,
  alertNotificationComplete,
  alertSilencesLoad,
  alertSilenceExpire,
];
