import { PubSub } from '@google-cloud/pubsub';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { createServer, type Server, type Socket } from 'node:net';
import { firestoreProbe, ingestLagProbe, jobFreshnessProbe, pubsubTopicProbe, warehouseHealthProbe } from '../../../health/component-probes';
import { requestFrom } from '../../../http/http';
import { createInternalHealthHandler } from '../../../health/internal-health';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';

const KEY = 'k-integration-7c2d';
const withKey = requestFrom('/health/internal', { 'x-internal-key': KEY });

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'GET /health/internal against the real emulators', (pubsubHost) => {
  describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'with Firestore', () => {
    let wh: DuckDbWarehouse;
    let app: App;
    const topic = `metrics-events-health-${Date.now()}`;
    const pubsubConfig = () => ({ provider: 'pubsub' as const, pubsubEmulatorHost: pubsubHost, projectId: 'obs-test', metricsTopic: topic });

    beforeAll(async () => {
      wh = await DuckDbWarehouse.open(':memory:');
      await wh.createSchema();
      const pubsub = new PubSub({ projectId: 'obs-test', apiEndpoint: pubsubHost });
      await pubsub.createTopic(topic);
      await pubsub.close();
      app = initializeApp({ projectId: 'obs-test' }, 'internal-health-it');
    });
    afterAll(async () => {
      await wh.close();
      await deleteApp(app);
    });

    it('reports the Pub/Sub topic, a Firestore read/write, the warehouse and fresh ingest as ok', async () => {
      const now = Date.now();
      const probes = {
        pubsub: pubsubTopicProbe(pubsubConfig()),
        firestore: firestoreProbe(getFirestore(app), Date.now),
      };
      // A probe keeps its client; the first call pays for connecting to a cold emulator (seconds
      // on a loaded two-core machine), as the first health check after a deploy would. Warm up.
      await Promise.all([probes.pubsub(), probes.firestore()]);
      await wh.insertEvents([{ event_id: 'e1', name: 'infra.http.request.count', kind: 'count', value: 1, event_ts_ms: now - 30_000, ingest_ts_ms: now - 20_000, series_key: '', tags: '{}', service: 'api', environment: 'test', message_id: null }]);
      await wh.upsert('job_state', [{ job: 'rollup', last_run_at: now - 30_000, watermark: now - 40_000 }]);
      const handler = createInternalHealthHandler({
        config: { internalHealthApiKey: KEY, environment: 'test' },
        probes: [
          { name: 'warehouse', probe: warehouseHealthProbe(wh) },
          { name: 'pubsub', probe: probes.pubsub },
          { name: 'firestore', probe: probes.firestore },
          { name: 'ingest_lag', probe: ingestLagProbe(wh, Date.now) },
          { name: 'aggregator', probe: jobFreshnessProbe(wh, Date.now, (job) => !job.startsWith('alert'), 'aggregator') },
        ],
      });
      const response = await handler(withKey);
      const body = JSON.parse(response.body);
      expect(body.components.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
        ['warehouse', 'ok'],
        ['pubsub', 'ok'],
        ['firestore', 'ok'],
        ['ingest_lag', 'ok'],
        ['aggregator', 'ok'],
      ]);
      expect(response.status).toBe(200);
      expect(body.status).toBe('ok');
    });

    it('reports a missing topic as an error and answers 503', async () => {
      const handler = createInternalHealthHandler({
        config: { internalHealthApiKey: KEY, environment: 'test' },
        probes: [{ name: 'pubsub', probe: pubsubTopicProbe({ ...pubsubConfig(), metricsTopic: 'no-such-topic' }) }],
      });
      const response = await handler(withKey);
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body).components[0]).toMatchObject({ status: 'error', detail: 'topic no-such-topic does not exist' });
    });
  });
});

describe('GET /health/internal with a dependency that accepts connections and never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let hungHost = '';

  beforeAll(async () => {
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    hungHost = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reports the hung Pub/Sub as an error within 2 seconds instead of hanging', async () => {
    {
      const handler = createInternalHealthHandler({
        config: { internalHealthApiKey: KEY, environment: 'test' },
        probes: [{ name: 'pubsub', probe: pubsubTopicProbe({ provider: 'pubsub', pubsubEmulatorHost: hungHost, projectId: 'obs-test', metricsTopic: 'metrics-events' }) }],
      });
      const started = Date.now();
      const response = await handler(withKey);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body).components[0]).toMatchObject({ name: 'pubsub', status: 'error' });
    }
  });
});
