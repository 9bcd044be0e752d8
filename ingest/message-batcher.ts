import pLimit from 'p-limit';

/**
 * Gathers items into batches and writes each batch with bounded concurrency. A batch is written
 * when it reaches `maxMessages` items or `maxBytes`, or `maxWaitMs` after its first item — so a
 * trickle is not held back and a flood is written in large batches. At most `maxInFlight` writes
 * run at once; further batches wait their turn (the caller bounds how many items it hands in, e.g.
 * with Pub/Sub flow control).
 *
 * `write` must not reject (it handles its own failures); a rejection is treated as a bug and
 * rethrown from `drain`.
 */
export interface BatcherOptions<T> {
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
  readonly maxInFlight: number;
  readonly sizeOf: (item: T) => number;
  readonly write: (batch: readonly T[]) => Promise<void>;
}

export class MessageBatcher<T> {
  private batch: T[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly pending = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(private readonly options: BatcherOptions<T>) {
    if (options.maxMessages < 1 || options.maxInFlight < 1) throw new Error('MessageBatcher: maxMessages and maxInFlight must be at least 1');
    this.limit = pLimit(options.maxInFlight);
  }

  add(item: T): void {
    this.batch.push(item);
    this.bytes += this.options.sizeOf(item);
    if (this.batch.length >= this.options.maxMessages || this.bytes >= this.options.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
  }

  /** Writes the batch in hand now (if any). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.bytes = 0;
    const written = this.limit(() => this.options.write(batch)).catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(`batch write rejected with ${JSON.stringify(error)}`);
    });
    this.pending.add(written);
    void written.finally(() => this.pending.delete(written));
  }

  /** Writes what is in hand and waits for every write to finish. */
  async drain(): Promise<void> {
    this.flush();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure !== undefined) throw this.failure;
  }
}
