import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLocalApp } from '../../../app/local';
import { createEmitter } from '../../../emitter';
import { IngestHandler } from '../../../ingest/ingest-handler';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { loadConfig } from '../../../shared';
import { silentLogger } from '../../../shared/logger';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';
import { PROJECT, quiet, subscribe, uniqueName, type Collector } from './support';

jest.setTimeout(240_000);

/**
 * Issue #18's burst: 1,000,000 calls across 1,000 series in bursts of 10,000 with no pause between
 * bursts (only a turn of the event loop, as a server's request handlers give), into the real
 * Pub/Sub emulator with the default options. Every call must arrive in a merged event (the sum of
 * the counts is exact), nothing may be dropped, and the heap may not grow by 10 MB. Then the
 * messages pulled from the emulator go through the real ingest handler into DuckDB and the local
 * assembly's rollup job (app/local.ts): the 1-minute rollups must count every call.
 */
const CALLS = 1_000_000;
const SERIES = 1_000;
const BURST = 10_000;
const MB = 1024 * 1024;

/** A full collection before each heap reading: --expose-gc turned on at run time (V8 honours it for new contexts). */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const callsPerWindow = defineQuery(
  'test_burst_calls_per_window',
  `SELECT window_seconds, SUM(event_count) AS calls FROM {{metric_rollups}} WHERE name = 'product.chat.message.count' GROUP BY window_seconds ORDER BY window_seconds`,
);
const seriesInRollups = defineQuery(
  'test_burst_series',
  `SELECT COUNT(DISTINCT series_key) AS series FROM {{metric_rollups}} WHERE name = 'product.chat.message.count' AND window_seconds = 60`,
);

const series = (i: number) => ({ channel: ['dm', 'group', 'room', 'broadcast'][i % 4] as string, message_type: `type_${Math.floor(i / 4)}` });

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'emitter: a million-call burst into the Pub/Sub emulator, default options', (host) => {
  let subscription: Collector | undefined;
  afterAll(async () => {
    await subscription?.close();
  });

  it('1,000,000 calls on 1,000 series in bursts of 10,000: every call arrives (sum of counts exact), nothing dropped, heap growth < 10 MB, and the rollups count them all', async () => {
    const topic = uniqueName('metrics-burst');
    subscription = await subscribe(host, topic);
    subscription.keepData = true;
    const startedMs = Date.now();
    const gc = collector();
    const emitter = createEmitter({ transport: 'pubsub', topic, projectId: PROJECT, emulatorHost: host, service: 'burst', environment: 'test', logger: quiet, env: {}, handleProcessSignals: false });
    // Tag objects made once, as a handler holding its tags would; the emitter copies what it keeps.
    const tags = Array.from({ length: SERIES }, (_, i) => series(i));

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    for (let done = 0; done < CALLS; done += BURST) {
      for (let i = 0; i < BURST; i++) void emitter.count('product.chat.message.count', 1, tags[(done + i) % SERIES]);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if ((done / BURST) % 10 === 9) {
        gc();
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
    }
    await emitter.flush();
    gc();
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const stats = emitter.stats();

    expect(stats).toMatchObject({ emitted: CALLS, published: CALLS, dropped: 0, pending: 0 });
    // Merged: far fewer events than calls, and at least one per series.
    expect(stats.eventsPublished).toBeGreaterThanOrEqual(SERIES);
    expect(stats.eventsPublished).toBeLessThan(CALLS / 20);

    // What the emulator delivers: the counts sum to exactly the calls made, per series too.
    await subscription.waitUntil(() => subscription?.packCalls === CALLS, 10_000, 120_000);
    expect(subscription.packCalls).toBe(CALLS);
    expect(subscription.duplicates()).toBe(0);
    expect(subscription.packIds.size).toBe(stats.eventsPublished);

    const growthMb = (heapPeak - heapBefore) / MB;
    console.log(`burst: ${stats.eventsPublished} events in ${stats.messagesPublished} messages (${(stats.bytesPublished / MB).toFixed(2)} MB) for ${CALLS} calls; heap growth at peak ${growthMb.toFixed(2)} MB`);
    expect(growthMb).toBeLessThan(10);
    await emitter.shutdown();

    // Through ingest and the rollups, as the pipeline stores them.
    const warehouse = await DuckDbWarehouse.open(':memory:');
    const app = createLocalApp({ config: { ...loadConfig({}), environment: 'test' }, warehouse, logger: silentLogger });
    try {
      await warehouse.createSchema();
      const handler = new IngestHandler({ warehouse, now: () => Date.now(), log: silentIngestLog });
      let stored = 0;
      for (const [i, data] of subscription.data.entries()) {
        const summary = await handler.handle({ id: `burst-${i}`, data });
        expect(summary.deadLettered).toBe(0);
        stored += summary.stored;
      }
      // The merged events, and the emitter's own final report on itself.
      expect(stored).toBe(subscription.counts.size);
      // Every minute the burst touched is closed a minute later; run the rollups past them.
      await app.jobs(warehouse).runRollups(Math.max(Date.now(), startedMs) + 3 * 60_000);
      const windows = await warehouse.query<{ window_seconds: number; calls: number }>(callsPerWindow, {});
      const minute = windows.find((w) => Number(w.window_seconds) === 60);
      expect(Number(minute?.calls)).toBe(CALLS);
      const [counted] = await warehouse.query<{ series: number }>(seriesInRollups, {});
      expect(Number(counted?.series)).toBe(SERIES);
    } finally {
      app.close();
      await warehouse.close();
    }
  });
});
