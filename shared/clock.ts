/**
 * Time as a dependency: "now" and waiting — the one clock shape of the project. The composition
 * root (app/) builds one per assembly: the system clock in production, the demo clock under
 * `obs start`, a fake in tests. Jobs take `now` explicitly; the notifiers' waits (Retry-After, the
 * Slack rate limit, backoff) go through `sleep`, so tests run them instantly with a fake clock and
 * can assert how long the code would have waited. Code that only reads the time takes
 * `clock.now` (a `() => number`), never `Date.now` directly.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** A clock that starts at `startMs` and moves only when something sleeps on it. Records every wait. */
export class FakeClock implements Clock {
  readonly waits: number[] = [];
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.current += Math.max(0, ms);
    return Promise.resolve();
  }
  set(ms: number): void {
    this.current = ms;
  }
}
