import type { KindCode } from './buffer';
import type { NormalisedTags } from './tags';
import type { DropReason, EmitterStats } from './types';

/**
 * The one promise every recording call returns: already resolved, shared, never rejected. Callers
 * in the seed's style (`await metricCount(...)`) pay one microtask and nothing else.
 */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * What the public functions call: an emitter with a real buffer and transport, or the disabled one
 * (`none`). Contract for implementations: no method throws or rejects, whatever the arguments, and
 * `record` does no I/O and no validation — it stores the call and returns {@link RESOLVED}.
 */
export interface EmitterCore {
  readonly transportName: string;
  record(kind: KindCode, name: unknown, value: unknown, tags: unknown, timestamp: unknown, base: NormalisedTags | undefined): Promise<void>;
  /** Publishes everything recorded so far; resolves when each event is published or dropped (bounded by the retry window). */
  flush(): Promise<void>;
  /** Flushes within the shutdown deadline, drops what is left as `shutdown`, closes the transport. Later calls are dropped as `shutdown`. */
  shutdown(): Promise<void>;
  stats(): EmitterStats;
  /** Events buffered or in flight: what an exit hook still has to publish. */
  pending(): number;
  /** Drops everything pending now, counted under `reason`. For exit deadlines. */
  dropPending(reason: DropReason): void;
}

/** Epoch milliseconds from a caller's timestamp; NaN (→ dropped as invalid) for anything unusable. */
export function toEpochMs(timestamp: unknown): number {
  if (typeof timestamp === 'number') return timestamp;
  try {
    // instanceof consults the prototype chain, which a hostile proxy can make throw.
    return timestamp instanceof Date ? timestamp.getTime() : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
