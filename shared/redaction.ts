import { redactSecrets, type ObservabilityConfig } from './config';

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
 * The secrets of the configuration, by field, with the environment variable (and Secret Manager
 * secret, functions/secrets.ts) each comes from: the one list of what no log line, error,
 * alert_log row, outbox line or HTTP answer may carry.
 */
export const SECRET_VARIABLES = {
  internalHealthApiKey: 'INTERNAL_HEALTH_API_KEY',
  slackOncallWebhook: 'SLACK_ONCALL_WEBHOOK',
  slackSafetyWebhook: 'SLACK_SAFETY_WEBHOOK',
  pagerdutyIntegrationKey: 'PAGERDUTY_INTEGRATION_KEY',
  smtpUrl: 'SMTP_URL',
} as const satisfies Partial<Record<keyof ObservabilityConfig, string>>;

/** The secret values of a configuration (unset ones as undefined). */
export function configSecrets(config: ObservabilityConfig): Array<string | undefined> {
  return (Object.keys(SECRET_VARIABLES) as Array<keyof typeof SECRET_VARIABLES>).map((field) => config[field]);
}

/** The redactor of a configuration: every secret, and the parts of it that can show up alone. */
export function redactorFor(config: ObservabilityConfig): Redactor {
  return createRedactor(configSecrets(config));
}
