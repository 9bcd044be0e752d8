/**
 * Firebase entry point: exports every Cloud Function. Wiring only — each function parses its
 * input, calls a framework-free handler, and acks or throws.
 *
 * Not built yet: the ingest trigger (#4), aggregation and SLO schedules (#5), the alert schedule
 * (#6) and the health functions (#7) are added here as their handlers land.
 */
export {};

// ── Alerts (#6): every minute, evaluate the rules and deliver notifications (alerts/run/scheduled.ts).
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { runScheduledAlertEvaluation } from './alerts/run/scheduled';

export const pack421_alerts_evaluate = onSchedule('every 1 minutes', async (event) => {
  await runScheduledAlertEvaluation(undefined, Date.parse(event.scheduleTime) || Date.now());
});

// ── Aggregator (#5): every minute, the incremental rollups, and the SLO statuses from them
// (aggregator/scheduled.ts; the schedule time is the jobs' "now").
import * as aggregatorSchedule from 'firebase-functions/v2/scheduler';
import { handleScheduledRollups, handleScheduledSlos } from './aggregator/scheduled';

export const pack421_aggregate_rollups = aggregatorSchedule.onSchedule('every 1 minutes', async (event) => {
  await handleScheduledRollups(event);
});
export const pack421_aggregate_slos = aggregatorSchedule.onSchedule('every 1 minutes', async (event) => {
  await handleScheduledSlos(event);
});

// ── Ingest (#4): each message on METRICS_TOPIC → validate, store, dead-letter (ingest/). A throw
// means "redeliver" (retry: true); the handler bounds retries of a message the warehouse keeps failing on.
import { onMessagePublished } from 'firebase-functions/v2/pubsub';
import { createPushIngest } from './ingest/function-handler';
import { DEFAULTS as CONFIG_DEFAULTS } from './shared/config';

const ingestPushed = createPushIngest();
export const ingest = onMessagePublished({ topic: process.env.METRICS_TOPIC || CONFIG_DEFAULTS.metricsTopic, retry: true }, async (event) => {
  await ingestPushed(event.data.message);
});
