import { FakeClock } from '../../../shared/clock';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { HttpsError } from 'firebase-functions/v2/https';
import { createFunctionHandlers } from '../../../functions/handlers';
import { createProductionApp } from '../../../app/production';
import { requestFrom } from '../../../http/http';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../../../sql/warehouse';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const KEY = 'internal-key-for-tests';

describe('the HTTP and callable functions, wired to one instance', () => {
  let app: App;
  let opened: Warehouse[];
  let openWarehouse: jest.Mock<Promise<Warehouse>, []>;

  beforeAll(() => {
    app = initializeApp({ projectId: 'obs-test' }, 'function-handlers-test');
  });
  afterAll(() => deleteApp(app));
  beforeEach(() => {
    opened = [];
    openWarehouse = jest.fn(async () => {
      const wh = await DuckDbWarehouse.open(':memory:');
      await wh.createSchema();
      opened.push(wh);
      return wh;
    });
  });
  afterEach(async () => {
    for (const wh of opened) await wh.close();
  });

  const handlers = (env: Record<string, string> = {}, open: () => Promise<Warehouse> = openWarehouse) =>
    createFunctionHandlers(createProductionApp({ env: { OBS_ENVIRONMENT: 'test', INTERNAL_HEALTH_API_KEY: KEY, ...env }, clock: new FakeClock(NOW), app: () => app, firestore: () => undefined, openWarehouse: open }));

  it('public health answers 200 without opening the warehouse', async () => {
    const response = await handlers().publicHealth(requestFrom('/'));
    expect(response?.status).toBe(200);
    expect(JSON.parse(response!.body)).toMatchObject({ status: 'ok', environment: 'test', timestamp: NOW });
    expect(openWarehouse).not.toHaveBeenCalled();
  });

  it('internal health refuses a request without the key before opening anything', async () => {
    const response = await handlers().internalHealth(requestFrom('/'));
    expect(response?.status).toBe(401);
    expect(openWarehouse).not.toHaveBeenCalled();
  });

  it('internal health reports the nine components, in order, from one warehouse opened once', async () => {
    const h = handlers();
    await h.internalHealth(requestFrom('/', { 'x-internal-key': KEY }));
    const response = await h.internalHealth(requestFrom('/', { 'x-internal-key': KEY }));
    const body = JSON.parse(response!.body) as { components: Array<{ name: string; status: string }> };
    expect(body.components.map((c) => [c.name, c.status])).toEqual([
      ['warehouse', 'ok'],
      ['pubsub', 'skipped'],
      ['firestore', 'skipped'],
      ['ingest_lag', 'degraded'],
      ['aggregator', 'degraded'],
      ['alert_evaluator', 'degraded'],
      ['exporters', 'skipped'],
      ['channels', 'ok'],
      ['environment', 'ok'],
    ]);
    expect(openWarehouse).toHaveBeenCalledTimes(1);
  });

  it('internal health answers 503 with the warehouse in error when it cannot be opened, and tries again next time', async () => {
    const failing = jest.fn(() => Promise.reject(new Error('Could not set lock on file')));
    const h = handlers({}, failing);
    const response = await h.internalHealth(requestFrom('/', { 'x-internal-key': KEY }));
    expect(response?.status).toBe(503);
    const body = JSON.parse(response!.body) as { components: Array<{ name: string; status: string; detail?: string }> };
    expect(body.components.find((c) => c.name === 'warehouse')).toMatchObject({ status: 'error', detail: 'Could not set lock on file' });
    await h.internalHealth(requestFrom('/', { 'x-internal-key': KEY }));
    expect(failing.mock.calls.length).toBeGreaterThan(1);
  });

  it('the feature matrix and the dashboard API answer 401 without a token, and the page is served, all without opening the warehouse', async () => {
    const h = handlers();
    expect((await h.featureMatrix(requestFrom('/')))?.status).toBe(401);
    expect((await h.dashboard(requestFrom('/api/dashboard')))?.status).toBe(401);
    const page = await h.dashboard(requestFrom('/admin/observability'));
    expect(page?.status).toBe(200);
    expect(page?.headers['content-type']).toContain('text/html');
    expect(await h.dashboard(requestFrom('/elsewhere'))).toBeUndefined();
    expect(openWarehouse).not.toHaveBeenCalled();
  });

  const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (e: unknown) => (e instanceof HttpsError ? e.code : `not an HttpsError: ${String(e)}`));

  it('the callable refuses a caller who is not signed in (unauthenticated) or not an admin (permission-denied)', async () => {
    const h = handlers();
    expect(await code(h.featureMatrixCall(undefined))).toBe('unauthenticated');
    expect(await code(h.featureMatrixCall({ uid: 'u1', token: { admin: false } }))).toBe('permission-denied');
    expect(openWarehouse).not.toHaveBeenCalled();
  });

  it('the callable returns the feature matrix to an admin', async () => {
    const matrix = await handlers().featureMatrixCall({ uid: 'u1', token: { admin: true } });
    expect(matrix.timestamp).toBe(NOW);
    expect(matrix.features.wallet.readiness).toBe('no_data');
  });
});
