import type { Clock } from '../../shared/clock';

/**
 * At most one call per `intervalMs` per key (Slack: one message per second per webhook —
 * https://api.slack.com/docs/rate-limits#incoming-webhooks). Callers queue in arrival order.
 */
export class MinIntervalLimiter {
  private readonly nextFreeMs = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves when the caller may go; reserves the next slot for the one after it. */
  async acquire(key: string): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextFreeMs.get(key) ?? now);
    this.nextFreeMs.set(key, slot + this.intervalMs);
    if (slot > now) await this.clock.sleep(slot - now);
  }
}
