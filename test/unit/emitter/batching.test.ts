import { decodeMessage, WIRE_LIMITS } from '../../../shared';
import { EMITTER_DEFAULTS } from '../../../emitter';
import { expectInvariant, memoryEmitter, settle, tick } from './helpers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

// Batching mechanics (triggers, slices, byte limits) one event per call: with aggregation (the
// default) the same calls would merge into one event each; aggregation.test.ts covers that mode.
describe('batching: when the emitter sends one event per call (aggregation: none)', () => {
  it('a call only appends to the buffer: nothing is published until a trigger fires', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBatchEvents: 10, flushIntervalMs: 1_000 });
    for (let i = 0; i < 9; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    await tick();
    expect(memory.attempts).toBe(0);
    expect(emitter.stats()).toMatchObject({ emitted: 9, buffered: 9, published: 0 });
  });

  it('reaching maxBatchEvents calls sends on the next turn of the event loop, without waiting for the timer', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBatchEvents: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    // A few turns of the event loop (one slice of maxBatchEvents per turn): 5 ms, not the 60 s timer.
    for (let turn = 0; turn < 5; turn++) await tick();
    expect(memory.messages.map((m) => m.events.length)).toEqual([10, 10, 5]);
    expect(emitter.stats()).toMatchObject({ emitted: 25, published: 25, buffered: 0, messagesPublished: 3 });
  });

  it('a quiet buffer is sent flushIntervalMs after the first call, not before', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', flushIntervalMs: 1_000 });
    void emitter.count('product.wallet.spend.success');
    await jest.advanceTimersByTimeAsync(999);
    expect(memory.messages).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(memory.events()).toHaveLength(1);
  });

  it('flush() sends everything at once and resolves after it is published', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', flushIntervalMs: 60_000 });
    void emitter.count('product.wallet.spend.success');
    void emitter.gauge('product.wallet.balance', 1200, { pool: 'creators' });
    await settle(emitter.flush());
    expect(memory.events().map((e) => e.name)).toEqual(['product.wallet.spend.success', 'product.wallet.balance']);
    expectInvariant(emitter.stats());
  });

  it('a batch is sealed before it would exceed maxBatchBytes, and every message decodes as valid v1', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBatchBytes: 2_048, maxBatchEvents: 1_000 });
    for (let i = 0; i < 100; i++) void emitter.count('product.chat.message.count', 1, { channel: 'group', message_type: `type_${i % 7}` });
    await settle(emitter.flush());
    expect(memory.rawMessages.length).toBeGreaterThan(5);
    for (const raw of memory.rawMessages) {
      expect(raw.byteLength).toBeLessThanOrEqual(2_048);
      expect(decodeMessage(raw).rejected).toEqual([]);
    }
    expect(memory.events()).toHaveLength(100);
  });

  it('with the defaults, large tag values still give messages within the 1 MB wire limit', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBatchEvents: 10_000, maxBufferedEvents: 20_000 });
    const long = 'é'.repeat(120); // 240 UTF-8 bytes: byte accounting must not count characters
    for (let i = 0; i < 12_000; i++) void emitter.count('infra.http.request.count', 1, { tier: 'api', endpoint: long, method: 'GET', status_class: '2xx' });
    await settle(emitter.flush());
    expect(memory.events()).toHaveLength(12_000);
    for (const raw of memory.rawMessages) {
      expect(raw.byteLength).toBeLessThanOrEqual(Math.min(EMITTER_DEFAULTS.maxBatchBytes, WIRE_LIMITS.maxMessageBytes));
      expect(decodeMessage(raw).messageReasons).toEqual([]);
    }
  });

  it('every event id is unique, across messages and emitters', async () => {
    const a = memoryEmitter({ aggregation: 'none', maxBatchEvents: 50 });
    const b = memoryEmitter({ aggregation: 'none', maxBatchEvents: 50 });
    for (let i = 0; i < 500; i++) {
      void a.emitter.count('product.wallet.spend.success');
      void b.emitter.count('product.wallet.spend.success');
    }
    await settle(Promise.all([a.emitter.flush(), b.emitter.flush()]));
    const ids = [...a.memory.events(), ...b.memory.events()].map((e) => e.id);
    expect(ids).toHaveLength(1_000);
    expect(new Set(ids).size).toBe(1_000);
  });

  it('the source of every message is the configured service and environment', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', service: 'chat-api', environment: 'staging' });
    void emitter.count('product.chat.message.count');
    await settle(emitter.flush());
    expect(memory.messages[0]?.source).toEqual({ service: 'chat-api', environment: 'staging' });
  });

  it('a burst bigger than one slice is serialised in slices, yielding to the event loop between them', async () => {
    const { emitter, memory } = memoryEmitter({ aggregation: 'none', maxBatchEvents: 100, maxBufferedEvents: 10_000 });
    for (let i = 0; i < 1_000; i++) void emitter.count('product.wallet.spend.success');
    // One turn of the event loop serialises one slice of 100.
    await tick();
    expect(memory.events().length).toBeLessThan(1_000);
    await settle(emitter.flush());
    expect(memory.events()).toHaveLength(1_000);
  });
});
