import { defineSecret } from 'firebase-functions/params';
import { SECRET_VARIABLES } from '../shared/redaction';

/**
 * The secrets (Secret Manager, `firebase functions:secrets:set NAME`), named after the one list
 * of secrets (shared/config.ts SECRET_FIELDS, their variables in shared/redaction.ts). A function
 * sees only the secrets bound to it (`secrets: [...]` in index.ts), as environment variables of
 * the same name, which loadConfig reads like any other. Every bound secret must exist when
 * deploying (docs/DEPLOYMENT.md, "Secrets"), so only these are bound.
 */
const secret = (field: keyof typeof SECRET_VARIABLES) => defineSecret(SECRET_VARIABLES[field]);

/** The notification channels: the alert evaluator sends with them. */
export const CHANNEL_SECRETS = [secret('slackOncallWebhook'), secret('slackSafetyWebhook'), secret('pagerdutyIntegrationKey'), secret('smtpUrl')];

/**
 * The alert evaluator's secrets: the channels, and the heartbeat URL it pings after each
 * successful run (the dead man's switch; blank when no outside monitor is set up).
 */
export const EVALUATOR_SECRETS = [...CHANNEL_SECRETS, secret('heartbeatUrl')];

/**
 * The exporter stage (OBSERVABILITY_PROVIDER / OBS_EXPORTERS): the Datadog API key and the
 * Pushgateway URL (which may hold basic-auth credentials). Both must exist to deploy, like every
 * bound secret: set an unused one to a placeholder (docs/DEPLOYMENT.md).
 */
export const EXPORTER_SECRETS = [secret('datadogApiKey'), secret('prometheusPushgatewayUrl')];

/** The release gate's bearer token for CI/CD (GET /api/slo/gate, served by pack421_dashboard). */
export const GATE_SECRETS = [secret('gateToken')];

/** The PagerDuty v3 webhook (pack421_pagerduty_webhook): the subscription's signing secret, to verify each request. */
export const PAGERDUTY_WEBHOOK_SECRETS = [secret('pagerdutyWebhookSecret')];

/** `/metrics` (pack421_metrics): only the internal key its scrapers present. */
export const METRICS_SECRETS = [secret('internalHealthApiKey')];

/**
 * Ingest: the channels, because the streaming alerts (issue #15, alerts/streaming/) notify from
 * the ingest function itself when a P0 or fast-burn rule breaches as its events arrive.
 */
export const INGEST_SECRETS = CHANNEL_SECRETS;

/**
 * Internal health and the dashboard: the key, and the channel secrets because their `channels`
 * and `environment` components report which are set (names only, never values). Public health
 * and the feature matrix get none.
 */
export const HEALTH_SECRETS = [secret('internalHealthApiKey'), ...CHANNEL_SECRETS];
