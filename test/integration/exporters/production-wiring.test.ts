import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { createProductionApp } from '../../../app/production';
import { NO_PIPELINE_METRICS } from '../../../app/pipeline-metrics';
import { createFunctionHandlers } from '../../../functions/handlers';
import { requestFrom } from '../../../http/http';
import { FakeClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logger';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { MINUTE, openMemoryWarehouse } from '../../unit/aggregator/support';
import { seedMinutes, T0 } from '../../unit/exporters/support';

const KEY = 'wiring-internal-key-0123';
const NOW = T0 + 5 * MINUTE;

/**
 * The production assembly as index.ts uses it (`pack421_export_metrics` calls app.jobs.runExports,
 * `pack421_metrics` the metrics handler, `pack421_health_internal` the probes), configured only
 * through the environment: OBSERVABILITY_PROVIDER=prometheus and PROMETHEUS_PUSHGATEWAY_URL.
 */
describe('the exporters in the production assembly (app/production.ts, functions/handlers.ts)', () => {
  let firebase: App;
  let wh: DuckDbWarehouse;
  let server: Server;
  let pushgateway = '';
  const pushes: string[] = [];
  beforeAll(async () => {
    firebase = initializeApp({ projectId: 'obs-test' }, 'exporter-wiring-test');
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        pushes.push(`${req.method} ${req.url}\n${body}`);
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pushgateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await deleteApp(firebase);
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(async () => {
    pushes.length = 0;
    wh = await openMemoryWarehouse();
    await seedMinutes(wh, 3, NOW);
  });
  afterEach(() => wh.close());

  const production = (env: Record<string, string>) =>
    createProductionApp({
      env: { OBS_ENVIRONMENT: 'test', INTERNAL_HEALTH_API_KEY: KEY, ...env },
      clock: new FakeClock(NOW),
      app: () => firebase,
      firestore: () => undefined,
      openWarehouse: () => Promise.resolve(wh),
      metrics: NO_PIPELINE_METRICS,
      logger: silentLogger,
    });

  it('OBSERVABILITY_PROVIDER=prometheus: the scheduled run pushes the closed minutes, /metrics and /health/internal report them', async () => {
    const app = production({ OBSERVABILITY_PROVIDER: 'prometheus', PROMETHEUS_PUSHGATEWAY_URL: pushgateway });
    expect(app.config().provider).toBe('pubsub');
    const result = await app.jobs.runExports(NOW);
    // A first cursor starts 10 minutes back: 09:53–10:02 are closed at 10:05 (three minutes with traffic).
    expect(result.exporters[0]).toMatchObject({ exporter: 'prometheus', lastMinuteMs: T0 + 2 * MINUTE, error: null });
    expect(pushes.at(-1)).toMatch(/^PUT \/metrics\/job\/obs_pipeline\n[\s\S]*product_wallet_spend_success_total\{feature="chat"\} 9\n/);

    const handlers = createFunctionHandlers(app);
    const page = await handlers.metrics(requestFrom('/', { authorization: `Bearer ${KEY}` }));
    expect(page?.status).toBe(200);
    expect(page?.body).toContain('product_wallet_spend_success_total{feature="chat"} 9\n');
    const health = await handlers.internalHealth(requestFrom('/', { 'x-internal-key': KEY }));
    const exporters = (JSON.parse(health!.body) as { components: Array<{ name: string; status: string; detail: string }> }).components.find((c) => c.name === 'exporters');
    expect(exporters).toMatchObject({ status: 'ok', detail: 'prometheus: through 2026-11-27T10:02Z, lag 2.0 min' });
  });

  it('a missing exporter variable fails the export run with an error naming it, and nothing else', async () => {
    const app = production({ OBSERVABILITY_PROVIDER: 'datadog' });
    await expect(app.jobs.runExports(NOW)).rejects.toThrow(/DD_API_KEY/);
    await expect(app.jobs.runRollups(NOW)).resolves.toMatchObject({ job: 'rollup' });
  });

  it('without exporters the scheduled run does nothing', async () => {
    const app = production({ OBSERVABILITY_PROVIDER: 'pubsub' });
    await expect(app.jobs.runExports(NOW)).resolves.toEqual({ nowMs: NOW, closedUptoMs: 0, exporters: [], durationMs: 0 });
    expect(pushes).toEqual([]);
  });
});
