import { defineSecret } from 'firebase-functions/params';

/**
 * The secrets (Secret Manager, `firebase functions:secrets:set NAME`). A function sees only the
 * secrets bound to it (`secrets: [...]` in index.ts), as environment variables of the same name,
 * which loadConfig reads like any other. Every bound secret must exist when deploying
 * (docs/DEPLOYMENT.md, "Secrets").
 */
export const INTERNAL_HEALTH_API_KEY = defineSecret('INTERNAL_HEALTH_API_KEY');
export const SLACK_ONCALL_WEBHOOK = defineSecret('SLACK_ONCALL_WEBHOOK');
export const SLACK_SAFETY_WEBHOOK = defineSecret('SLACK_SAFETY_WEBHOOK');
export const PAGERDUTY_INTEGRATION_KEY = defineSecret('PAGERDUTY_INTEGRATION_KEY');
export const SMTP_URL = defineSecret('SMTP_URL');

/** The notification channels: the alert evaluator sends with them. */
export const CHANNEL_SECRETS = [SLACK_ONCALL_WEBHOOK, SLACK_SAFETY_WEBHOOK, PAGERDUTY_INTEGRATION_KEY, SMTP_URL];

/**
 * Internal health and the dashboard: the key, and the channel secrets because their `channels`
 * and `environment` components report which are set (names only, never values). Public health,
 * the feature matrix and ingest get none.
 */
export const HEALTH_SECRETS = [INTERNAL_HEALTH_API_KEY, ...CHANNEL_SECRETS];
