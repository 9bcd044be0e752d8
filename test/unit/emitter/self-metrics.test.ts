import { TransportError } from '../../../emitter';
import { memoryEmitter, settle } from './helpers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const selfEvents = (memory: ReturnType<typeof memoryEmitter>['memory']) =>
  memory.events({ includeSelfMetrics: true }).filter((e) => e.name.startsWith('infra.metrics.emitter.'));

const sum = (events: ReturnType<typeof selfEvents>, name: string, tags: Record<string, string> = {}) =>
  events.filter((e) => e.name === name && Object.entries(tags).every(([k, v]) => e.tags[k] === v)).reduce((a, e) => a + e.value, 0);

describe('the emitter\'s own metrics (infra.metrics.emitter.*)', () => {
  it('report emitted, published and dropped-by-reason deltas and the buffered gauge every selfMetricsIntervalMs', async () => {
    const { emitter, memory } = memoryEmitter({ selfMetricsIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) void emitter.count('product.wallet.spend.success');
    void emitter.count('nope' as never);
    await settle(emitter.flush());
    await jest.advanceTimersByTimeAsync(60_000);
    await settle(emitter.flush());
    const events = selfEvents(memory);
    expect(sum(events, 'infra.metrics.emitter.emitted.count', { service: 'wallet' })).toBe(5);
    expect(sum(events, 'infra.metrics.emitter.published.count', { service: 'wallet', transport: 'memory' })).toBe(4);
    expect(sum(events, 'infra.metrics.emitter.dropped.count', { reason: 'unknown_metric' })).toBe(1);
    expect(events.some((e) => e.name === 'infra.metrics.emitter.buffered' && e.kind === 'gauge')).toBe(true);
    // Pack code's counts exclude the emitter's own events.
    expect(emitter.stats()).toMatchObject({ emitted: 5, published: 4 });
  });

  it('a report lost with a failed message is folded into the next one: totals downstream stay exact', async () => {
    const { emitter, memory } = memoryEmitter({ selfMetricsIntervalMs: 10_000, retryWindowMs: 2_000, maxBackoffMs: 500 });
    for (let i = 0; i < 3; i++) void emitter.count('product.wallet.spend.success');
    memory.failWith(new TransportError('UNAVAILABLE', true));
    await jest.advanceTimersByTimeAsync(10_000);
    await settle(emitter.flush());
    memory.failWith(undefined);
    for (let i = 0; i < 2; i++) void emitter.count('product.wallet.spend.success');
    await jest.advanceTimersByTimeAsync(10_000);
    await settle(emitter.flush());
    await settle(emitter.shutdown());
    const events = selfEvents(memory);
    expect(sum(events, 'infra.metrics.emitter.emitted.count')).toBe(5);
    expect(sum(events, 'infra.metrics.emitter.dropped.count', { reason: 'retries_exhausted' })).toBe(emitter.stats().droppedByReason.retries_exhausted);
    expect(sum(events, 'infra.metrics.emitter.published.count')).toBe(emitter.stats().published);
  });

  it('are off by default for the memory transport, so tests of pack code see only their own events', async () => {
    const { emitter, memory } = memoryEmitter();
    void emitter.count('product.wallet.spend.success');
    await jest.advanceTimersByTimeAsync(120_000);
    await settle(emitter.shutdown());
    expect(selfEvents(memory)).toEqual([]);
  });
});
