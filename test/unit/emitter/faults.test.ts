import { TransportError } from '../../../emitter';
import { callsIn, expectInvariant, memoryEmitter, settle, tick } from './helpers';

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
    // The five calls merged into one event of count 5, published once.
    expect(memory.events()).toHaveLength(1);
    expect(callsIn(memory.events())).toBe(5);
    expect(emitter.stats()).toMatchObject({ emitted: 5, published: 5, dropped: 0, buffered: 0, inFlight: 0, pending: 0, eventsPublished: 1 });
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

  it('one event per call, the buffer is bounded: beyond maxBufferedEvents new calls are dropped as buffer_full, counted exactly', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBufferedEvents: 100, maxBatchEvents: 10 });
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
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBufferedEvents: 10 });
    memory.failWith(unavailable());
    for (let i = 0; i < 20; i++) void emitter.count('product.wallet.spend.success');
    memory.failWith(undefined);
    await settle(emitter.flush());
    void emitter.count('product.wallet.spend.success');
    await settle(emitter.flush());
    expect(emitter.stats()).toMatchObject({ emitted: 21, published: 11, dropped: 10 });
  });

  it.each(['series', 'none'] as const)('the invariant holds at every step of an outage and a recovery (aggregation: %s)', async (aggregation) => {
    const { emitter, memory } = memoryEmitter({ aggregation, maxBufferedEvents: 50, maxBatchEvents: 5, retryWindowMs: 3_000, maxBackoffMs: 400 });
    for (let step = 0; step < 100; step++) {
      if (step === 20) memory.failWith(unavailable());
      if (step === 70) memory.failWith(undefined);
      // 40 series, so that merged events too fill the bound while the transport is down.
      for (let i = 0; i < 3; i++) void emitter.count('product.chat.message.count', 1, { channel: 'group', message_type: `type_${(step * 3 + i) % 40}` });
      if (step % 7 === 0) void emitter.count('not.in.catalogue' as never);
      await jest.advanceTimersByTimeAsync(100);
      expectInvariant(emitter.stats());
    }
    await settle(emitter.flush());
    const stats = emitter.stats();
    expectInvariant(stats);
    expect(stats.buffered + stats.inFlight).toBe(0);
    expect(callsIn(memory.events())).toBe(stats.published);
    expect(memory.events()).toHaveLength(stats.eventsPublished);
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

describe('faults with aggregation (the default): every call is accounted for, in calls', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a merged event that runs out of retries drops all the calls it carries as retries_exhausted', async () => {
    const { emitter, memory } = memoryEmitter({ retryWindowMs: 5_000, maxBackoffMs: 1_000 });
    memory.failWith(unavailable());
    for (let i = 0; i < 40; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    for (let i = 0; i < 10; i++) void emitter.timing('product.wallet.spend.latency_ms', 5 + i, { feature: 'chat' });
    expect(emitter.stats()).toMatchObject({ emitted: 50, buffered: 50, pending: 50, liveSeries: 2, heldEvents: 2 });
    await settle(emitter.flush());
    const stats = emitter.stats();
    expect(stats.droppedByReason.retries_exhausted).toBe(50);
    expect(stats).toMatchObject({ published: 0, pending: 0, heldEvents: 0, heldBytes: 0 });
    expectInvariant(stats);
  });

  it('a transport that never answers: the calls of the timed-out merged event are dropped, and flush() resolves', async () => {
    const { emitter, memory } = memoryEmitter({ retryWindowMs: 10_000, publishTimeoutMs: 2_000 });
    memory.hang(true);
    for (let i = 0; i < 25; i++) void emitter.gauge('product.wallet.balance', i, { pool: 'creators' });
    await settle(emitter.flush(), 100);
    expect(emitter.stats().droppedByReason.retries_exhausted).toBe(25);
    expect(emitter.stats().inFlight).toBe(0);
    expectInvariant(emitter.stats());
  });

  it('shutdown against a dead transport drops the merged calls as shutdown, counted in calls, and later calls too', async () => {
    const { emitter, memory } = memoryEmitter({ shutdownTimeoutMs: 2_000, retryWindowMs: 60_000 });
    memory.failWith(unavailable());
    for (let i = 0; i < 30; i++) void emitter.count('product.wallet.spend.success', 1, { feature: i % 2 === 0 ? 'chat' : 'calls' });
    await settle(emitter.shutdown());
    void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    const stats = emitter.stats();
    expect(stats.droppedByReason.shutdown).toBe(31);
    expect(stats).toMatchObject({ emitted: 31, published: 0, pending: 0, heldEvents: 0, heldBytes: 0 });
    expectInvariant(stats);
  });

  it('shutdown publishes the partial interval: calls merged a moment ago are sent before the transport closes', async () => {
    const { emitter, memory } = memoryEmitter({ flushIntervalMs: 60_000 });
    for (let i = 0; i < 12; i++) void emitter.count('product.wallet.spend.success', 2, { feature: 'chat' });
    await settle(emitter.shutdown());
    expect(memory.events()).toEqual([expect.objectContaining({ name: 'product.wallet.spend.success', count: 12, value: 24 })]);
    expect(emitter.stats()).toMatchObject({ emitted: 12, published: 12, eventsPublished: 1, pending: 0 });
  });

  it('beyond maxSeries open series, calls on NEW series are dropped as series_limit while open ones still merge', async () => {
    const { emitter } = memoryEmitter({ maxSeries: 3, flushIntervalMs: 60_000 });
    for (let round = 0; round < 10; round++) {
      for (let s = 0; s < 5; s++) void emitter.count('product.chat.message.count', 1, { channel: 'group', message_type: `type_${s}` });
    }
    let stats = emitter.stats();
    expect(stats.droppedByReason.series_limit).toBe(20);
    expect(stats).toMatchObject({ emitted: 50, buffered: 30, liveSeries: 3 });
    expect(stats.lastDrop?.reason).toBe('series_limit');
    expectInvariant(stats);
    // The next interval starts with no open series: new ones are accepted again.
    await settle(emitter.flush());
    void emitter.count('product.chat.message.count', 1, { channel: 'group', message_type: 'type_4' });
    stats = emitter.stats();
    expect(stats.droppedByReason.series_limit).toBe(20);
    expect(stats.liveSeries).toBe(1);
  });

  it('the byte bound: with a dead transport, new series stop being accepted once maxBufferedBytes is held, counted as buffer_full', async () => {
    const { emitter, memory } = memoryEmitter({ maxBufferedBytes: 65_536, maxBufferedEvents: 1_000_000, maxSeries: 1_000_000, retryWindowMs: 600_000, flushIntervalMs: 100 });
    memory.failWith(unavailable());
    for (let round = 0; round < 50; round++) {
      for (let s = 0; s < 40; s++) void emitter.count('product.chat.message.count', 1, { channel: 'group', message_type: `type_${round}_${s}` });
      await jest.advanceTimersByTimeAsync(100);
      expect(emitter.stats().heldBytes).toBeLessThanOrEqual(65_536);
      expectInvariant(emitter.stats());
    }
    const stats = emitter.stats();
    expect(stats.droppedByReason.buffer_full).toBeGreaterThan(0);
    expect(stats.lastDrop?.message).toContain('maxBufferedBytes');
  });
});
