/**
 * Firebase entry point: every Cloud Function of the pipeline (2nd gen). Wiring only — each
 * function parses its input, calls a framework-free handler, and acks or throws; the adapters
 * and the per-instance singletons (config, warehouse, Firestore, token verifier) are in
 * functions/. Deployment, secrets and Hosting rewrites: docs/DEPLOYMENT.md.
 */
import * as logger from 'firebase-functions/logger';
import { onMessagePublished } from 'firebase-functions/v2/pubsub';
import { onCall, onRequest } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { handleScheduledRollups, handleScheduledSlos } from './aggregator/scheduled';
import { runScheduledAlertEvaluation } from './alerts/run/scheduled';
import { createFunctionHandlers } from './functions/handlers';
import { serveGet } from './functions/http-adapter';
import { createFunctionInstance } from './functions/instance';
import { CHANNEL_SECRETS, HEALTH_SECRETS } from './functions/secrets';
import type { HttpRequest, HttpResponse } from './health/http';
import { createPushIngest } from './ingest/function-handler';
import { DEFAULTS as CONFIG_DEFAULTS } from './shared/config';

// ── Ingest (#4): each message on METRICS_TOPIC → validate, store, dead-letter (ingest/). A throw
// means "redeliver" (retry: true); the handler bounds retries of a message the warehouse keeps failing on.
const ingestPushed = createPushIngest();
export const ingest = onMessagePublished({ topic: process.env.METRICS_TOPIC || CONFIG_DEFAULTS.metricsTopic, retry: true }, async (event) => {
  await ingestPushed(event.data.message);
});

// ── Aggregator (#5): every minute, the incremental rollups, and the SLO statuses from them
// (aggregator/scheduled.ts; the schedule time is the jobs' "now").
export const pack421_aggregate_rollups = onSchedule('every 1 minutes', async (event) => {
  await handleScheduledRollups(event);
});
export const pack421_aggregate_slos = onSchedule('every 1 minutes', async (event) => {
  await handleScheduledSlos(event);
});

// ── Alerts (#6): every minute, evaluate the rules and deliver notifications (alerts/run/scheduled.ts).
// The channel secrets are bound here: without them every notification would go to the outbox.
export const pack421_alerts_evaluate = onSchedule({ schedule: 'every 1 minutes', secrets: CHANNEL_SECRETS }, async (event) => {
  await runScheduledAlertEvaluation(undefined, Date.parse(event.scheduleTime) || Date.now());
});

// ── Health (#7) and the dashboard: HTTP functions behind the Hosting rewrites in firebase.json.
// They authenticate callers themselves (internal key, admin ID token), so anyone may invoke them.
const instance = createFunctionInstance();
const handlers = createFunctionHandlers(instance);
const serve = (handle: (request: HttpRequest) => Promise<HttpResponse | undefined>) =>
  serveGet(handle, { describeError: instance.describeError, log: (message, fields) => logger.error(message, fields) });

export const pack421_health_public = onRequest({ invoker: 'public' }, serve(handlers.publicHealth));
export const pack421_health_internal = onRequest({ invoker: 'public', secrets: HEALTH_SECRETS }, serve(handlers.internalHealth));
export const pack421_health_featureMatrix_http = onRequest({ invoker: 'public' }, serve(handlers.featureMatrix));
export const pack421_health_featureMatrix = onCall((request) => handlers.featureMatrixCall(request.auth));
export const pack421_dashboard = onRequest({ invoker: 'public', secrets: HEALTH_SECRETS }, serve(handlers.dashboard));
