import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TransportError } from '../../../emitter';
import { memoryEmitter, settle } from './helpers';

describe('lifecycle', () => {
  it('a process awaiting flush() is held open until the flush settles, even when only retry timers are pending', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'flush-holds.ts')], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ retries_exhausted: 1 });
  });

  describe('with fake timers', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('after shutdown on a dead transport nothing is attempted any more, not even the final self-metrics report', async () => {
      const { emitter, memory } = memoryEmitter({ selfMetricsIntervalMs: 60_000, shutdownTimeoutMs: 2_000, retryWindowMs: 60_000 });
      void emitter.count('product.wallet.spend.success');
      await settle(emitter.flush());
      // The pack event is published; then the transport dies, so at shutdown the only message
      // left is the emitter's final report on itself (no pack events in it).
      memory.failWith(new TransportError('UNAVAILABLE', true));
      await settle(emitter.shutdown(), 50);
      const attempts = memory.attempts;
      await jest.advanceTimersByTimeAsync(120_000);
      expect(memory.attempts).toBe(attempts);
      expect(memory.closed).toBe(true);
      expect(emitter.stats()).toMatchObject({ emitted: 1, published: 1, dropped: 0, buffered: 0, inFlight: 0 });
    });
  });
});
