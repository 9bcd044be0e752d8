import { DEFAULT_REQUEST_TIMEOUT_MS } from './deadline';

/**
 * How the delivery stage spends time and connections. Named with their units; checked once,
 * when the runtime is built (`checkDeliveryLimits`), so a bad combination fails at start-up.
 */
export interface DeliveryLimits {
  /** Sends in flight at once, all channels together (the p-limit pool). */
  readonly maxConcurrentDeliveries: number;
  /**
   * Sends in flight at once to one channel. Below `maxConcurrentDeliveries`, so one slow channel
   * (PagerDuty hanging with 50 pages queued) cannot take the whole pool from the others.
   */
  readonly maxConcurrentDeliveriesPerChannel: number;
  /** Each attempt (HTTP request, SMTP send) is aborted after this long. */
  readonly requestTimeoutMs: number;
  /**
   * The stage's own deadline, from its start: no attempt runs past it (an attempt's deadline is
   * cut to it, a retry that would start after it is left to the next run), and a batch still
   * queued when it passes is released unsent, due again at the next run.
   */
  readonly runDeadlineMs: number;
}

/**
 * Defaults. The run deadline equals one request deadline: a run with a hanging endpoint ends
 * about one deadline after delivery starts, so the local stack's tick (which awaits the run
 * before its next aggregation) is held for at most that long; quick failures (HTTP 500, 429 with
 * a short Retry-After) are still retried within it.
 */
export const DELIVERY_LIMITS: DeliveryLimits = {
  maxConcurrentDeliveries: 8,
  maxConcurrentDeliveriesPerChannel: 4,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  runDeadlineMs: DEFAULT_REQUEST_TIMEOUT_MS,
};

/**
 * Time allowed, on top of the run deadline, for the stage's own store writes after its last send
 * (completing up to MAX_CLAIM_PER_CHANNEL rows per channel and their alert_log rows): generous
 * against Firestore's and DuckDB's observed latencies of tens of milliseconds per write.
 */
export const STORE_WRITES_ALLOWANCE_MS = 60_000;

/**
 * A claim is taken when the stage starts and completed after the claim's last send. Its
 * holding time must stay below the claim timeout, or a second run would take the claim over and
 * send the same notification again. The arithmetic, with the defaults:
 *
 * - Without a run deadline, one batch could take attemptsPerRun × requestTimeoutMs plus the
 *   waits between attempts: 3 × 10 s + 2 × 30 s (maxRetryAfterMs) = 90 s; and batches queue
 *   behind the per-channel bound, so 100 claimed pages at 4 in flight would hold the claim
 *   25 × 90 s = 37.5 min — far past the 5-minute claim timeout. Queueing is what breaks it.
 * - With the run deadline every attempt ends by start + runDeadlineMs, whatever the queue:
 *   an attempt's abort signal fires at min(requestTimeoutMs, time left), no retry starts after
 *   it, and queued batches are released unsent. So a claim is held at most
 *   runDeadlineMs + STORE_WRITES_ALLOWANCE_MS = 10 s + 60 s = 70 s < 300 s.
 */
export function checkDeliveryLimits(limits: DeliveryLimits, claimTimeoutMs: number): void {
  const positive = (name: keyof DeliveryLimits) => {
    const value = limits[name];
    if (!Number.isInteger(value) || value < 1) throw new Error(`delivery limits: ${name} must be a positive integer, got ${value}`);
  };
  positive('maxConcurrentDeliveries');
  positive('maxConcurrentDeliveriesPerChannel');
  positive('requestTimeoutMs');
  positive('runDeadlineMs');
  if (limits.maxConcurrentDeliveriesPerChannel > limits.maxConcurrentDeliveries) {
    throw new Error(`delivery limits: maxConcurrentDeliveriesPerChannel (${limits.maxConcurrentDeliveriesPerChannel}) may not exceed maxConcurrentDeliveries (${limits.maxConcurrentDeliveries})`);
  }
  if (limits.runDeadlineMs + STORE_WRITES_ALLOWANCE_MS >= claimTimeoutMs) {
    throw new Error(
      `delivery limits: runDeadlineMs (${limits.runDeadlineMs}) + ${STORE_WRITES_ALLOWANCE_MS} ms for store writes must stay below the claim timeout (${claimTimeoutMs} ms), or a claim could be taken over while its run still sends`,
    );
  }
}
