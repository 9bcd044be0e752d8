/**
 * Counts deliveries of each message this process has seen and not yet acked.
 *
 * Pub/Sub reports `deliveryAttempt` only on subscriptions with a dead-letter policy; without one
 * (the emulator, a plain subscription) it is 0. This local count is the fallback, so the handler's
 * "give up after N deliveries" bound works either way. It is per process — a restart starts over,
 * which only delays the bound — and bounded in size: the oldest entries go first.
 */
export class RedeliveryTracker {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Records one more delivery of `messageId` and returns how many this process has seen (1 = first). */
  delivered(messageId: string): number {
    const count = (this.counts.get(messageId) ?? 0) + 1;
    this.counts.delete(messageId); // re-insert: Map order is the eviction order
    this.counts.set(messageId, count);
    if (this.counts.size > this.maxEntries) {
      const oldest = this.counts.keys().next().value;
      if (oldest !== undefined) this.counts.delete(oldest);
    }
    return count;
  }

  /** The message was acked: it will not come back. */
  forget(messageId: string): void {
    this.counts.delete(messageId);
  }

  get size(): number {
    return this.counts.size;
  }
}
