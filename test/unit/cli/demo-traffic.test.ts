import { createEmitter, type MemoryTransport } from '../../../emitter';
import { METRICS, MODULE_IDS, isMetricName } from '../../../shared';
import { createDemoClock } from '../../../cli/local/demo/demo-clock';
import { DemoTraffic } from '../../../cli/local/demo/demo-traffic';
import { DEMO_INCIDENT } from '../../../cli/local/demo/traffic-profile';

const T0 = Date.UTC(2026, 10, 26, 10, 0);

describe('demo traffic', () => {
  it('emits valid events for every module, nothing dropped, and the incident breaches the wallet P0 rule', async () => {
    const emitter = createEmitter({ transport: 'memory', handleProcessSignals: false, maxBufferedEvents: 100_000, now: () => T0 + 20 * 60_000 });
    const traffic = new DemoTraffic(emitter, T0 + DEMO_INCIDENT.startAfterMs);
    for (let t = T0; t < T0 + 15 * 60_000; t += 5_000) traffic.tick(t, t + 5_000);
    await emitter.flush();
    const stats = emitter.stats();
        expect(stats.dropped).toBe(0);
    const events = (emitter.transport as MemoryTransport).events();
    const modules = new Set(events.map((e) => (isMetricName(e.name) ? METRICS[e.name].module : 'unknown')));
    expect([...modules].sort()).toEqual([...MODULE_IDS].sort());
    const failures = events.filter((e) => e.name === 'product.wallet.spend.failed' && e.ts >= T0 + DEMO_INCIDENT.startAfterMs && e.ts < T0 + DEMO_INCIDENT.startAfterMs + 10 * 60_000);
    expect(failures.reduce((sum, e) => sum + e.value, 0)).toBeGreaterThan(10);
    await emitter.shutdown();
  });

  it('backfills history an hour at a time with counts carrying the hour total', async () => {
    const emitter = createEmitter({ transport: 'memory', handleProcessSignals: false, maxBufferedEvents: 100_000, now: () => T0 });
    const traffic = new DemoTraffic(emitter, undefined);
    let hours = 0;
    await traffic.backfill(T0 - 24 * 3_600_000, T0, async () => {
      hours++;
      await emitter.flush();
    });
    expect(hours).toBe(24);
    const spends = (emitter.transport as MemoryTransport).events().filter((e) => e.name === 'product.wallet.spend.success');
    expect(spends).toHaveLength(24);
    expect(spends.reduce((s, e) => s + e.value, 0) / 24).toBeGreaterThan(200 * 60 * 0.9);
    expect(emitter.stats().dropped).toBe(0);
    await emitter.shutdown();
  });
});

describe('the demo clock', () => {
  it('starts behind real time, runs faster until it catches up, then runs in real time', () => {
    let real = T0;
    const clock = createDemoClock({ leadMs: 30 * 60_000, speed: 8, realNow: () => real });
    clock.startReplay();
    expect(clock.now()).toBe(T0 - 30 * 60_000);
    real += 60_000;
    expect(clock.now()).toBe(T0 - 30 * 60_000 + 8 * 60_000);
    expect(clock.catchingUp()).toBe(true);
    real = T0 + (30 * 60_000) / 7 + 1;
    expect(clock.now()).toBe(real);
    expect(clock.catchingUp()).toBe(false);
  });

  it('waits in real time, its lead behind, until the replay starts: a slow backfill uses up none of the replay (issue 12)', () => {
    let real = T0;
    const clock = createDemoClock({ leadMs: 30 * 60_000, speed: 8, realNow: () => real });
    real += 60_000; // a 60 s backfill
    expect(clock.now()).toBe(T0 + 60_000 - 30 * 60_000);
    expect(clock.catchingUp()).toBe(true);
    clock.startReplay();
    const replayStart = clock.now();
    expect(replayStart).toBe(T0 + 60_000 - 30 * 60_000);
    real += 15_000;
    expect(clock.now()).toBe(replayStart + 8 * 15_000);
    clock.startReplay(); // a second call does not restart it
    expect(clock.now()).toBe(replayStart + 8 * 15_000);
  });
});
