import { redactSecrets } from '../../shared/config';

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
 * Message of any thrown value, redacted, following the `cause` chain (where fetch puts the
 * reason) and the first of an AggregateError's `errors` (where Node puts ECONNREFUSED).
 * Duck-typed rather than `instanceof Error`: errors can come from another realm.
 */
export function describeError(error: unknown, redactor: Redactor): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (typeof current !== 'object') {
      const primitive = current as string | number | boolean | bigint | symbol | (() => unknown);
      parts.push(typeof primitive === 'string' ? primitive : typeof primitive === 'function' ? 'function' : primitive.toString());
      break;
    }
    const e = current as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : undefined;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (message !== undefined || code !== undefined) parts.push(message !== undefined && code !== undefined ? `${message} (${code})` : (message ?? code ?? ''));
    current = e.cause ?? (Array.isArray(e.errors) ? (e.errors as unknown[])[0] : undefined);
  }
  return redactor.redact(parts.length > 0 ? parts.join(': ') : 'unknown error');
}
