import { WIRE_LIMITS } from '../shared';
import { AGGREGATE_BYTES, minuteOf, RAW_CALL_BYTES, SeriesAggregate } from './aggregate';
import { MessageBatch, type SealedMessage } from './batch';
import { CallBuffer, KIND_COUNT, KIND_GAUGE, type KindCode, type RawCall } from './buffer';
import { RESOLVED, toEpochMs, type EmitterCore } from './core';
import { Counters, DROP_INDEX } from './counters';
import type { ResolvedOptions } from './options';
import { SelfMetrics } from './self-metrics';
import { Sender } from './sender';
import { emptySerialisedEvent, EventSerialiser, type SerialisedEvent } from './serialiser';
import { SeriesTable, type SeriesNode } from './series-table';
import { normaliseTags, snapshotTags, type NormalisedTags } from './tags';
import { describeError, type Transport } from './transports/transport';
import type { DropReason, EmitterStats } from './types';

/** Warnings of one kind (a drop reason, "transport failing") are logged at most this often. */
export const WARNING_INTERVAL_MS = 60_000;

// Imported bindings read on the caller's path, copied once: some loaders (tsx, esbuild's CommonJS
// interop) turn every read of an import into a getter call, which each call would pay.
const DONE = RESOLVED;
/**
 * Aggregated calls read the system clock at most once per synchronous turn and once per this many
 * calls, as nginx reads the time once per event-loop iteration: Date.now() is a system call on
 * some hosts (~100 ns in a sandbox, more than the rest of a merged call). Calls in one turn are
 * microseconds apart; the turn ends at the next microtask checkpoint, where the reading expires.
 */
const CLOCK_REUSE_CALLS = 256;
const GAUGE = KIND_GAUGE;
const minuteOfCall = minuteOf;
const BUFFER_FULL = DROP_INDEX.buffer_full;
const SERIES_LIMIT = DROP_INDEX.series_limit;
const MAX_ABS_VALUE = WIRE_LIMITS.maxAbsValue;

const SHUTDOWN = DROP_INDEX.shutdown;
const INTERNAL = DROP_INDEX.internal_error;

/** Any long period: the interval only exists to keep the event loop referenced. */
const HOLD_INTERVAL_MS = 1 << 30;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The emitter with a buffer and a transport. The caller's path (`record`) merges the call into
 * its series' open aggregate (or, with `aggregation: 'none'` and for calls that cannot be merged,
 * stores it in the ring) and returns; everything else runs later, on the event loop, in slices:
 *
 *   record ─▶ SeriesAggregate (per series and UTC minute) ─┐
 *          └▶ CallBuffer (one call each) ──────────────────┴(count / timer / flush)─▶ drain:
 *      EventSerialiser (validate, JSON) ─▶ MessageBatch (seal on maxBatchEvents / maxBatchBytes)
 *      ─▶ Sender (publish, retry, drop)
 *
 * The hot path of an aggregated call is a few Map lookups on strings the caller already holds
 * (SeriesTable: name, tagged emitter, each tag key and value) and a few arithmetic updates: no key
 * is built and nothing is allocated unless the call opens a series. Calls that cannot
 * be merged safely — a value that is not a finite in-range number, an unusable timestamp, tags
 * that cannot be normalised — go to the ring and are validated (and dropped by reason) one by one,
 * as before, so one bad call never spoils a merged event.
 *
 * Bounds: maxSeries open series per interval (`series_limit`), maxBufferedEvents events and
 * maxBufferedBytes bytes held in all (`buffer_full`). Accounting is in calls (types.ts).
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
  private readonly aggregating: boolean;
  private readonly maxBytes: number;
  /** The open series of this interval. */
  private readonly table = new SeriesTable();
  /** Every aggregate opened since the drain last took them, open or closed, in opening order. */
  private openedSeries: SeriesAggregate[] = [];
  /** Aggregates taken by a drain, serialised from `seriesNext` on. */
  private seriesQueue: (SeriesAggregate | undefined)[] = [];
  private seriesNext = 0;
  private liveSeries = 0;
  /** Events held (raw calls, aggregates, serialised pack events waiting or in flight) and their bytes. */
  private heldEvents = 0;
  private heldBytes = 0;
  private refusingSeries = false;
  private readonly systemClock: boolean;
  private clockMs = 0;
  private clockUses = CLOCK_REUSE_CALLS;
  private readonly expireClock = (): void => {
    this.clockUses = CLOCK_REUSE_CALLS;
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly transport: Transport,
  ) {
    this.transportName = transport.name;
    this.capacity = options.maxBufferedEvents;
    this.buffer = new CallBuffer(options.maxBufferedEvents);
    this.now = options.now;
    this.aggregating = options.aggregation === 'series';
    this.systemClock = options.systemClock;
    this.maxBytes = options.maxBufferedBytes;
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

  /** The hot path. No I/O, no validation, no allocation unless the call opens a series. */
  record(kind: KindCode, name: unknown, value: unknown, tags: unknown, timestamp: unknown, base: NormalisedTags | undefined): Promise<void> {
    this.counters.emitted++;
    if (
      this.aggregating &&
      typeof name === 'string' &&
      typeof value === 'number' &&
      // The validator's per-value rules, so that a merged event is valid if its calls are: a
      // value outside them goes to the ring and is dropped alone. (NaN fails both comparisons.)
      (kind === GAUGE ? value >= -MAX_ABS_VALUE : value >= 0) &&
      value <= MAX_ABS_VALUE
    ) {
      try {
        const ts = timestamp !== undefined ? toEpochMs(timestamp) : this.systemClock ? this.turnTime() : this.now();
        if (Number.isInteger(ts)) {
          let node = this.table.find(kind, name, base, tags);
          let own = tags;
          let ownBase = base;
          if (node === undefined) {
            // Tags the string path does not cover (numbers, booleans, omitted values): normalised here, once per call.
            const normalised = normaliseTags(base, snapshotTags(tags));
            if (normalised.ok) {
              node = this.table.normalisedNode(kind, name, JSON.stringify(normalised.tags));
              own = normalised.tags;
              ownBase = undefined;
            }
          }
          if (node !== undefined) {
            const minute = minuteOfCall(ts);
            const open = node.aggregate;
            if (open !== undefined && open.minute === minute) {
              const added = open.add(value, ts);
              if (added >= 0) {
                this.counters.buffered++;
                if (added !== 0) this.heldBytes += added;
                if (open.full) this.closeSeries(node);
                return DONE;
              }
            }
            return this.openSeries(node, kind, name, own === tags ? snapshotTags(tags) : own, ownBase, minute, value, ts);
          }
        }
      } catch {
        // Hostile tags (a throwing getter, a revoked proxy): the ring's safe copy will describe them.
      }
    }
    return this.recordRaw(kind, name, value, tags, timestamp, base);
  }

  /** The system clock, read once per synchronous turn and CLOCK_REUSE_CALLS calls (see CLOCK_REUSE_CALLS). */
  private turnTime(): number {
    if (++this.clockUses < CLOCK_REUSE_CALLS) return this.clockMs;
    this.clockUses = 0;
    this.clockMs = this.now();
    void DONE.then(this.expireClock);
    return this.clockMs;
  }

  /** One event per call: `aggregation: 'none'`, and calls that cannot be merged. */
  private recordRaw(kind: KindCode, name: unknown, value: unknown, tags: unknown, timestamp: unknown, base: NormalisedTags | undefined): Promise<void> {
    const counters = this.counters;
    if (this.heldEvents >= this.capacity || this.heldBytes + RAW_CALL_BYTES > this.maxBytes) return this.refuse();
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
    this.heldEvents++;
    this.heldBytes += RAW_CALL_BYTES;
    this.accepted++;
    if (this.buffer.size >= this.batchEvents) {
      if (!this.drainSoon) this.scheduleDrainSoon();
    } else if (this.timer === undefined) {
      this.armTimer();
    }
    return RESOLVED;
  }

  /** A call that starts a series (or its next minute): the bounds are checked here, not per merge. */
  private openSeries(
    node: SeriesNode,
    kind: KindCode,
    name: string,
    tags: unknown,
    base: NormalisedTags | undefined,
    minute: number,
    value: number,
    ts: number,
  ): Promise<void> {
    if (node.aggregate !== undefined) this.closeSeries(node);
    if (this.heldEvents >= this.capacity || this.heldBytes + AGGREGATE_BYTES > this.maxBytes) return this.refuse();
    if (this.liveSeries >= this.options.maxSeries) return this.refuseSeries();
    const aggregate = new SeriesAggregate(kind, name, tags, base, minute, value, ts);
    node.aggregate = aggregate;
    this.openedSeries.push(aggregate);
    this.liveSeries++;
    this.heldEvents++;
    this.heldBytes += aggregate.bytes;
    this.counters.buffered++;
    if (this.timer === undefined) this.armTimer();
    return RESOLVED;
  }

  /** Detaches a series' aggregate (a new minute, or full): the next call opens a new one; the drain sends this one. */
  private closeSeries(node: SeriesNode): void {
    node.aggregate = undefined;
    this.liveSeries--;
  }

  /** Moves every aggregate, open or closed, to the drain's queue: the next calls open new ones. */
  private takeSeries(): void {
    if (this.openedSeries.length > 0) {
      for (const aggregate of this.openedSeries) this.seriesQueue.push(aggregate);
      this.openedSeries = [];
      this.table.reset();
    }
    this.liveSeries = 0;
    this.refusingSeries = false;
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
    return this.counters.snapshot(
      { transport: this.transportName, service: this.options.service, environment: this.options.environment },
      { aggregation: this.options.aggregation, heldEvents: this.heldEvents, heldBytes: this.heldBytes, liveSeries: this.liveSeries },
    );
  }

  pending(): number {
    return this.counters.buffered + this.counters.inFlight;
  }

  dropPending(reason: DropReason): void {
    const now = this.now();
    const raw = this.buffer.clear();
    this.taken = this.accepted;
    this.heldEvents -= raw;
    this.heldBytes -= raw * RAW_CALL_BYTES;
    this.counters.drop(reason, raw, 'buffered', `${raw} calls were still buffered`, now);
    this.takeSeries();
    let calls = 0;
    let events = 0;
    for (let i = this.seriesNext; i < this.seriesQueue.length; i++) {
      const aggregate = this.seriesQueue[i] as SeriesAggregate;
      calls += aggregate.count;
      events++;
      this.heldBytes -= aggregate.bytes;
    }
    this.seriesQueue = [];
    this.seriesNext = 0;
    this.heldEvents -= events;
    this.counters.drop(reason, calls, 'buffered', `${calls} calls in ${events} aggregates were still buffered`, now);
    if (this.batch.size > 0) {
      const sealed = this.batch.seal(0, now);
      this.heldEvents -= sealed.userEvents;
      this.heldBytes -= sealed.eventBytes;
      this.counters.drop(reason, sealed.userCalls, 'buffered', `${sealed.userCalls} calls in ${sealed.userEvents} events were still being batched`, now);
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
      const message = `the buffer holds ${this.heldEvents} events in ${this.heldBytes} bytes (maxBufferedEvents ${this.capacity}, maxBufferedBytes ${this.maxBytes}) and the transport has not drained it; new events are dropped`;
      this.counters.lastDrop = { reason: 'buffer_full', message, atMs: this.now() };
      this.warn('drop:buffer_full', message);
    }
    return RESOLVED;
  }

  private refuseSeries(): Promise<void> {
    this.counters.dropAtCall(SERIES_LIMIT);
    if (!this.refusingSeries) {
      this.refusingSeries = true;
      const message = `${this.liveSeries} series are open in this flush interval (maxSeries); calls on new series are dropped until the next flush — are tag values bounded enumerations?`;
      this.counters.lastDrop = { reason: 'series_limit', message, atMs: this.now() };
      this.warn('drop:series_limit', message);
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
    this.takeSeries();
    if (!this.draining) {
      this.draining = true;
      this.drainDone = this.runDrain();
    }
    return this.drainDone;
  }

  private async runDrain(): Promise<void> {
    try {
      while (this.taken < this.drainTarget || this.seriesNext < this.seriesQueue.length) {
        if (this.taken < this.drainTarget) this.serialiseSlice(Math.min(this.options.maxBatchEvents, this.drainTarget - this.taken));
        else this.serialiseSeriesSlice(this.options.maxBatchEvents);
        if (this.taken < this.drainTarget || this.seriesNext < this.seriesQueue.length) await yieldToEventLoop();
      }
      this.seriesQueue = [];
      this.seriesNext = 0;
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
      this.heldBytes -= RAW_CALL_BYTES;
      let ok: boolean;
      try {
        ok = this.serialiser.serialise(this.scratch, now, out);
      } catch (error) {
        this.serialiseFailed(1, error, now);
        continue;
      }
      this.toBatch(ok, out, 1, now);
    }
  }

  private serialiseSeriesSlice(n: number): void {
    const now = this.now();
    const out = this.out;
    const queue = this.seriesQueue;
    for (let i = 0; i < n && this.seriesNext < queue.length; i++) {
      const aggregate = queue[this.seriesNext] as SeriesAggregate;
      queue[this.seriesNext++] = undefined;
      this.heldBytes -= aggregate.bytes;
      let ok: boolean;
      try {
        ok = this.serialiser.serialiseAggregate(aggregate, now, out);
      } catch (error) {
        this.serialiseFailed(aggregate.count, error, now);
        continue;
      }
      this.toBatch(ok, out, aggregate.count, now);
    }
  }

  /** One event the serialiser cannot handle must not stall the rest behind it. */
  private serialiseFailed(calls: number, error: unknown, now: number): void {
    this.heldEvents--;
    this.counters.drop('internal_error', calls, 'buffered', `the emitter failed to serialise an event: ${describeError(error)}`, now);
    this.internalError(error);
  }

  /** Puts a serialised event (standing for `calls` calls) into the batch, or counts its drop. */
  private toBatch(ok: boolean, out: SerialisedEvent, calls: number, now: number): void {
    if (!ok) {
      this.heldEvents--;
      this.counters.drop(out.reason, calls, 'buffered', out.message, now);
      this.warn(`drop:${out.reason}`, `metrics emitter dropped ${calls === 1 ? 'an event' : `an event of ${calls} calls`} (${out.reason}): ${out.message}`);
      return;
    }
    if (!this.batch.canFit(out.bytes)) {
      if (this.batch.size === 0) {
        this.heldEvents--;
        this.counters.drop('invalid', calls, 'buffered', `an event of ${out.bytes} bytes cannot fit in a message of maxBatchBytes`, now);
        return;
      }
      this.seal();
    }
    this.batch.add(out.json, out.bytes, false, calls);
    this.heldBytes += out.bytes;
    if (this.batch.size >= this.options.maxBatchEvents) this.seal();
  }

  private addSelfReport(): void {
    this.selfReportDue = false;
    const events = this.selfMetrics?.build(this.counters, this.now()) ?? [];
    const total = events.reduce((sum, e) => sum + e.bytes + 1, 0);
    // The whole report travels in one message, so one settlement decides its fate.
    if (events.length > 0 && (this.batch.size + events.length > this.options.maxBatchEvents || !this.batch.canFit(total))) this.seal();
    for (const e of events) {
      this.batch.add(e.json, e.bytes, true);
      this.heldBytes += e.bytes;
    }
  }

  private seal(): void {
    if (this.batch.size === 0) return;
    this.sender.enqueue(this.batch.seal(++this.seq, this.now()));
  }

  private settled(message: SealedMessage, outcome: 'published' | DropReason): void {
    this.heldEvents -= message.userEvents;
    this.heldBytes -= message.eventBytes;
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
