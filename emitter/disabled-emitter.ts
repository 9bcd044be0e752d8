import { RESOLVED, type EmitterCore } from './core';
import { Counters } from './counters';
import type { EmitterStats } from './types';

/**
 * The `none` transport (the default when OBSERVABILITY_PROVIDER is unset), and the fallback when
 * the environment is misconfigured: recording counts the call and returns. No buffer, no
 * validation, no timers, no SDK — pino's "a disabled level is a no-op" applied to metrics.
 *
 * Each call is counted as emitted and as dropped with reason `disabled`, so `getEmitterStats()`
 * shows plainly that events go nowhere (and why, in `lastDrop`), and the invariant still holds.
 */
export class DisabledEmitter implements EmitterCore {
  readonly transportName = 'none';
  private emitted = 0;

  constructor(
    private readonly identity: { service: string; environment: string },
    /** Why events are discarded: a sentence for `lastDrop.message`. */
    private readonly why: string,
    private readonly sinceMs: number = Date.now(),
  ) {}

  record(): Promise<void> {
    this.emitted++;
    return RESOLVED;
  }

  flush(): Promise<void> {
    return RESOLVED;
  }

  shutdown(): Promise<void> {
    return RESOLVED;
  }

  pending(): number {
    return 0;
  }

  dropPending(): void {
    // Nothing is ever pending.
  }

  stats(): EmitterStats {
    const counters = new Counters();
    counters.emitted = this.emitted;
    counters.drop('disabled', this.emitted, 'call', this.why, this.sinceMs);
    if (this.emitted === 0) counters.lastDrop = undefined;
    return counters.snapshot({ transport: 'none', ...this.identity });
  }
}
