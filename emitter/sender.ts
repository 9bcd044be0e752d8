import type { SealedMessage } from './batch';
import type { Counters } from './counters';
import { describeError, isRetryable, type Transport } from './transports/transport';
import type { DropReason } from './types';

export interface SenderOptions {
  maxConcurrentPublishes: number;
  /** How long a message may keep failing (or waiting) after it was sealed before it is dropped. */
  retryWindowMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Our own deadline on one publish call, in case a transport ignores its own. */
  publishTimeoutMs: number;
  now: () => number;
  /** Called once per settled message, after the counters moved. */
  onSettled: (message: SealedMessage, outcome: 'published' | DropReason) => void;
  /** Rate-limited by key in the emitter: one warning per key per interval. */
  warn: (key: string, message: string) => void;
}

interface Entry {
  message: SealedMessage;
  attempts: number;
  /** Set when shutdown gave up on an in-flight message: its late result must not be counted. */
  abandoned: boolean;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Publishes sealed messages with bounded concurrency, and retries failures with exponential
 * backoff and "equal jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter", 2015) until a
 * message's retry window closes. Retry lives here and only here.
 *
 * After a failure the whole sender pauses (a dead endpoint is dead for every message) and then
 * probes with one message at a time until one succeeds — a small circuit breaker that keeps an
 * outage from turning into a storm of doomed requests.
 */
export class Sender {
  private readonly queue: Entry[] = [];
  private readonly inFlight = new Set<Entry>();
  /** Unsettled messages by seq; a Map iterates in insertion (= seq) order, so the first key is the oldest. */
  private readonly unsettled = new Map<number, Entry>();
  private readonly waiters: { upTo: number; resolve: () => void }[] = [];
  private consecutiveFailures = 0;
  private pausedUntilMs = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private failingSinceMs: number | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly counters: Counters,
    private readonly options: SenderOptions,
  ) {}

  enqueue(message: SealedMessage): void {
    const entry: Entry = { message, attempts: 0, abandoned: false };
    this.unsettled.set(message.seq, entry);
    this.queue.push(entry);
    this.pump();
  }

  /** Resolves once every message with `seq <= upTo` has been published or dropped. */
  settled(upTo: number): Promise<void> {
    if (this.oldestUnsettled() > upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /** Gives up on everything not yet published (shutdown deadline): dropped with `reason`. */
  abandonAll(reason: DropReason): void {
    const now = this.options.now();
    for (const entry of this.queue.splice(0)) this.settle(entry, reason, 'buffered', now, 'dropped at shutdown: not yet published');
    for (const entry of [...this.inFlight]) {
      entry.abandoned = true;
      this.inFlight.delete(entry);
      this.settle(entry, reason, 'inFlight', now, 'dropped at shutdown: the publish had not been acknowledged');
    }
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
  }

  private oldestUnsettled(): number {
    for (const seq of this.unsettled.keys()) return seq;
    return Number.POSITIVE_INFINITY;
  }

  private pump(): void {
    const now = this.options.now();
    if (now < this.pausedUntilMs) return this.scheduleResume();
    this.expire(now);
    // While failing, probe with one message at a time.
    const limit = this.consecutiveFailures > 0 ? 1 : this.options.maxConcurrentPublishes;
    while (this.inFlight.size < limit && this.queue.length > 0) {
      this.start(this.queue.shift() as Entry, now);
    }
  }

  private expire(now: number): void {
    const windowMs = this.options.retryWindowMs;
    while (this.queue.length > 0 && now - (this.queue[0] as Entry).message.sealedAtMs >= windowMs) {
      const entry = this.queue.shift() as Entry;
      const why = this.counters.lastTransportError?.message ?? 'the transport did not accept it';
      this.settle(entry, 'retries_exhausted', 'buffered', now, `not published within the ${windowMs} ms retry window (${entry.attempts} attempts): ${why}`);
    }
  }

  private start(entry: Entry, now: number): void {
    const n = entry.message.userCalls;
    this.counters.buffered -= n;
    this.counters.inFlight += n;
    this.inFlight.add(entry);
    entry.attempts++;
    void this.attempt(entry, now);
  }

  private async attempt(entry: Entry, startedMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.options.publishTimeoutMs);
      timer.unref();
    });
    let error: unknown;
    try {
      // Promise.resolve().then() turns a synchronous throw from a custom transport into a rejection.
      const outcome = await Promise.race([Promise.resolve().then(() => this.transport.publish(entry.message.data)), timeout]);
      if (outcome === TIMED_OUT) error = new Error(`publish did not settle within ${this.options.publishTimeoutMs} ms`);
    } catch (e) {
      error = e ?? new Error('publish rejected without a reason');
    } finally {
      clearTimeout(timer);
    }
    if (entry.abandoned) return;
    this.inFlight.delete(entry);
    const now = this.options.now();
    if (error === undefined) this.succeeded(entry, now);
    else this.failed(entry, error, now, startedMs);
    this.pump();
  }

  private succeeded(entry: Entry, now: number): void {
    if (this.consecutiveFailures > 0 && this.failingSinceMs !== undefined) {
      this.options.warn('recovered', `metrics transport ${this.transport.name} recovered after ${now - this.failingSinceMs} ms`);
    }
    this.consecutiveFailures = 0;
    this.failingSinceMs = undefined;
    this.pausedUntilMs = 0;
    this.counters.messagesPublished++;
    this.settle(entry, 'published', 'inFlight', now, '');
  }

  private failed(entry: Entry, error: unknown, now: number, startedMs: number): void {
    const message = describeError(error);
    this.counters.publishFailures++;
    this.counters.lastTransportError = { message, atMs: now };
    if (!isRetryable(error)) {
      this.settle(entry, 'rejected_by_transport', 'inFlight', now, `the ${this.transport.name} transport refused the message: ${message}`);
      return;
    }
    if (this.consecutiveFailures === 0) {
      this.failingSinceMs = startedMs;
      this.options.warn('failing', `metrics transport ${this.transport.name} failing, retrying for up to ${this.options.retryWindowMs} ms: ${message}`);
    }
    this.consecutiveFailures++;
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** Math.min(this.consecutiveFailures - 1, 30));
    // "Equal jitter": at least half the ceiling, so a storm of failures still spreads out.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.pausedUntilMs = now + delay;
    if (now + delay - entry.message.sealedAtMs >= this.options.retryWindowMs) {
      // The next attempt would fall outside the window: give up now rather than wait to.
      const why = `gave up after ${entry.attempts} attempts over ${now - entry.message.sealedAtMs} ms (the next would fall outside the ${this.options.retryWindowMs} ms retry window): ${message}`;
      this.settle(entry, 'retries_exhausted', 'inFlight', now, why);
      return;
    }
    this.counters.inFlight -= entry.message.userCalls;
    this.counters.buffered += entry.message.userCalls;
    this.requeue(entry);
  }

  /**
   * Back into the queue in seal order (concurrent failures come back in any order), so the
   * oldest message is always at the head, where expire() looks for closed windows.
   */
  private requeue(entry: Entry): void {
    let i = 0;
    while (i < this.queue.length && (this.queue[i] as Entry).message.seq < entry.message.seq) i++;
    this.queue.splice(i, 0, entry);
  }

  private settle(entry: Entry, outcome: 'published' | DropReason, from: 'buffered' | 'inFlight', now: number, why: string): void {
    const n = entry.message.userCalls;
    if (outcome === 'published') {
      this.counters.inFlight -= n;
      this.counters.published += n;
      this.counters.eventsPublished += entry.message.userEvents;
      this.counters.bytesPublished += entry.message.data.length;
    } else {
      this.counters.drop(outcome, n, from, why, now);
      if (outcome !== 'shutdown') this.options.warn(`drop:${outcome}`, `metrics emitter dropped ${n} calls in ${entry.message.userEvents} events (${outcome}): ${why}`);
    }
    this.unsettled.delete(entry.message.seq);
    this.options.onSettled(entry.message, outcome);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestUnsettled();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as { upTo: number; resolve: () => void };
      if (oldest > waiter.upTo) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private scheduleResume(): void {
    if (this.resumeTimer) return;
    const delay = Math.max(0, this.pausedUntilMs - this.options.now());
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.pump();
    }, delay);
    // Unref'd: a pending retry must not keep a finished process alive (the exit hook decides that).
    this.resumeTimer.unref();
  }

  /** Messages waiting or in flight: how much work a flush may still wait for. */
  get pendingMessages(): number {
    return this.unsettled.size;
  }
}
