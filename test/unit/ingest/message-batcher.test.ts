import { MessageBatcher } from '../../../ingest/message-batcher';
import { RedeliveryTracker } from '../../../ingest/redelivery-tracker';

describe('MessageBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const setup = (overrides: Partial<ConstructorParameters<typeof MessageBatcher<string>>[0]> = {}) => {
    const written: string[][] = [];
    const batcher = new MessageBatcher<string>({
      maxMessages: 3, maxBytes: 100, maxWaitMs: 50, maxInFlight: 1, sizeOf: (s) => s.length,
      write: (batch) => { written.push([...batch]); return Promise.resolve(); },
      ...overrides,
    });
    return { batcher, written };
  };

  it('writes a full batch at once, by count or by bytes', async () => {
    const { batcher, written } = setup();
    ['a', 'b', 'c', 'd'].forEach((s) => batcher.add(s));
    batcher.add('x'.repeat(100));
    await batcher.drain();
    expect(written).toEqual([['a', 'b', 'c'], ['d', 'x'.repeat(100)]]);
  });

  it('writes a partial batch maxWaitMs after its first item, not before', async () => {
    const { batcher, written } = setup();
    batcher.add('a');
    await jest.advanceTimersByTimeAsync(49);
    expect(written).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(written).toEqual([['a']]);
  });

  it('runs at most maxInFlight writes at once', async () => {
    let running = 0;
    let most = 0;
    const { batcher } = setup({
      maxMessages: 1, maxInFlight: 2,
      write: async () => { running++; most = Math.max(most, running); await new Promise((r) => setTimeout(r, 10)); running--; },
    });
    ['a', 'b', 'c', 'd', 'e'].forEach((s) => batcher.add(s));
    const drained = batcher.drain();
    await jest.advanceTimersByTimeAsync(100);
    await drained;
    expect(most).toBe(2);
  });

  it('reports a write that rejected (a bug: writes handle their own failures) from drain', async () => {
    const { batcher } = setup({ write: () => Promise.reject(new Error('bug')) });
    batcher.add('a');
    await expect(batcher.drain()).rejects.toThrow('bug');
  });
});

describe('RedeliveryTracker', () => {
  it('counts deliveries per message until it is acked, within a bounded size', () => {
    const tracker = new RedeliveryTracker(2);
    expect([tracker.delivered('a'), tracker.delivered('a'), tracker.delivered('b')]).toEqual([1, 2, 1]);
    tracker.forget('a');
    expect(tracker.delivered('a')).toBe(1);
    tracker.delivered('c');
    expect(tracker.size).toBe(2);
    expect(tracker.delivered('b')).toBe(1); // the oldest entry went first
  });
});
