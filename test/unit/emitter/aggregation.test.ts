import { bucketIndex, decodeMessage, histogramQuantile } from '../../../shared';
import { callsIn, expectInvariant, memoryEmitter, settle } from './helpers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** A fixed instant in the middle of a UTC minute: 2026-11-27 12:00:30.000. */
const T0 = Date.UTC(2026, 10, 27, 12, 0, 30);

function emitterAt(options: Parameters<typeof memoryEmitter>[0] = {}) {
  jest.setSystemTime(T0);
  return memoryEmitter({ flushIntervalMs: 1_000, ...options });
}

/** A merged event as it appears on the wire (the fields the contract adds to v1). */
interface Wire {
  name: string;
  kind: string;
  value: number;
  ts: number;
  tags: Record<string, string>;
  count?: number;
  min?: number;
  max?: number;
  last?: number;
  start_ts?: number;
  histogram?: [number, number][];
  sum?: number;
}

function wire(memory: ReturnType<typeof memoryEmitter>['memory']): Wire[] {
  const events: readonly object[] = memory.events();
  return events as Wire[];
}

describe('aggregation (the default): calls on one series within a flush interval merge into one event', () => {
  it('counts sum, with min, max and the latest call\'s value; start_ts and ts are the first and latest call', async () => {
    const { emitter, memory } = emitterAt();
    const increments = [1, 3, 2, 5, 1];
    for (const [i, n] of increments.entries()) {
      jest.setSystemTime(T0 + i * 100);
      void emitter.count('product.wallet.spend.success', n, { feature: 'chat' });
      await Promise.resolve(); // the next call in a later turn (the clock is read once per turn)
    }
    await jest.advanceTimersByTimeAsync(1_000);
    expect(wire(memory)).toEqual([
      expect.objectContaining({ name: 'product.wallet.spend.success', kind: 'count', value: 12, count: 5, min: 1, max: 5, last: 1, start_ts: T0, ts: T0 + 400, tags: { feature: 'chat' } }),
    ]);
    expect(emitter.stats()).toMatchObject({ emitted: 5, published: 5, eventsPublished: 1, aggregation: 'series' });
  });

  it('timings merge into the rollups\' histogram buckets (shared/histogram.ts) with count, sum, min, max and last', async () => {
    const { emitter, memory } = emitterAt();
    const durations = [12.5, 0, 12.6, 250, 12.5, 3];
    for (const ms of durations) void emitter.timing('product.wallet.spend.latency_ms', ms, { feature: 'chat' });
    await settle(emitter.flush());
    const [event] = wire(memory);
    const expected = new Map<number, number>();
    for (const ms of durations) expected.set(bucketIndex(ms), (expected.get(bucketIndex(ms)) ?? 0) + 1);
    expect(event).toMatchObject({ kind: 'timing', count: 6, value: durations.reduce((a, b) => a + b, 0), min: 0, max: 250, last: 3 });
    expect(event?.histogram).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
    expect(event?.histogram?.[0]?.[0]).toBe(-2_147_483_648); // the zero bucket, first
  });

  it('gauges keep the last value, with min, max and the sum of the readings (and no last field: value is the last)', async () => {
    const { emitter, memory } = emitterAt();
    for (const level of [1_200, -50, 9_000, 700]) void emitter.gauge('product.wallet.balance', level, { pool: 'creators' });
    await settle(emitter.flush());
    const [event] = wire(memory);
    expect(event).toMatchObject({ kind: 'gauge', value: 700, count: 4, min: -50, max: 9_000, sum: 10_850 });
    expect(event).not.toHaveProperty('last');
    expect(event).not.toHaveProperty('histogram');
  });

  it('a call that would take the merged sum past the wire format\'s ±1e15 starts a new event instead', async () => {
    const { emitter, memory } = emitterAt();
    for (let i = 0; i < 3; i++) void emitter.gauge('product.wallet.balance', 4e14, { pool: 'creators' });
    await settle(emitter.flush());
    // 4e14 + 4e14 merge; a third would make 1.2e15.
    expect(wire(memory).map((e) => e.count ?? 1)).toEqual([2, 1]);
    expect(callsIn(memory.events())).toBe(3);
    expect(emitter.stats().dropped).toBe(0);
  });

  it('a single call in an interval is sent exactly as one event per call sends it: no count or other new field', async () => {
    const one = emitterAt();
    const raw = emitterAt({ aggregation: 'none' });
    for (const e of [one.emitter, raw.emitter]) {
      void e.timing('product.wallet.spend.latency_ms', 42, { feature: 'chat' });
      void e.count('product.wallet.spend.success', 1, { feature: 'chat' });
    }
    await settle(Promise.all([one.emitter.flush(), raw.emitter.flush()]));
    const strip = (events: Wire[]) => events.map((e) => ({ ...e, id: undefined })).sort((a, b) => a.name.localeCompare(b.name));
    expect(strip(wire(one.memory))).toEqual(strip(wire(raw.memory)));
    for (const event of wire(one.memory)) expect(Object.keys(event).sort()).toEqual(['id', 'kind', 'name', 'tags', 'ts', 'value']);
  });

  it('different tag sets, metrics and kinds stay apart; a tagged emitter and the same tags given per call are one series', async () => {
    const { emitter, memory } = emitterAt();
    const chat = emitter.tagged({ feature: 'chat' });
    for (let i = 0; i < 3; i++) {
      void chat.count('product.wallet.spend.success');
      void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
      void emitter.count('product.wallet.spend.success', 1, { feature: 'calls' });
      void emitter.count('product.wallet.spend.failed', 1, { feature: 'chat', reason: 'limit' });
    }
    await settle(emitter.flush());
    const byKey = new Map(wire(memory).map((e) => [`${e.name} ${JSON.stringify(e.tags)}`, e.count ?? 1]));
    expect(callsIn(memory.events())).toBe(12);
    expect(byKey.get('product.wallet.spend.failed {"feature":"chat","reason":"limit"}')).toBe(3);
    expect(byKey.get('product.wallet.spend.success {"feature":"calls"}')).toBe(3);
    // The tagged emitter's calls and the per-call tags may be keyed apart (two events) but never lose a call.
    const chatCalls = wire(memory).filter((e) => e.name === 'product.wallet.spend.success' && e.tags.feature === 'chat');
    expect(callsIn(chatCalls)).toBe(6);
  });

  it('tags with number and boolean values are normalised once and still merge', async () => {
    const { emitter, memory } = emitterAt();
    for (let i = 0; i < 10; i++) void emitter.count('infra.http.request.count', 1, { tier: 'api', status_class: 500, region: true });
    await settle(emitter.flush());
    expect(wire(memory)).toEqual([expect.objectContaining({ count: 10, tags: { tier: 'api', status_class: '500', region: 'true' } })]);
  });

  it('an aggregate never spans two UTC minutes: calls either side of the boundary are two events, each within its minute', async () => {
    const { emitter, memory } = emitterAt();
    const boundary = Date.UTC(2026, 10, 27, 12, 1, 0);
    jest.setSystemTime(boundary - 300);
    for (let i = 0; i < 5; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    await Promise.resolve();
    jest.setSystemTime(boundary);
    for (let i = 0; i < 7; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    await settle(emitter.flush());
    const events = wire(memory);
    expect(events.map((e) => e.count)).toEqual([5, 7]);
    for (const e of events) expect(Math.floor((e.start_ts ?? e.ts) / 60_000)).toBe(Math.floor(e.ts / 60_000));
    expectInvariant(emitter.stats());
  });

  it('the system clock is read once per synchronous turn (and every 256 calls): calls in one turn share its time, the next turn reads it again', async () => {
    const { emitter, memory } = emitterAt();
    void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    jest.setSystemTime(T0 + 7); // the same turn: still T0
    void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    await Promise.resolve();
    void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' }); // a new turn: T0 + 7
    jest.setSystemTime(T0 + 9);
    for (let i = 0; i < 300; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' }); // read again after 256
    await settle(emitter.flush());
    expect(wire(memory)).toEqual([expect.objectContaining({ count: 303, start_ts: T0, ts: T0 + 9 })]);
  });

  it('with a clock of its own (the now option) every call reads it', async () => {
    let now = T0;
    const { emitter, memory } = memoryEmitter({ now: () => now });
    void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    now = T0 + 5;
    void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    await settle(emitter.flush());
    expect(wire(memory)).toEqual([expect.objectContaining({ count: 2, start_ts: T0, ts: T0 + 5 })]);
  });

  it('backfilled calls (explicit timestamps) merge per minute too; start_ts is the earliest and ts the latest', async () => {
    const { emitter, memory } = emitterAt();
    const minute = Date.UTC(2026, 10, 26, 9, 15, 0);
    for (const offset of [30_000, 10_000, 50_000]) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' }, minute + offset);
    await settle(emitter.flush());
    expect(wire(memory)).toEqual([expect.objectContaining({ count: 3, start_ts: minute + 10_000, ts: minute + 50_000 })]);
  });

  it('a bad call does not spoil the merged event: it is dropped alone, by reason, and the good calls are published', async () => {
    const { emitter, memory } = emitterAt();
    for (let i = 0; i < 20; i++) void emitter.timing('product.wallet.spend.latency_ms', 10, { feature: 'chat' });
    void emitter.timing('product.wallet.spend.latency_ms', -5, { feature: 'chat' });
    void emitter.timing('product.wallet.spend.latency_ms', Number.NaN, { feature: 'chat' });
    void emitter.timing('product.wallet.spend.latency_ms', 10, { feature: 'chat' }, Number.NaN);
    await settle(emitter.flush());
    expect(wire(memory)).toEqual([expect.objectContaining({ count: 20, value: 200 })]);
    expect(emitter.stats().droppedByReason.invalid).toBe(3);
    expectInvariant(emitter.stats());
  });

  it('a merged series whose tags are refused is dropped as one decision, counted in calls', async () => {
    const { emitter, memory } = emitterAt();
    for (let i = 0; i < 30; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'jane@example.com' });
    for (let i = 0; i < 4; i++) void emitter.count('product.wallet.spend.sucess' as never);
    await settle(emitter.flush());
    expect(memory.events()).toEqual([]);
    expect(emitter.stats().droppedByReason).toMatchObject({ personal_data: 30, unknown_metric: 4 });
    expectInvariant(emitter.stats());
  });

  it('every merged message decodes as valid v1 with the validator ingest uses', async () => {
    const { emitter, memory } = emitterAt();
    for (let i = 0; i < 500; i++) {
      void emitter.timing('product.wallet.spend.latency_ms', (i % 97) * 1.7, { feature: i % 3 === 0 ? 'chat' : 'calls' });
      void emitter.count('product.wallet.spend.success', i % 4, { feature: 'chat' });
      void emitter.gauge('product.wallet.balance', i - 250, { pool: 'creators' });
    }
    await settle(emitter.flush());
    for (const raw of memory.rawMessages) {
      const decoded = decodeMessage(raw);
      expect(decoded.messageReasons).toEqual([]);
      expect(decoded.rejected).toEqual([]);
    }
    expect(callsIn(memory.events())).toBe(1_500);
  });

  it('percentiles read from a merged histogram are within 1% of the exact ones', async () => {
    const { emitter, memory } = emitterAt();
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 5_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = Math.exp((seed / 2_147_483_648) * 8); // 1 ms … 3 s, log-uniform
      values.push(ms);
      void emitter.timing('product.wallet.spend.latency_ms', ms, { feature: 'chat' });
    }
    await settle(emitter.flush());
    const [event] = wire(memory);
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1] as number;
      const estimate = histogramQuantile(event?.histogram ?? [], q) as number;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('a burst into one series costs one event, not one per call, and nothing is dropped', async () => {
    const { emitter, memory } = emitterAt();
    for (let burst = 0; burst < 6; burst++) {
      for (let i = 0; i < 5_000; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
      await jest.advanceTimersByTimeAsync(50);
    }
    await settle(emitter.flush());
    expect(emitter.stats()).toMatchObject({ emitted: 30_000, published: 30_000, dropped: 0 });
    expect(callsIn(memory.events())).toBe(30_000);
    expect(memory.events().length).toBeLessThanOrEqual(2);
  });

  it('aggregation: none sends one event per call, as before', async () => {
    const { emitter, memory } = emitterAt({ aggregation: 'none' });
    for (let i = 0; i < 5; i++) void emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
    await settle(emitter.flush());
    expect(memory.events()).toHaveLength(5);
    expect(wire(memory).every((e) => e.count === undefined)).toBe(true);
    expect(emitter.stats()).toMatchObject({ aggregation: 'none', eventsPublished: 5, published: 5 });
  });

  it('a bad aggregation option is a configuration error naming it', () => {
    expect(() => memoryEmitter({ aggregation: 'per-call' as never })).toThrow(/aggregation must be series or none/);
    expect(() => memoryEmitter({ maxBufferedBytes: 10 })).toThrow(/maxBufferedBytes/);
  });
});
