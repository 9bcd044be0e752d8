import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import type { DashboardData } from '../../../dashboard/dashboard-data';
import type { AlertStore } from '../../../alerts/state/alert-store';
import { FirestoreAlertStore } from '../../../alerts/state/firestore-alert-store';
import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { activeAlertsFromStore } from '../../../health/alert-store-source';
import { localTokenVerifier } from '../../../http/admin-auth';
import { loadConfig } from '../../../shared';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';
import { FIRED_BY_CASES, fireThroughEvaluators } from '../../support/fired-by-instances';

const TOKEN = 'fired-by-dashboard-token';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

/**
 * GET /api/dashboard says which path fired each alert (issue #15): alerts fired by the scheduled
 * and the streaming evaluator's runs (the lifecycle, the alert store and alert_log as they run),
 * read back through the store's active-alerts source as the local stack and production wire it:
 * the alert state in the warehouse (local), and in Firestore (production, on the emulator).
 */
function dashboardSays(storeName: string, openStore: (wh: DuckDbWarehouse) => Promise<{ store: AlertStore; close(): Promise<void> }>): void {
  describe(`GET /api/dashboard: which path fired each alert (alert state in ${storeName})`, () => {
    let wh: DuckDbWarehouse;
    let server: Server;
    let closeStore: () => Promise<void> = () => Promise.resolve();
    let data: DashboardData;

    beforeAll(async () => {
      wh = await DuckDbWarehouse.open(':memory:');
      await wh.createSchema();
      const { store, close } = await openStore(wh);
      closeStore = close;
      await fireThroughEvaluators(wh, NOW, store);
      const routes = createHttpRoutes({
        verify: localTokenVerifier(TOKEN),
        clock: () => NOW,
        sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, alerts: activeAlertsFromStore(store), probes: [] },
      });
      server = createHttpServer(routes);
      const port = await listen(server, 0);
      const response = await fetch(`http://127.0.0.1:${port}/api/dashboard`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      data = (await response.json()) as DashboardData;
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      await closeStore();
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
}

dashboardSays('the warehouse', (wh) => Promise.resolve({ store: new WarehouseAlertStore(wh), close: () => Promise.resolve() }));

describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'the production alert store', () => {
  dashboardSays('Firestore', () => {
    const app: App = initializeApp({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test' }, `fired-by-${randomUUID()}`);
    return Promise.resolve({ store: new FirestoreAlertStore(getFirestore(app), `fired_by_${randomUUID().slice(0, 8)}_`), close: () => deleteApp(app) });
  });
});
