import { streamingPlan } from '../../../alerts/streaming/plan';
import { StreamingAlerts } from '../../../alerts/streaming/streaming-alerts';
import { MemoryTallyStore } from '../../../alerts/streaming/tally-store';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { AlertEnv, MIN, T0 } from './support/alert-env';

it('6 failed spends published twice (emitter retry: same event ids, new Pub/Sub message id) do not page the wallet P0 (> 10)', async () => {
  const env = await AlertEnv.open();
  try {
    const runtime = env.runtime();
    const T = T0 + 10 * MIN;
    env.clock.set(T);
    const streaming = new StreamingAlerts({ plan: streamingPlan(runtime.rules), tallies: new MemoryTallyStore(), warehouse: () => Promise.resolve(env.warehouse), runtime: () => runtime, clock: env.clock, logger: env.logger });
    const ingest = new IngestHandler({ warehouse: env.warehouse, now: () => env.clock.now(), log: silentIngestLog, onStored: (id, events) => streaming.observe(id, events) });
    const data = JSON.stringify({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'test' }, events: Array.from({ length: 6 }, (_, i) => ({ id: `dup-${i}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts: T - 20_000 + i * 1_000, tags: { feature: 'chat' } })) });
    expect(await ingest.handle({ id: 'A', data })).toMatchObject({ stored: 6, duplicates: 0 });
    await streaming.idle();
    env.clock.set(T + 2_000);
    expect(await ingest.handle({ id: 'B', data })).toMatchObject({ stored: 0, duplicates: 6 }); // the warehouse holds 6
    await streaming.idle();
    expect(streaming.stats.fired).toBe(0);
    expect((await runtime.store.loadInstances()).filter((i) => i.ruleId === 'wallet-spend-failures-critical' && i.state === 'firing')).toEqual([]);
    await streaming.stop();
  } finally {
    await env.close();
  }
});
