import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { createProductionApp } from '../../../app/production';
import { createFunctionHandlers } from '../../../functions/handlers';
import { requestFrom } from '../../../http/http';
import { FakeClock } from '../../../shared/clock';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../../../sql/warehouse';

/**
 * The release gate in production: GET /api/slo/gate is served by the `pack421_dashboard`
 * function's handler (functions/handlers.ts), beside the dashboard, with OBS_GATE_TOKEN from its
 * bound secret. DuckDB stands in for BigQuery (the same queries, the other dialect).
 */
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const GATE_TOKEN = 'production-gate-token-0123456789';

describe('pack421_dashboard serves the release gate', () => {
  let app: App;
  const opened: Warehouse[] = [];
  beforeAll(() => {
    app = initializeApp({ projectId: 'obs-test' }, 'gate-function-test');
  });
  afterAll(async () => {
    await deleteApp(app);
    for (const wh of opened) await wh.close();
  });

  const handlers = (env: Record<string, string>) =>
    createFunctionHandlers(
      createProductionApp({
        env: { OBS_ENVIRONMENT: 'test', ...env },
        clock: new FakeClock(NOW),
        app: () => app,
        firestore: () => undefined,
        openWarehouse: async () => {
          const wh = await DuckDbWarehouse.open(':memory:');
          await wh.createSchema();
          opened.push(wh);
          return wh;
        },
      }),
    );

  it('answers the gate token, refuses no token and a wrong one, and still serves the dashboard page', async () => {
    const h = handlers({ OBS_GATE_TOKEN: GATE_TOKEN });
    const allowed = await h.dashboard(requestFrom('/api/slo/gate?module=wallet', { authorization: `Bearer ${GATE_TOKEN}` }));
    expect(allowed?.status).toBe(200);
    expect(JSON.parse(allowed!.body)).toMatchObject({ module: 'wallet', decision: 'allow', slos: [{ id: 'wallet-spend-success', budgetRemaining: null, status: 'no_data' }] });
    expect((await h.dashboard(requestFrom('/api/slo/gate?module=wallet')))?.status).toBe(401);
    expect((await h.dashboard(requestFrom('/api/slo/gate?module=wallet', { authorization: 'Bearer wrong-token-000000000000' })))?.status).toBe(401);
    expect((await h.dashboard(requestFrom('/admin/observability')))?.status).toBe(200);
    expect(await h.dashboard(requestFrom('/elsewhere'))).toBeUndefined();
  });

  it('without OBS_GATE_TOKEN the route takes admins only', async () => {
    const response = await handlers({}).dashboard(requestFrom('/api/slo/gate?module=wallet', { authorization: `Bearer ${GATE_TOKEN}` }));
    expect(response?.status).toBe(401);
  });
});
