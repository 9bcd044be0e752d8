import { createEmitter, createMemoryTransport, type EmitterOptions, type EmitterStats, type MemoryTransport, type MetricsClient } from '../../../emitter';

export const silent = { warn: (): void => undefined };

/** An emitter on a fresh memory transport, with quiet logs and no process hooks. */
export function memoryEmitter(options: EmitterOptions = {}): { emitter: MetricsClient; memory: MemoryTransport } {
  const memory = createMemoryTransport();
  const emitter = createEmitter({ transport: memory, service: 'wallet', environment: 'test', logger: silent, env: {}, ...options });
  return { emitter, memory };
}

/**
 * Advances fake time in steps until `promise` settles (or `maxMs` of fake time passes), so code
 * that waits on timers, immediates and retries runs without real sleeps.
 */
export async function settle<T>(promise: Promise<T>, stepMs = 10, maxMs = 300_000): Promise<T> {
  let done = false;
  const mark = () => void (done = true);
  void promise.then(mark, mark);
  for (let elapsed = 0; !done && elapsed <= maxMs; elapsed += stepMs) await jest.advanceTimersByTimeAsync(stepMs);
  if (!done) throw new Error(`still pending after ${maxMs} ms of fake time`);
  return promise;
}

/**
 * One turn of the event loop: runs pending immediates and the microtasks they queue. (Fake
 * timers run an immediate scheduled during a 0 ms advance only on the next advance, hence 1 ms.)
 */
export async function tick(): Promise<void> {
  await jest.advanceTimersByTimeAsync(1);
}

/** Calls carried by events: a merged event counts `count` calls, a plain one 1. */
export function callsIn(events: readonly { count?: number }[]): number {
  return events.reduce((sum, e) => sum + (e.count ?? 1), 0);
}

/** The emitter's accounting invariant, in calls: emitted = published + dropped + pending. */
export function expectInvariant(stats: EmitterStats): void {
  expect(stats.published + stats.dropped + stats.buffered + stats.inFlight).toBe(stats.emitted);
  expect(stats.published + stats.dropped + stats.pending).toBe(stats.emitted);
  const byReason = Object.values(stats.droppedByReason).reduce((a, b) => a + b, 0);
  expect(byReason).toBe(stats.dropped);
}
