import type { Clock } from '../../shared/clock';
import type { SendResult } from '../notifiers/notifier';
import { raceDeadline, timedOutResult } from './deadline';

/**
 * The one retry policy of every notifier. Within a run, a retryable send is tried again up to
 * `attemptsPerRun` times with exponential backoff, honouring the channel's Retry-After when it
 * gives one (up to `maxRetryAfterMs`: a longer wait is left to a later run rather than holding
 * this one). A notification still failing at the end of the run stays pending and is retried by
 * later runs, not before `runBackoffMs(attempts)`; after `maxDeliveryAttempts` runs it is failed.
 */
export interface RetryPolicy {
  readonly attemptsPerRun: number;
  readonly initialBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly maxBackoffMs: number;
  readonly maxRetryAfterMs: number;
  /** Backoff between runs: first retry after this, doubling up to `maxRunBackoffMs`. */
  readonly initialRunBackoffMs: number;
  readonly maxRunBackoffMs: number;
  readonly maxDeliveryAttempts: number;
}

export const RETRY_POLICY: RetryPolicy = {
  attemptsPerRun: 3,
  initialBackoffMs: 500,
  backoffMultiplier: 2,
  maxBackoffMs: 5_000,
  maxRetryAfterMs: 30_000,
  initialRunBackoffMs: 60_000,
  maxRunBackoffMs: 30 * 60_000,
  maxDeliveryAttempts: 24,
};

export interface RetryOutcome {
  readonly result: SendResult;
  /** Sends made in this run. */
  readonly attempts: number;
  /** The waits between them, in ms. */
  readonly waitsMs: readonly number[];
}

/** Limits of one `sendWithRetry`: each attempt's deadline, and when the run stops trying. */
export interface AttemptDeadlines {
  /** Each attempt is aborted after this long (notify/deadline.ts). */
  readonly requestTimeoutMs: number;
  /**
   * Clock time after which no attempt runs: an attempt's deadline is cut to it, and a retry that
   * would start after it is left to a later run. Undefined: only `requestTimeoutMs` applies.
   */
  readonly stopAtMs?: number;
}

/**
 * Runs `send` under the policy. Never throws: a send that throws counts as retryable. Each
 * attempt gets an AbortSignal that fires at its deadline (`deadlines`, when given), and the
 * attempt is raced against it, so even a notifier that ignored the signal cannot overrun it.
 * A timed-out attempt is not retried within the run: an endpoint that hung for a whole deadline
 * is unlikely to answer a second later, and retrying would only hold the run (and its claim).
 */
export async function sendWithRetry(
  send: (signal?: AbortSignal) => Promise<SendResult>,
  clock: Clock,
  policy: RetryPolicy = RETRY_POLICY,
  deadlines?: AttemptDeadlines,
): Promise<RetryOutcome> {
  const waitsMs: number[] = [];
  let backoff = policy.initialBackoffMs;
  for (let attempt = 1; ; attempt++) {
    let result: SendResult;
    try {
      result = await attemptOnce(send, clock, deadlines);
    } catch (error) {
      result = { outcome: 'retryable', reason: error instanceof Error ? error.message : String(error) };
    }
    if (result.outcome !== 'retryable' || result.timedOut || attempt >= policy.attemptsPerRun) return { result, attempts: attempt, waitsMs };
    const wait = result.retryAfterMs ?? backoff;
    if (wait > policy.maxRetryAfterMs) return { result, attempts: attempt, waitsMs };
    if (deadlines?.stopAtMs !== undefined && clock.now() + wait >= deadlines.stopAtMs) return { result, attempts: attempt, waitsMs };
    waitsMs.push(wait);
    await clock.sleep(wait);
    backoff = Math.min(backoff * policy.backoffMultiplier, policy.maxBackoffMs);
  }
}

function attemptOnce(send: (signal?: AbortSignal) => Promise<SendResult>, clock: Clock, deadlines: AttemptDeadlines | undefined): Promise<SendResult> {
  if (!deadlines) return send();
  const remainingMs = deadlines.stopAtMs === undefined ? deadlines.requestTimeoutMs : deadlines.stopAtMs - clock.now();
  const signal = AbortSignal.timeout(Math.max(1, Math.min(deadlines.requestTimeoutMs, remainingMs)));
  return raceDeadline(send(signal), signal, () => timedOutResult('the channel'));
}

/** When a notification that failed `attempts` runs in a row may be tried again (after the last failure). */
export function runBackoffMs(attempts: number, policy: RetryPolicy = RETRY_POLICY): number {
  return Math.min(policy.initialRunBackoffMs * Math.pow(2, Math.max(0, attempts - 1)), policy.maxRunBackoffMs);
}
