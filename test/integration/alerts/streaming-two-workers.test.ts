import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { FirestoreAlertStore } from '../../../alerts/state/firestore-alert-store';
import { FirestoreTallyStore } from '../../../alerts/streaming/firestore-tally-store';
import { createProductionApp, type ProductionApp } from '../../../app/production';
import { NO_PIPELINE_METRICS } from '../../../app/pipeline-metrics';
import { FakeClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logger';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { lentWarehouse } from '../../../sql/open-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';

/**
 * Issue #15, "Done when": two ingest workers — two production assemblies (app/production.ts), each
 * with its own firebase-admin client, as two function instances have — share the Firestore
 * emulator (tallies and alert state) and one warehouse. A wallet P0 burst split across both fires
 * exactly one page; the scheduled evaluator running at the same time, and after the rollups
 * caught up, adds none; the alert resolves through the scheduled path. The PagerDuty stand-in is a
 * real HTTP server; nothing waits for time (the clock is moved by hand).
 */

jest.setTimeout(180_000);

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 5);
const RULE = 'wallet-spend-failures-critical';

interface PagerDutyEvent {
  readonly event_action: string;
  readonly dedup_key: string;
  readonly payload?: { readonly summary?: string };
}

async function pagerDutyStandIn(): Promise<{ url: string; events: PagerDutyEvent[]; close(): Promise<void> }> {
  const events: PagerDutyEvent[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v2/enqueue') {
        const event = JSON.parse(body) as PagerDutyEvent;
        events.push(event);
        response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }));
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v2/enqueue`, events, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function message(events: number, tsMs: number): { messageId: string; data: string; publishTime: string } {
  const body = {
    schema: 'metrics.v1',
    source: { service: 'wallet', environment: 'test' },
    events: Array.from({ length: events }, (_, i) => ({ id: randomUUID(), name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts: tsMs + i, tags: { reason: 'declined' } })),
  };
  return { messageId: randomUUID(), data: Buffer.from(JSON.stringify(body)).toString('base64'), publishTime: new Date(tsMs).toISOString() };
}

describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'streaming alerts with two ingest workers on the Firestore emulator (issue #15)', () => {
  const firebaseApps: App[] = [];
  let warehouse: DuckDbWarehouse;
  let pagerDuty: Awaited<ReturnType<typeof pagerDutyStandIn>>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-streaming-'));
    warehouse = await DuckDbWarehouse.open(':memory:');
    await warehouse.createSchema();
    pagerDuty = await pagerDutyStandIn();
  });
  afterAll(async () => {
    await Promise.all(firebaseApps.map((a) => deleteApp(a)));
    await warehouse.close();
    await pagerDuty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One worker: its own firebase-admin client on the shared emulator, collections under `prefix`. */
  function worker(clock: FakeClock, prefix: string): ProductionApp {
    const firebase = initializeApp({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test' }, `streaming-${randomUUID()}`);
    firebaseApps.push(firebase);
    const db = getFirestore(firebase);
    return createProductionApp({
      env: { PAGERDUTY_INTEGRATION_KEY: 'test-routing-key-0123456789abcdef', PAGERDUTY_EVENTS_URL: pagerDuty.url, OBS_ENVIRONMENT: 'test' },
      clock,
      app: () => firebase,
      openWarehouse: () => Promise.resolve(lentWarehouse(warehouse)),
      firestore: () => db,
      alertStore: () => new FirestoreAlertStore(db, prefix),
      tallyStore: () => new FirestoreTallyStore(db, { prefix }),
      outboxPath: join(dir, 'outbox.jsonl'),
      logger: silentLogger,
      metrics: NO_PIPELINE_METRICS,
    });
  }

  const triggers = () => pagerDuty.events.filter((e) => e.event_action === 'trigger' && e.payload?.summary?.includes('Wallet spend failures'));
  const resolves = () => pagerDuty.events.filter((e) => e.event_action === 'resolve');

  it('fires one page for a burst split across both workers, none more from the scheduled evaluator, and resolves on schedule', async () => {
    const clock = new FakeClock(T0);
    const prefix = `streaming_${randomUUID().slice(0, 8)}_`;
    const one = worker(clock, prefix);
    const two = worker(clock, prefix);
    const store = new FirestoreAlertStore(getFirestore(firebaseApps[0] as App), prefix);

    // The burst: 12 failures (the rule: more than 10 in 10 minutes), half through each worker,
    // while the scheduled evaluator runs (its rollups do not hold the burst yet).
    const [a, b] = await Promise.all([one.ingest(message(6, T0 - 2_000)), two.ingest(message(6, T0 - 1_000)), one.jobs.runAlerts(T0)]);
    expect(a.stored + b.stored).toBe(12);

    // Each worker's ingest returned only once its streaming work was done: the page went out.
    expect(triggers()).toHaveLength(1);
    const fired = (await store.loadInstances()).find((i) => i.ruleId === RULE);
    expect(fired).toMatchObject({ state: 'firing', firedBy: 'streaming', value: 12 });
    const streamingStats = [one.streaming()?.stats, two.streaming()?.stats];
    expect(streamingStats.map((s) => s?.tallied)).toEqual([1, 1]);

    // The scheduled path catches up: rollups, then evaluation, in both instances. No second page.
    clock.set(T0 + MINUTE);
    await one.jobs.runAggregation(clock.now());
    await Promise.all([one.jobs.runAlerts(clock.now()), two.jobs.runAlerts(clock.now())]);
    expect(triggers()).toHaveLength(1);
    expect((await store.loadInstances()).find((i) => i.ruleId === RULE)).toMatchObject({ state: 'firing', firedBy: 'streaming', value: 12 });

    // Quiet minutes: the burst leaves the 10-minute window, keep_firing_for (5 min) runs out, and
    // the scheduled evaluator resolves the alert — the streaming path never resolves.
    let resolvedAt: number | undefined;
    for (let minute = 2; minute <= 20 && resolvedAt === undefined; minute++) {
      clock.set(T0 + minute * MINUTE);
      await one.jobs.runAggregation(clock.now());
      await one.jobs.runAlerts(clock.now());
      const instance = (await store.loadInstances()).find((i) => i.ruleId === RULE);
      if (instance?.state === 'resolved') resolvedAt = instance.resolvedAtMs ?? undefined;
    }
    expect(resolvedAt).toBeGreaterThanOrEqual(T0 + 15 * MINUTE);
    expect(resolves()).toHaveLength(1);
    expect(resolves()[0]?.dedup_key).toBe(triggers()[0]?.dedup_key);
    const resolved = (await store.loadInstances()).find((i) => i.ruleId === RULE);
    expect(resolved?.updatedBy.startsWith('streaming-')).toBe(false);

    // Late events from before the resolution (recent enough to be tallied) never fire it again.
    clock.set((resolvedAt as number) + 20_000);
    await two.ingest(message(11, (resolvedAt as number) - 2_000));
    expect(two.streaming()?.stats.tallied).toBe(2);
    expect(triggers()).toHaveLength(1);
    expect((await store.loadInstances()).find((i) => i.ruleId === RULE)?.state).toBe('resolved');

    // Fresh failures after the resolution are a new episode — and a redelivered message (same
    // id, to the other worker) is tallied once: 6 + 6 redelivered is not 12.
    const fresh = message(6, clock.now() - 1_000);
    await one.ingest(fresh);
    await two.ingest(fresh);
    expect(two.streaming()?.stats.redelivered).toBe(1);
    expect(triggers()).toHaveLength(1);
    await two.ingest(message(5, clock.now() - 500));
    expect(triggers()).toHaveLength(2);
    expect((await store.loadInstances()).find((i) => i.ruleId === RULE)).toMatchObject({ state: 'firing', firedBy: 'streaming', value: 11 });
  });
});
