/**
 * Firebase entry point: every Cloud Function of the pipeline (2nd gen). Wiring only — each
 * function picks the production assembly (app/production.ts: config, warehouse, Firestore, token
 * verifier, probes, job runners, all built on first use) and calls one handler or job with the
 * event. Deployment, secrets and Hosting rewrites: docs/DEPLOYMENT.md.
 */
import { onMessagePublished } from 'firebase-functions/v2/pubsub';
import { onCall, onRequest } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { createProductionApp } from './app/production';
import { createFunctionHandlers } from './functions/handlers';
import { serveGet } from './functions/http-adapter';
import { servePost } from './functions/webhook-adapter';
import { scheduledNowMs } from './functions/schedule';
import { EVALUATOR_SECRETS, EXPORTER_SECRETS, GATE_SECRETS, HEALTH_SECRETS, INGEST_SECRETS, METRICS_SECRETS, PAGERDUTY_WEBHOOK_SECRETS } from './functions/secrets';
import type { HttpRequest, HttpResponse } from './http/http';
import { DEFAULTS as CONFIG_DEFAULTS } from './shared/config';

const app = createProductionApp();
const now = () => app.clock.now();

// ── Ingest (#4): each message on METRICS_TOPIC → validate, store, dead-letter (ingest/). A throw
// means "redeliver" (retry: true); the handler bounds retries of a message the warehouse keeps failing on.
// It also evaluates the streaming rules on what it stored (#15), so it holds the channel secrets.
export const ingest = onMessagePublished({ topic: process.env.METRICS_TOPIC || CONFIG_DEFAULTS.metricsTopic, retry: true, secrets: INGEST_SECRETS }, async (event) => {
  await app.ingest(event.data.message);
});

// ── Aggregator (#5): every minute, the incremental rollups, and the SLO statuses from them
// (app/jobs.ts; the schedule time is the jobs' "now").
export const pack421_aggregate_rollups = onSchedule('every 1 minutes', async (event) => {
  await app.jobs.runRollups(scheduledNowMs(event, now));
});
export const pack421_aggregate_slos = onSchedule('every 1 minutes', async (event) => {
  await app.jobs.runSlos(scheduledNowMs(event, now));
});

// ── Alerts (#6): every minute, evaluate the rules and deliver notifications (app/jobs.ts runAlerts).
// The channel secrets are bound here: without them every notification would go to the outbox.
export const pack421_alerts_evaluate = onSchedule({ schedule: 'every 1 minutes', secrets: EVALUATOR_SECRETS }, async (event) => {
  await app.jobs.runAlerts(scheduledNowMs(event, now));
});

// ── Exporters (#14): every minute, the closed 1-minute rollups to Datadog / Cloud Monitoring /
// the Pushgateway (OBSERVABILITY_PROVIDER, OBS_EXPORTERS), each from its cursor (app/jobs.ts runExports).
export const pack421_export_metrics = onSchedule({ schedule: 'every 1 minutes', secrets: EXPORTER_SECRETS }, async (event) => {
  await app.jobs.runExports(scheduledNowMs(event, now));
});

// ── Retention (#13): daily, delete the 1-minute rollup rows past OBS_RETENTION_MINUTE_ROLLUPS_DAYS;
// BigQuery's partition expiry removes the rest (sql/ddl.ts; docs/OPERATIONS.md, "Retention").
export const pack421_retention_daily = onSchedule({ schedule: 'every day 03:30', timeZone: 'Etc/UTC' }, async (event) => {
  await app.jobs.runRetention(scheduledNowMs(event, now));
});

// ── Health (#7) and the dashboard: HTTP functions behind the Hosting rewrites in firebase.json.
// They authenticate callers themselves (internal key, admin ID token), so anyone may invoke them.
const handlers = createFunctionHandlers(app);
const serve = (handle: (request: HttpRequest) => Promise<HttpResponse | undefined>) =>
  serveGet(handle, { describeError: (error) => app.describeError(error), log: (message, fields) => app.logger().error(message, fields) });

export const pack421_health_public = onRequest({ invoker: 'public' }, serve(handlers.publicHealth));
export const pack421_health_internal = onRequest({ invoker: 'public', secrets: HEALTH_SECRETS }, serve(handlers.internalHealth));
export const pack421_health_featureMatrix_http = onRequest({ invoker: 'public' }, serve(handlers.featureMatrix));
export const pack421_health_featureMatrix = onCall((request) => handlers.featureMatrixCall(request.auth));
// Prometheus scrapes the closed minutes here (Authorization: Bearer <INTERNAL_HEALTH_API_KEY>).
export const pack421_metrics = onRequest({ invoker: 'public', secrets: METRICS_SECRETS }, serve(handlers.metrics));
export const pack421_dashboard = onRequest({ invoker: 'public', secrets: [...HEALTH_SECRETS, ...GATE_SECRETS] }, serve(handlers.dashboard));
// Incidents (#16): PagerDuty's v3 webhook (incident.acknowledged / incident.resolved), signed with
// PAGERDUTY_WEBHOOK_SECRET (verified over the raw body; 401 otherwise). Public: PagerDuty calls it.
export const pack421_pagerduty_webhook = onRequest(
  { invoker: 'public', secrets: PAGERDUTY_WEBHOOK_SECRETS },
  servePost(handlers.pagerdutyWebhook, { describeError: (error) => app.describeError(error), log: (message, fields) => app.logger().error(message, fields) }),
);
// The public status page (issue #16): /status and /status.json through Hosting rewrites; no auth, no secrets.
export const pack421_status = onRequest({ invoker: 'public' }, serve(handlers.status));
