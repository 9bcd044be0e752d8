/**
 * What the pipeline's own rules read (rules/pipeline-rules.ts), as plain rows: fetched by
 * warehouse-rule-data.ts, judged by pipeline-evaluator.ts, so a unit test builds them by hand.
 */

/** One `job_state` row: the rollup job's watermark, any job's last successful run. */
export interface JobFreshness {
  readonly job: string;
  readonly watermarkMs: number | null;
  readonly lastRunMs: number | null;
}

/**
 * Messages ingest received in one window (sql/queries/pipeline-ingest.ts): `messages` is every
 * distinct message with a stored event or a dead letter in it, `deadLetteredMessages` those with
 * at least one dead letter (the whole message, or some of its events).
 */
export interface DeadLetterCounts {
  readonly messages: number;
  readonly deadLetteredMessages: number;
  /** Dead-letter rows (a message with 3 bad events has 3). */
  readonly deadLetters: number;
}

/** Events of one metric: on one UTC day (`dayStartMs`) of the active period, or in the silent window (`dayStartMs` null). */
export interface MetricActivity {
  readonly metric: string;
  readonly dayStartMs: number | null;
  readonly events: number;
}

/**
 * Module activity as read at one evaluation. The silent window ends at the rollup watermark when
 * that is behind `now` (the rollups hold every event ingested up to it, and nothing reliable
 * after), so stale rollups neither look like silence nor hide one already under way.
 */
export interface ModuleActivityRead {
  readonly rows: readonly MetricActivity[];
  /** End of the silent window: min(now, rollup watermark). */
  readonly windowEndMs: number;
}

/**
 * Delivery attempts to one channel over the lookback (sql/queries/pipeline-deliveries.ts). An
 * attempt is a send that reached the notifier (a batch released unsent is not one).
 */
export interface ChannelDeliveries {
  readonly channel: string;
  readonly attempts: number;
  readonly lastSuccessMs: number | null;
  /** Failed attempts after the last success (all of them when nothing succeeded). */
  readonly failuresSinceSuccess: number;
  /** The first of those: when the current run of failures began. */
  readonly firstFailureSinceSuccessMs: number | null;
  readonly lastFailureMs: number | null;
}
