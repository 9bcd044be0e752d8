import type { SendResult } from '../notifiers/notifier';

/**
 * Shared HTTP status classification (as Alertmanager's notify/util.go): 2xx is success; 429 and
 * 5xx are retryable; anything else is the request's fault and retrying cannot help. A channel
 * may add its own rule on top (Slack's 200 must say `ok`).
 */
export function classifyHttpStatus(status: number, reason: string, retryAfterMs?: number): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'ok', detail: `HTTP ${status}` };
  if (status === 429 || status >= 500) {
    return retryAfterMs === undefined ? { outcome: 'retryable', reason: `HTTP ${status}: ${reason}` } : { outcome: 'retryable', reason: `HTTP ${status}: ${reason}`, retryAfterMs };
  }
  return { outcome: 'permanent', reason: `HTTP ${status}: ${reason}` };
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Response bodies end up in reasons: keep them short and on one line. */
export function shortBody(body: string, max = 300): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
