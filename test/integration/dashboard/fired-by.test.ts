import type { Server } from 'node:http';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import type { DashboardData } from '../../../dashboard/dashboard-data';
import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { activeAlertsFromStore } from '../../../health/alert-store-source';
import { localTokenVerifier } from '../../../http/admin-auth';
import { loadConfig } from '../../../shared';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { FIRED_BY_CASES, fireThroughEvaluators } from '../../support/fired-by-instances';

const TOKEN = 'fired-by-dashboard-token';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

/**
 * GET /api/dashboard says which path fired each alert (issue #15): alerts fired by the scheduled
 * and the streaming evaluator's runs (the lifecycle, the alert store and alert_log as they run),
 * read back through the store's active-alerts source as the local stack and production wire it.
 */
describe('GET /api/dashboard: which path fired each alert', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let data: DashboardData;

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    await fireThroughEvaluators(wh, NOW);
    const routes = createHttpRoutes({
      verify: localTokenVerifier(TOKEN),
      clock: () => NOW,
      sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, alerts: activeAlertsFromStore(new WarehouseAlertStore(wh)), probes: [] },
    });
    server = createHttpServer(routes);
    const port = await listen(server, 0);
    const response = await fetch(`http://127.0.0.1:${port}/api/dashboard`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    data = (await response.json()) as DashboardData;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  it('active alerts: firedBy streaming or scheduled for the firing ones, null for the pending one', () => {
    expect(Object.fromEntries(data.alerts.map((a) => [a.fingerprint, [a.state, a.firedBy]]))).toEqual({
      [FIRED_BY_CASES.streaming]: ['firing', 'streaming'],
      [FIRED_BY_CASES.scheduled]: ['firing', 'scheduled'],
      [FIRED_BY_CASES.pending]: ['pending', null],
    });
  });

  it('recent alerts: each firing episode of the last 24 hours with the path that fired it', () => {
    expect(data.recentAlerts.map((a) => [a.fingerprint, a.state, a.firedAtMs, a.firedBy])).toEqual([
      [FIRED_BY_CASES.streaming, 'firing', NOW - 2 * 60_000, 'streaming'],
      [FIRED_BY_CASES.scheduled, 'firing', NOW - 3 * 60_000, 'scheduled'],
    ]);
  });
});
