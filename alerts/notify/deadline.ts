import type { SendResult } from '../notifiers/notifier';

/**
 * Per-request deadline of every notifier (HTTP request and SMTP send alike). PagerDuty's Events
 * API and Slack's webhooks answer in well under a second when healthy; 10 s leaves room for a
 * slow network without letting a hanging endpoint hold a run.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** The result of an attempt cut off by its deadline: retryable, in a later run. */
export function timedOutResult(what: string): SendResult {
  return { outcome: 'retryable', reason: `${what} did not answer before the request deadline`, timedOut: true };
}

/**
 * Races `attempt` against `signal`: whichever ends first. The notifiers stop their own I/O on
 * the signal (contract in notifiers/notifier.ts); this race only guarantees that a notifier which
 * does not still cannot hold the run past its deadline. On abort the notifier's own answer (which
 * names the channel) is preferred when it settles in the same turn of the event loop.
 */
export function raceDeadline(attempt: Promise<SendResult>, signal: AbortSignal, onTimeout: () => SendResult): Promise<SendResult> {
  if (signal.aborted) {
    attempt.catch(() => undefined);
    return Promise.resolve(onTimeout());
  }
  return new Promise<SendResult>((resolve, reject) => {
    const onAbort = () => setImmediate(() => resolve(onTimeout()));
    signal.addEventListener('abort', onAbort, { once: true });
    attempt.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
