import express from 'express';
import type { Server } from 'node:http';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { createProductionApp } from '../../../app/production';
import { createFunctionHandlers } from '../../../functions/handlers';
import { servePost, type WebhookFunctionsRequest } from '../../../functions/webhook-adapter';
import { incidentEntry, incidentIdOf } from '../../../incidents/incident';
import { pagerDutySignature } from '../../../incidents/pagerduty-webhook';
import { WarehouseIncidentStore } from '../../../incidents/warehouse-incident-store';
import { FakeClock } from '../../../shared/clock';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);
const SECRET = 'whsec-function-test-1234';

/**
 * `pack421_pagerduty_webhook` as deployed: the production assembly's handler behind the POST
 * adapter, under Express with the raw body kept the way firebase-functions keeps it (`req.rawBody`),
 * on 127.0.0.1. The incident store is the warehouse's here (DuckDB), Firestore in production.
 */
describe('pack421_pagerduty_webhook under Express', () => {
  let app: App;
  let wh: DuckDbWarehouse;
  let store: WarehouseIncidentStore;
  let server: Server;
  let base = '';
  const id = incidentIdOf('module=wallet', NOW - 60_000);

  beforeAll(async () => {
    app = initializeApp({ projectId: 'obs-test' }, 'pagerduty-webhook-function-test');
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    store = new WarehouseIncidentStore(wh);
    await store.append([
      incidentEntry(id, 'opened', NOW - 60_000, { groupKey: 'module=wallet', module: 'wallet', severity: 'P0' }),
      incidentEntry(id, 'alert_fired', NOW - 60_000, { fingerprint: 'wallet-spend-failures-critical', ruleId: 'wallet-spend-failures-critical', severity: 'P0', name: 'Wallet spend failures', episodeStartMs: NOW - 60_000 }, 'a'),
    ]);
    const handlers = createFunctionHandlers(
      createProductionApp({ env: { OBS_ENVIRONMENT: 'test', PAGERDUTY_WEBHOOK_SECRET: SECRET }, clock: new FakeClock(NOW), app: () => app, firestore: () => undefined, incidentStore: () => store, openWarehouse: () => Promise.resolve(wh) }),
    );
    const web = express();
    // firebase-functions keeps the unparsed body as req.rawBody; the same here.
    web.use(express.raw({ type: '*/*' }), (req, res) => {
      const request = req as unknown as WebhookFunctionsRequest & { body: unknown };
      void servePost(handlers.pagerdutyWebhook, { describeError: String, log: () => undefined })({ ...request, path: req.path, method: req.method, headers: req.headers, query: req.query, rawBody: Buffer.isBuffer(request.body) ? request.body : undefined }, res);
    });
    server = web.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await wh.close();
    await deleteApp(app);
  });

  const body = JSON.stringify({ event: { id: 'ev-1', event_type: 'incident.acknowledged', resource_type: 'incident', occurred_at: new Date(NOW).toISOString(), agent: { summary: 'Dana Oncall' }, data: { id: 'P1', incident_key: 'wallet-spend-failures-critical' } } });
  const post = (signature?: string, method = 'POST') =>
    fetch(`${base}/`, { method, headers: { 'content-type': 'application/json', ...(signature ? { 'x-pagerduty-signature': signature } : {}) }, ...(method === 'POST' ? { body } : {}) });

  it('refuses a bad signature (401) and other methods (405), changing nothing', async () => {
    expect((await post(pagerDutySignature(body, 'another-secret'))).status).toBe(401);
    expect((await post(undefined, 'GET')).status).toBe(405);
    expect((await store.get(id))?.status).toBe('open');
  });

  it('acknowledges the incident from a request signed over its raw body, at the function\'s own URL', async () => {
    const response = await post(pagerDutySignature(body, SECRET));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ matched: true, incident: id, status: 'acknowledged' });
    expect((await store.get(id))?.acknowledgedBy).toBe('Dana Oncall');
  });
});
