import { freePort, startEmulator, type RunningEmulator } from '../../../cli/local/emulators';
import { createEmitter } from '../../../emitter';
import { createPubSubTransport } from '../../../emitter/transports/pubsub-transport';
import { describeWithOwnEmulator, PROJECT, quiet, RecordingTransport, subscribe, uniqueName, until, type Collector } from './support';

jest.setTimeout(90_000);

describeWithOwnEmulator('emitter: the Pub/Sub emulator is absent at start, then started', () => {
  let emulator: RunningEmulator | undefined;
  let collector: Collector | undefined;

  afterAll(async () => {
    await collector?.close();
    await emulator?.stop();
  });

  it('no exception reaches the caller, and the events buffered meanwhile arrive exactly once', async () => {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const topic = uniqueName('metrics-absent');
    const transport = new RecordingTransport(
      createPubSubTransport({ topic, projectId: PROJECT, emulatorHost: host, publishTimeoutMs: 5_000, maxReconnectBackoffMs: 500 }),
    );
    const emitter = createEmitter({ transport, service: 'itest', environment: 'test', retryWindowMs: 60_000, maxBackoffMs: 500, flushIntervalMs: 50, logger: quiet, env: {} });

    // Nothing listens on the port yet: every call must still return at once, and resolve.
    const started = Date.now();
    for (let i = 0; i < 500; i++) {
      expect(() => void emitter.count('product.wallet.spend.success', 1, { feature: i % 2 ? 'chat' : 'gift' })).not.toThrow();
    }
    await emitter.timing('product.wallet.spend.latency_ms', 12);
    expect(Date.now() - started).toBeLessThan(1_000);
    const flushed = emitter.flush();
    await until(() => transport.realFailures >= 2, 20_000, 'publish attempts to fail against the closed port');
    expect(emitter.stats()).toMatchObject({ emitted: 501, published: 0, dropped: 0 });

    transport.hold();
    emulator = await startEmulator('pubsub', { port });
    collector = await subscribe(host, topic);
    transport.release();

    await flushed;
    const stats = emitter.stats();
    expect(stats).toMatchObject({ emitted: 501, published: 501, dropped: 0, buffered: 0, inFlight: 0 });

    // Merged per series (two feature values and a timing): every call is in an acknowledged event.
    const published = transport.ackedIds();
    expect(new Set(published).size).toBe(published.length);
    expect(transport.ackedCalls()).toBe(501);
    await collector.waitFor(published.length);
    expect([...collector.counts.keys()].sort()).toEqual([...published].sort());
    expect(collector.packCalls).toBe(501);
    expect(collector.duplicates()).toBe(0);
    await emitter.shutdown();
  });
});
