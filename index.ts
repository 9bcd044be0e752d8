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
