import { FakeClock } from '../../../shared/clock';
import { classifyHttpStatus, parseRetryAfterMs } from '../../../alerts/notify/http-status';
import { MinIntervalLimiter } from '../../../alerts/notify/rate-limiter';
import { RETRY_POLICY, runBackoffMs, sendWithRetry } from '../../../alerts/notify/retry-policy';
import type { SendResult } from '../../../alerts/notifiers/notifier';
import { T0 } from './helpers';

describe('shared HTTP status classification', () => {
  it.each([
    [200, 'ok'],
    [202, 'ok'],
    [400, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [429, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
  ])('HTTP %s is %s', (status, outcome) => {
    expect(classifyHttpStatus(status, 'x').outcome).toBe(outcome);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfterMs('3', T0)).toBe(3_000);
    expect(parseRetryAfterMs(new Date(T0 + 5_000).toUTCString(), T0)).toBe(5_000);
    expect(parseRetryAfterMs('soon', T0)).toBeUndefined();
    expect(parseRetryAfterMs(null, T0)).toBeUndefined();
  });
});

describe('the one retry policy', () => {
  const script = (...results: SendResult[]) => {
    const calls: number[] = [];
    return { calls, send: () => Promise.resolve(results[calls.push(calls.length) - 1] ?? results[results.length - 1]!) };
  };

  it('retries a retryable failure with exponential backoff, up to the attempts per run', async () => {
    const clock = new FakeClock(T0);
    const { calls, send } = script({ outcome: 'retryable', reason: '500' });
    const outcome = await sendWithRetry(send, clock);
    expect(calls).toHaveLength(RETRY_POLICY.attemptsPerRun);
    expect(outcome.waitsMs).toEqual([500, 1_000]);
    expect(outcome.result.outcome).toBe('retryable');
  });

  it('honours Retry-After, and stops at the first success', async () => {
    const clock = new FakeClock(T0);
    const { calls, send } = script({ outcome: 'retryable', reason: '429', retryAfterMs: 2_000 }, { outcome: 'ok' });
    const outcome = await sendWithRetry(send, clock);
    expect([calls.length, outcome.waitsMs, outcome.result.outcome]).toEqual([2, [2_000], 'ok']);
  });

  it('never retries a permanent failure', async () => {
    const { calls, send } = script({ outcome: 'permanent', reason: '400' });
    await sendWithRetry(send, new FakeClock(T0));
    expect(calls).toHaveLength(1);
  });

  it('leaves a Retry-After longer than it will wait to a later run', async () => {
    const { calls, send } = script({ outcome: 'retryable', reason: '429', retryAfterMs: 120_000 });
    const outcome = await sendWithRetry(send, new FakeClock(T0));
    expect([calls.length, outcome.waitsMs]).toEqual([1, []]);
  });

  it('a send that throws counts as retryable', async () => {
    const outcome = await sendWithRetry(() => Promise.reject(new Error('boom')), new FakeClock(T0), { ...RETRY_POLICY, attemptsPerRun: 1 });
    expect(outcome.result).toEqual({ outcome: 'retryable', reason: 'boom' });
  });

  it('backs off between runs: 1, 2, 4 … minutes, capped at 30', () => {
    expect([1, 2, 3, 10].map((n) => runBackoffMs(n))).toEqual([60_000, 120_000, 240_000, 1_800_000]);
  });
});

describe('per-key rate limiter', () => {
  it('lets one call per second through per key; other keys are independent', async () => {
    const clock = new FakeClock(T0);
    const limiter = new MinIntervalLimiter(1_000, clock);
    await limiter.acquire('a');
    await limiter.acquire('a');
    await limiter.acquire('b');
    await limiter.acquire('a');
    expect(clock.waits).toEqual([1_000, 1_000]);
  });
});

describe('the retry policy under deadlines', () => {
  /** A send that hangs until its signal aborts, then answers as a notifier must (contract in notifiers/notifier.ts). */
  const hangingSend = (calls: AbortSignal[]) => (signal?: AbortSignal) =>
    new Promise<SendResult>((resolve) => {
      calls.push(signal!);
      signal!.addEventListener('abort', () => resolve({ outcome: 'retryable', reason: 'stand-in hung', timedOut: true }));
    });

  it('aborts a hanging attempt at its deadline and leaves it to a later run instead of retrying it now', async () => {
    const calls: AbortSignal[] = [];
    const outcome = await sendWithRetry(hangingSend(calls), new FakeClock(T0), RETRY_POLICY, { requestTimeoutMs: 20 });
    expect([calls.length, calls[0]!.aborted, outcome.attempts, outcome.waitsMs]).toEqual([1, true, 1, []]);
    expect(outcome.result).toEqual({ outcome: 'retryable', reason: 'stand-in hung', timedOut: true });
  });

  it('cuts off a send that ignores its signal, so no notifier can hold the run past the deadline', async () => {
    const outcome = await sendWithRetry(() => new Promise<SendResult>(() => undefined), new FakeClock(T0), RETRY_POLICY, { requestTimeoutMs: 20 });
    expect(outcome.result).toMatchObject({ outcome: 'retryable', timedOut: true, reason: expect.stringContaining('deadline') });
  });

  it('starts no retry that would begin after the run deadline', async () => {
    const clock = new FakeClock(T0);
    const calls: number[] = [];
    const send = () => Promise.resolve<SendResult>({ outcome: 'retryable', reason: `500 #${calls.push(clock.now())}` });
    const outcome = await sendWithRetry(send, clock, RETRY_POLICY, { requestTimeoutMs: 10_000, stopAtMs: T0 + 1_000 });
    // T0: first attempt; +500 ms backoff: second; the next backoff (1 s) would end past the deadline.
    expect([calls, outcome.waitsMs, outcome.attempts]).toEqual([[T0, T0 + 500], [500], 2]);
  });
});
