import { MessageBatch, type SealedMessage } from './batch';
import { CallBuffer, KIND_COUNT, type KindCode, type RawCall } from './buffer';
import { RESOLVED, toEpochMs, type EmitterCore } from './core';
import { Counters, DROP_INDEX } from './counters';
import type { ResolvedOptions } from './options';
import { SelfMetrics } from './self-metrics';
import { Sender } from './sender';
import { emptySerialisedEvent, EventSerialiser } from './serialiser';
import { snapshotTags, type NormalisedTags } from './tags';
import { describeError, type Transport } from './transports/transport';
import type { DropReason, EmitterStats } from './types';

/** Warnings of one kind (a drop reason, "transport failing") are logged at most this often. */
export const WARNING_INTERVAL_MS = 60_000;

const BUFFER_FULL = DROP_INDEX.buffer_full;
const SHUTDOWN = DROP_INDEX.shutdown;
const INTERNAL = DROP_INDEX.internal_error;

/** Any long period: the interval only exists to keep the event loop referenced. */
const HOLD_INTERVAL_MS = 1 << 30;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The emitter with a buffer and a transport. The caller's path (`record`) stores the call in the
 * ring and returns; everything else runs later, on the event loop, in slices:
 *
 *   record ─▶ CallBuffer ─(count / timer / flush)─▶ drain: EventSerialiser (validate, JSON)
 *          ─▶ MessageBatch (seal on maxBatchEvents / maxBatchBytes) ─▶ Sender (publish, retry, drop)
 *
 * Flush triggers: the buffer reaching maxBatchEvents calls (drain on the next turn of the event
 * loop), a timer flushIntervalMs after the first call into an empty buffer (unref'd, so it never
 * keeps a process alive), `flush()`, and `shutdown()`. A drain serialises at most maxBatchEvents
 * calls per slice and yields between slices, so a burst never blocks the event loop for long.
 */
export class BufferedEmitter implements EmitterCore {
  readonly transportName: string;
  private readonly counters = new Counters();
  private readonly buffer: CallBuffer;
  /** maxBufferedEvents while open; 0 after shutdown, so the hot path's one check also refuses late calls. */
  private capacity: number;
  private readonly serialiser = new EventSerialiser();
  private readonly batch: MessageBatch;
  private readonly sender: Sender;
  private readonly selfMetrics: SelfMetrics | undefined;
  private readonly now: () => number;
  private readonly batchEvents: number;
  private seq = 0;
  /** Calls accepted into / taken out of the ring since start: a drain runs until taken reaches its target. */
  private accepted = 0;
  private taken = 0;
  private drainTarget = 0;
  private draining = false;
  private drainDone: Promise<void> = RESOLVED;
  private drainSoon = false;
  private timer: NodeJS.Timeout | undefined;
  private selfTimer: NodeJS.Timeout | undefined;
  private selfReportDue = false;
  private refusing = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly scratch: RawCall = { kind: KIND_COUNT, name: undefined, value: 0, ts: 0, tags: undefined, base: undefined };
  private readonly out = emptySerialisedEvent();
  private readonly warnedAt = new Map<string, number>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly transport: Transport,
  ) {
    this.transportName = transport.name;
    this.capacity = options.maxBufferedEvents;
    this.buffer = new CallBuffer(options.maxBufferedEvents);
    this.now = options.now;
    this.batchEvents = options.maxBatchEvents;
    this.batch = new MessageBatch({ service: options.service, environment: options.environment }, options.maxBatchEvents, options.maxBatchBytes);
    this.sender = new Sender(transport, this.counters, {
      ...options,
      onSettled: (message, outcome) => this.settled(message, outcome),
      warn: (key, message) => this.warn(key, message),
    });
    if (options.selfMetricsIntervalMs > 0) {
      this.selfMetrics = new SelfMetrics(options.service, transport.name, () => this.serialiser.nextId());
      this.selfTimer = setInterval(() => {
        this.selfReportDue = true;
        void this.drain();
      }, options.selfMetricsIntervalMs);
      this.selfTimer.unref();
    }
  }

  /** The hot path. No I/O, no validation, no allocation beyond the tag copy. */
  record(kind: KindCode, name: unknown, value: unknown, tags: unknown, timestamp: unknown, base: NormalisedTags | undefined): Promise<void> {
    const counters = this.counters;
    counters.emitted++;
    if (counters.buffered + counters.inFlight >= this.capacity) return this.refuse();
    try {
      const ts = timestamp === undefined ? this.now() : toEpochMs(timestamp);
      if (!this.buffer.push(kind, name, typeof value === 'number' ? value : Number.NaN, ts, snapshotTags(tags), base)) {
        counters.dropAtCall(INTERNAL);
        return RESOLVED;
      }
    } catch {
      counters.dropAtCall(INTERNAL);
      return RESOLVED;
    }
    counters.buffered++;
    this.accepted++;
    if (this.buffer.size >= this.batchEvents) {
      if (!this.drainSoon) this.scheduleDrainSoon();
    } else if (this.timer === undefined) {
      this.armTimer();
    }
    return RESOLVED;
  }

  flush(): Promise<void> {
    // Someone is waiting for this flush: hold the process open until it settles. (The retry and
    // backoff timers are unref'd so that background work never keeps a process alive; without
    // this, a script awaiting a flush against a dead endpoint would just exit mid-way.) Bounded by
    // the retry window.
    const hold = setInterval(() => undefined, HOLD_INTERVAL_MS);
    return this.flushInternal()
      .catch((error: unknown) => this.internalError(error))
      .finally(() => clearInterval(hold));
  }

  shutdown(): Promise<void> {
    this.closing ??= this.shutdownInternal().catch((error: unknown) => this.internalError(error));
    return this.closing;
  }

  stats(): EmitterStats {
    return this.counters.snapshot({ transport: this.transportName, service: this.options.service, environment: this.options.environment });
  }

  pending(): number {
    return this.counters.buffered + this.counters.inFlight;
  }

  dropPending(reason: DropReason): void {
    const now = this.now();
    const raw = this.buffer.clear();
    this.taken = this.accepted;
    this.counters.drop(reason, raw, 'buffered', `${raw} calls were still buffered`, now);
    if (this.batch.size > 0) {
      const { userEvents } = this.batch.seal(0, now);
      this.counters.drop(reason, userEvents, 'buffered', `${userEvents} events were still being batched`, now);
    }
    this.sender.abandonAll(reason);
  }

  private async flushInternal(): Promise<void> {
    await this.drain();
    await this.sender.settled(this.seq);
  }

  private async shutdownInternal(): Promise<void> {
    this.closed = true;
    this.capacity = 0;
    clearTimeout(this.timer);
    clearInterval(this.selfTimer);
    this.selfReportDue = this.selfMetrics !== undefined;
    // A ref'd deadline: it keeps the process alive while the flush runs (the retry timers are
    // unref'd), and no longer than shutdownTimeoutMs.
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (deadline = setTimeout(resolve, this.options.shutdownTimeoutMs)));
    await Promise.race([this.flush(), expired]);
    // Always, not only when pack events remain: a message carrying only the emitter's own final
    // report would otherwise keep retrying against a transport that is about to be closed.
    this.dropPending('shutdown');
    // Closing gets what is left of the same deadline (nothing, if the flush used it all).
    await Promise.race([this.transport.close().catch(() => undefined), expired]);
    clearTimeout(deadline);
  }

  private refuse(): Promise<void> {
    this.counters.dropAtCall(this.closed ? SHUTDOWN : BUFFER_FULL);
    if (!this.refusing && !this.closed) {
      // Once per full spell, not per call: the loop that filled the buffer may make a million more.
      this.refusing = true;
      const message = `the buffer holds ${this.capacity} events (maxBufferedEvents) and the transport has not drained it; new events are dropped`;
      this.counters.lastDrop = { reason: 'buffer_full', message, atMs: this.now() };
      this.warn('drop:buffer_full', message);
    }
    return RESOLVED;
  }

  private scheduleDrainSoon(): void {
    this.drainSoon = true;
    setImmediate(() => {
      this.drainSoon = false;
      void this.drain();
    }).unref();
  }

  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Serialises every call accepted so far; concurrent requests share one run. */
  private drain(): Promise<void> {
    this.drainTarget = this.accepted;
    if (!this.draining) {
      this.draining = true;
      this.drainDone = this.runDrain();
    }
    return this.drainDone;
  }

  private async runDrain(): Promise<void> {
    try {
      while (this.taken < this.drainTarget) {
        this.serialiseSlice(Math.min(this.options.maxBatchEvents, this.drainTarget - this.taken));
        if (this.taken < this.drainTarget) await yieldToEventLoop();
      }
      this.refusing = false;
      if (this.selfReportDue) this.addSelfReport();
      this.seal();
    } catch (error) {
      this.internalError(error);
    } finally {
      this.draining = false;
    }
  }

  private serialiseSlice(n: number): void {
    const now = this.now();
    const out = this.out;
    for (let i = 0; i < n && this.buffer.shift(this.scratch); i++) {
      this.taken++;
      let ok: boolean;
      try {
        ok = this.serialiser.serialise(this.scratch, now, out);
      } catch (error) {
        // One event the serialiser cannot handle must not stall the rest behind it.
        this.counters.drop('internal_error', 1, 'buffered', `the emitter failed to serialise an event: ${describeError(error)}`, now);
        this.internalError(error);
        continue;
      }
      if (!ok) {
        this.counters.drop(out.reason, 1, 'buffered', out.message, now);
        this.warn(`drop:${out.reason}`, `metrics emitter dropped an event (${out.reason}): ${out.message}`);
        continue;
      }
      if (!this.batch.canFit(out.bytes)) {
        if (this.batch.size === 0) {
          this.counters.drop('invalid', 1, 'buffered', `an event of ${out.bytes} bytes cannot fit in a message of maxBatchBytes`, now);
          continue;
        }
        this.seal();
      }
      this.batch.add(out.json, out.bytes, false);
      if (this.batch.size >= this.options.maxBatchEvents) this.seal();
    }
  }

  private addSelfReport(): void {
    this.selfReportDue = false;
    const events = this.selfMetrics?.build(this.counters, this.now()) ?? [];
    const total = events.reduce((sum, e) => sum + e.bytes + 1, 0);
    // The whole report travels in one message, so one settlement decides its fate.
    if (events.length > 0 && (this.batch.size + events.length > this.options.maxBatchEvents || !this.batch.canFit(total))) this.seal();
    for (const e of events) this.batch.add(e.json, e.bytes, true);
  }

  private seal(): void {
    if (this.batch.size === 0) return;
    this.sender.enqueue(this.batch.seal(++this.seq, this.now()));
  }

  private settled(message: SealedMessage, outcome: 'published' | DropReason): void {
    if (message.selfEvents > 0) this.selfMetrics?.settled(outcome === 'published');
  }

  private warn(key: string, message: string): void {
    const now = this.now();
    const last = this.warnedAt.get(key);
    if (last !== undefined && now - last < WARNING_INTERVAL_MS) return;
    this.warnedAt.set(key, now);
    try {
      this.options.logger.warn(message);
    } catch {
      // A broken logger must not break metrics.
    }
  }

  private internalError(error: unknown): void {
    this.warn('internal', `metrics emitter internal error (please report): ${describeError(error)}`);
  }
}
