import { freePort, startEmulator, type RunningEmulator } from '../../../cli/local/emulators';
import { createEmitter } from '../../../emitter';
import { createPubSubTransport } from '../../../emitter/transports/pubsub-transport';
import { describeWithOwnEmulator, PROJECT, quiet, RecordingTransport, subscribe, uniqueName, until, type Collector } from './support';

jest.setTimeout(120_000);

const EVENTS_PER_TICK = 20;
const TICK_MS = 10; // ~2,000 events/s offered

describeWithOwnEmulator('emitter: the Pub/Sub emulator is killed mid-stream and restarted on the same port', () => {
  let emulator: RunningEmulator | undefined;
  const collectors: Collector[] = [];

  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.close()));
    await emulator?.stop();
  });

  it('every event is delivered once or counted as dropped, and the invariant holds exactly', async () => {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const topic = uniqueName('metrics-restart');
    emulator = await startEmulator('pubsub', { port });
    collectors.push(await subscribe(host, topic));

    const transport = new RecordingTransport(
      createPubSubTransport({ topic, projectId: PROJECT, emulatorHost: host, publishTimeoutMs: 3_000, maxReconnectBackoffMs: 500 }),
    );
    const emitter = createEmitter({
      transport,
      service: 'itest',
      environment: 'test',
      maxBatchEvents: 100,
      flushIntervalMs: 50,
      maxBufferedEvents: 50_000,
      retryWindowMs: 60_000,
      maxBackoffMs: 500,
      logger: quiet,
      env: {},
    });
    let thrown = 0;
    const producer = setInterval(() => {
      for (let i = 0; i < EVENTS_PER_TICK; i++) {
        try {
          void emitter.count('product.chat.message.count', 1, { channel: 'dm' });
        } catch {
          thrown++;
        }
      }
    }, TICK_MS);

    // Stream for a while, then kill the emulator outright while events keep coming and batches are
    // being published. The kill is sent at a moment when the subscriber has pulled every message
    // acknowledged so far (checked and killed in one synchronous step): a message Pub/Sub has
    // acknowledged but not yet delivered would die with the emulator's memory, which is the
    // emulator's loss, not the emitter's. Publishes in flight at the kill are fair game.
    const before = collectors[0] as Collector;
    await until(() => transport.acked.length >= 10 && before.counts.size === transport.ackedIds().length, 20_000, 'the subscriber to catch up');
    const killedAtMs = Date.now();
    await emulator.stop('SIGKILL');
    // Publishes answered while the kill was under way (a busy machine may take a while to reap the
    // JVM) were in flight at the kill: fair game, like the rest. From here the emulator is gone.
    const deadAtMs = Date.now();
    await until(() => transport.realFailures >= 3, 20_000, 'publishes to fail against the dead emulator');
    expect(emitter.stats().buffered).toBeGreaterThan(0);

    // Same port, fresh (empty) emulator: the test re-creates topic and subscription before
    // letting publishes through (see RecordingTransport.hold).
    transport.hold();
    emulator = await startEmulator('pubsub', { port });
    const after = await subscribe(host, topic);
    collectors.push(after);
    const restartedAtMs = Date.now();
    transport.release();

    await until(() => transport.acked.some((a) => a.atMs > restartedAtMs), 30_000, 'publishing to resume after the restart');
    await new Promise((r) => setTimeout(r, 500));
    clearInterval(producer);
    await emitter.flush();

    const stats = emitter.stats();
    expect(thrown).toBe(0);
    expect(stats.buffered + stats.inFlight).toBe(0);
    expect(stats.published + stats.dropped).toBe(stats.emitted);

    // Every acknowledged id is unique: a retried message is never counted as published twice.
    const ackedIds = transport.ackedIds();
    expect(new Set(ackedIds).size).toBe(ackedIds.length);
    expect(transport.ackedCalls()).toBe(stats.published);

    // Acknowledged by the restarted emulator: must all arrive, once.
    const afterRestart = transport.acked.filter((a) => a.atMs > restartedAtMs).flatMap((a) => a.ids);
    await after.waitFor(afterRestart.length);
    expect(afterRestart.filter((id) => after.counts.get(id) !== 1)).toEqual([]);

    // Acknowledged by the first emulator: all pulled before the kill (see above). Nothing can be
    // acknowledged once it is dead and before the restart.
    const beforeKill = transport.acked.filter((a) => a.atMs <= killedAtMs);
    const inFlightAtKill = transport.acked.filter((a) => a.atMs > killedAtMs && a.atMs <= deadAtMs);
    expect(beforeKill.length + inFlightAtKill.length + transport.acked.filter((a) => a.atMs > restartedAtMs).length).toBe(transport.acked.length);
    const lostWithEmulator = beforeKill.flatMap((a) => a.ids).filter((id) => !before.counts.has(id));

    expect(lostWithEmulator).toEqual([]);

    // The books balance exactly, in calls: every call was received exactly once (in a merged
    // event), or dropped.
    const receivedOnce = [...before.counts.entries(), ...after.counts.entries()]
      .filter(([, n]) => n === 1)
      .reduce((sum, [id]) => sum + (before.callsById.get(id) ?? after.callsById.get(id) ?? 0), 0);
    expect(before.duplicates() + after.duplicates()).toBe(0);
    expect(receivedOnce + stats.dropped).toBe(stats.emitted);
    // A 60 s retry window outlasts this outage: nothing should have been dropped at all.
    expect(stats.dropped).toBe(0);
    await emitter.shutdown();
  });
});
