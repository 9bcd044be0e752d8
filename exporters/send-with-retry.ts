import type { Clock } from '../shared/clock';
import type { ExportBatch, Exporter, SendResult } from './types';

/** Retry policy of one batch, units in the names. */
export interface RetryPolicy {
  /** Attempts per batch, the first included, before the run gives up (the cursor stays; the next run tries again). */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A Retry-After longer than this is cut to it (a run must end within its minute or so). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseBackoffMs: 500, maxBackoffMs: 15_000, maxRetryAfterMs: 30_000 };

/** Outcome of a batch after its retries: ok, rejected (dead-letter it), or still failing after `attempts`. */
export type BatchOutcome = (SendResult & { readonly attempts: number }) | { readonly outcome: 'gave_up'; readonly reason: string; readonly attempts: number; readonly status?: number };

/**
 * Sends one batch: a `retry` answer (429, 5xx, network) waits the server's Retry-After when it
 * gave one, else exponential backoff (base·2^n, capped), and tries again up to `maxAttempts`.
 * The waits go through the clock, so tests run them instantly and can read how long they were.
 */
export async function sendWithRetry(exporter: Exporter, batch: ExportBatch, clock: Clock, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<BatchOutcome> {
  let last: SendResult | undefined;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    last = await exporter.send(batch);
    if (last.outcome !== 'retry') return { ...last, attempts: attempt };
    if (attempt === policy.maxAttempts) break;
    const backoff = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (attempt - 1));
    const wait = last.retryAfterMs !== undefined ? Math.min(policy.maxRetryAfterMs, Math.max(0, last.retryAfterMs)) : backoff;
    await clock.sleep(wait);
  }
  const failed = last as Extract<SendResult, { outcome: 'retry' }>;
  return { outcome: 'gave_up', reason: failed.reason, attempts: policy.maxAttempts, ...(failed.status !== undefined ? { status: failed.status } : {}) };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/** HTTP status → what the stage does: 2xx ok, 429 and 5xx retry, other 4xx rejected (Alertmanager's classification). */
export function classifyStatus(status: number, reason: string, retryAfter?: number): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'ok' };
  if (status === 429 || status >= 500 || status === 408) return { outcome: 'retry', status, reason, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
  return { outcome: 'rejected', status, reason };
}
