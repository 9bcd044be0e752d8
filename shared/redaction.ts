import { configSecretValues, redactSecrets, type ObservabilityConfig, type SECRET_FIELDS } from './config';

/**
 * Removes secrets from text before it reaches a log line, an error, alert_log or the outbox.
 * Built once from every secret the notifiers hold; each notifier also redacts its own errors.
 */
export interface Redactor {
  redact(text: string): string;
}

/**
 * The secrets worth hiding for a set of configured values: each value itself, and for URLs also
 * the parts that can show up on their own in an error (the path holding a Slack webhook's token,
 * the password of an SMTP URL, raw and URL-decoded). User names are not secrets and stay readable.
 */
export function secretVariants(values: ReadonlyArray<string | undefined>): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    out.add(value);
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url) continue;
    if (url.pathname.length > 1) out.add(url.pathname.replace(/^\//, ''));
    if (url.password) {
      out.add(url.password);
      try {
        out.add(decodeURIComponent(url.password));
      } catch {
        // not URL-encoded
      }
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

export function createRedactor(values: ReadonlyArray<string | undefined>): Redactor {
  const secrets = secretVariants(values);
  return { redact: (text) => redactSecrets(text, secrets) };
}

/**
 * The environment variable (and Secret Manager secret, functions/secrets.ts) of each secret of
 * the configuration. The list itself is shared/config.ts SECRET_FIELDS: a field added there must
 * be named here (the type says so).
 */
export const SECRET_VARIABLES: Readonly<Record<(typeof SECRET_FIELDS)[number], string>> = {
  internalHealthApiKey: 'INTERNAL_HEALTH_API_KEY',
  slackOncallWebhook: 'SLACK_ONCALL_WEBHOOK',
  slackSafetyWebhook: 'SLACK_SAFETY_WEBHOOK',
  pagerdutyIntegrationKey: 'PAGERDUTY_INTEGRATION_KEY',
  smtpUrl: 'SMTP_URL',
  heartbeatUrl: 'OBS_HEARTBEAT_URL',
  datadogApiKey: 'DD_API_KEY',
  prometheusPushgatewayUrl: 'PROMETHEUS_PUSHGATEWAY_URL',
  gateToken: 'OBS_GATE_TOKEN',
  pagerdutyWebhookSecret: 'PAGERDUTY_WEBHOOK_SECRET',
};

/** The secret values of a configuration (unset ones as undefined): shared/config.ts configSecretValues. */
export const configSecrets: (config: ObservabilityConfig) => Array<string | undefined> = configSecretValues;

/** The redactor of a configuration: every secret, and the parts of it that can show up alone. The one place it is built from config. */
export function redactorFor(config: ObservabilityConfig): Redactor {
  return createRedactor(configSecretValues(config));
}
