import { TransportError } from '../../../emitter';
import { expectInvariant, memoryEmitter, settle, tick } from './helpers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const unavailable = () => new TransportError('UNAVAILABLE: connection refused', true);

describe('faults: a failing transport never reaches the caller, and every event is accounted for', () => {
  it('while the transport is down, events stay buffered and are retried; when it recovers they are published once', async () => {
    const { emitter, memory } = memoryEmitter({ initialBackoffMs: 100, maxBackoffMs: 1_000, retryWindowMs: 30_000 });
    memory.failWith(unavailable());
    for (let i = 0; i < 5; i++) void emitter.count('product.wallet.spend.success');
    const flushed = emitter.flush();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(memory.attempts).toBeGreaterThan(2);
    expect(emitter.stats()).toMatchObject({ published: 0, buffered: 5, dropped: 0 });
    expectInvariant(emitter.stats());
    memory.failWith(undefined);
    await settle(flushed);
    expect(memory.events()).toHaveLength(5);
    expect(emitter.stats()).toMatchObject({ emitted: 5, published: 5, dropped: 0, buffered: 0, inFlight: 0 });
    expect(emitter.stats().publishFailures).toBe(memory.attempts - 1);
  });

  it('retries back off exponentially up to maxBackoffMs', async () => {
    const { emitter, memory } = memoryEmitter({ initialBackoffMs: 100, maxBackoffMs: 800, retryWindowMs: 60_000 });
    memory.failWith(unavailable());
    void emitter.count('product.wallet.spend.success');
    void emitter.flush();
    const attemptsAt: number[] = [];
    let seen = 0;
    for (let t = 0; t < 10_000; t += 10) {
      await jest.advanceTimersByTimeAsync(10);
      if (memory.attempts > seen) {
        seen = memory.attempts;
        attemptsAt.push(t);
      }
    }
    const gaps = attemptsAt.slice(1).map((t, i) => t - (attemptsAt[i] as number));
    // Equal jitter: each wait is between half and all of min(max, initial * 2^n).
    expect(gaps[0]).toBeGreaterThanOrEqual(40);
    expect(gaps[0]).toBeLessThanOrEqual(110);
    expect(gaps[3]).toBeGreaterThanOrEqual(390);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(810);
  });

  it('when retries run out, the events are dropped as retries_exhausted and flush() resolves within the window', async () => {
    const { emitter, memory } = memoryEmitter({ retryWindowMs: 5_000, maxBackoffMs: 1_000 });
    memory.failWith(unavailable());
    for (let i = 0; i < 7; i++) void emitter.count('product.wallet.spend.success');
    const started = Date.now();
    await settle(emitter.flush());
    expect(Date.now() - started).toBeLessThanOrEqual(5_000 + 1_000);
    const stats = emitter.stats();
    expect(stats.droppedByReason.retries_exhausted).toBe(7);
    expect(stats.lastDrop?.reason).toBe('retries_exhausted');
    expect(stats.lastDrop?.message).toContain('UNAVAILABLE');
    expectInvariant(stats);
  });

  it('a transport that never answers is timed out per attempt, so flush() still resolves', async () => {
    const { emitter, memory } = memoryEmitter({ retryWindowMs: 10_000, publishTimeoutMs: 2_000 });
    memory.hang(true);
    void emitter.count('product.wallet.spend.success');
    await settle(emitter.flush(), 100);
    expect(emitter.stats().droppedByReason.retries_exhausted).toBe(1);
    expect(emitter.stats().lastTransportError?.message).toContain('did not settle within 2000 ms');
    expectInvariant(emitter.stats());
  });

  it('a permanent refusal is not retried: dropped as rejected_by_transport at once', async () => {
    const { emitter, memory } = memoryEmitter();
    memory.failWith(new TransportError('PERMISSION_DENIED: no publish rights on the topic', false));
    void emitter.count('product.wallet.spend.success');
    void emitter.count('product.wallet.spend.success');
    await settle(emitter.flush());
    expect(memory.attempts).toBe(1);
    expect(emitter.stats().droppedByReason.rejected_by_transport).toBe(2);
  });

  it('a custom transport that throws synchronously is treated like a rejection', async () => {
    const { emitter } = memoryEmitter({
      retryWindowMs: 1_000,
      transport: { name: 'broken', publish: () => { throw new Error('boom'); }, close: () => Promise.resolve() },
    });
    void emitter.count('product.wallet.spend.success');
    await settle(emitter.flush());
    expect(emitter.stats().droppedByReason.retries_exhausted).toBe(1);
  });

  it('the buffer is bounded: beyond maxBufferedEvents new calls are dropped as buffer_full, counted exactly', async () => {
    const { emitter, memory } = memoryEmitter({ maxBufferedEvents: 100, maxBatchEvents: 10 });
    memory.failWith(unavailable());
    for (let i = 0; i < 1_000; i++) void emitter.count('product.wallet.spend.success');
    let stats = emitter.stats();
    expect(stats.droppedByReason.buffer_full).toBe(900);
    expect(stats.buffered + stats.inFlight).toBe(100);
    expectInvariant(stats);
    // Events already serialised and in flight still count against the bound.
    await tick();
    for (let i = 0; i < 10; i++) void emitter.count('product.wallet.spend.success');
    stats = emitter.stats();
    expect(stats.droppedByReason.buffer_full).toBe(910);
    expectInvariant(stats);
  });

  it('once the transport drains the buffer, calls are accepted again', async () => {
    const { emitter, memory } = memoryEmitter({ maxBufferedEvents: 10 });
    memory.failWith(unavailable());
    for (let i = 0; i < 20; i++) void emitter.count('product.wallet.spend.success');
    memory.failWith(undefined);
    await settle(emitter.flush());
    void emitter.count('product.wallet.spend.success');
    await settle(emitter.flush());
    expect(emitter.stats()).toMatchObject({ emitted: 21, published: 11, dropped: 10 });
  });

  it('the invariant holds at every step of an outage and a recovery', async () => {
    const { emitter, memory } = memoryEmitter({ maxBufferedEvents: 50, maxBatchEvents: 5, retryWindowMs: 3_000, maxBackoffMs: 400 });
    for (let step = 0; step < 100; step++) {
      if (step === 20) memory.failWith(unavailable());
      if (step === 70) memory.failWith(undefined);
      for (let i = 0; i < 3; i++) void emitter.count('product.wallet.spend.success');
      if (step % 7 === 0) void emitter.count('not.in.catalogue' as never);
      await jest.advanceTimersByTimeAsync(100);
      expectInvariant(emitter.stats());
    }
    await settle(emitter.flush());
    const stats = emitter.stats();
    expectInvariant(stats);
    expect(stats.buffered + stats.inFlight).toBe(0);
    expect(memory.events()).toHaveLength(stats.published);
    // Steps 0, 7 and 14 come before the outage; later ones may find the buffer full instead.
    expect(stats.droppedByReason.unknown_metric).toBeGreaterThanOrEqual(3);
    expect(stats.droppedByReason.buffer_full).toBeGreaterThan(0);
  });
});

describe('faults: concurrent failures', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('messages that fail together are retried oldest first, and none outlives its retry window', async () => {
    const { emitter, memory } = memoryEmitter({ maxBatchEvents: 10, maxConcurrentPublishes: 4, retryWindowMs: 4_000, maxBackoffMs: 500 });
    memory.failWith(new TransportError('UNAVAILABLE', true));
    for (let i = 0; i < 40; i++) void emitter.count('product.wallet.spend.success');
    const started = Date.now();
    await settle(emitter.flush());
    // Four messages sealed at the same instant: all are given up within the window (+ one backoff).
    expect(Date.now() - started).toBeLessThanOrEqual(4_000 + 500);
    expect(emitter.stats().droppedByReason.retries_exhausted).toBe(40);
    expectInvariant(emitter.stats());
  });
});
