import { getAuth } from 'firebase-admin/auth';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { firebaseTokenVerifier, localTokenVerifier, type TokenVerifier } from '../../../http/admin-auth';
import { createFeatureMatrixHandler } from '../../../health/feature-matrix-handler';
import { requestFrom } from '../../../http/http';
import type { ActiveAlert } from '../../../health/live-signals';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const LOCAL = 'local-admin-token-3f9c';

async function seededWarehouse(): Promise<DuckDbWarehouse> {
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
  // Every module sent a metric two minutes ago, except growth, which has been silent for an hour.
  const names = ['infra.http.request.count', 'product.wallet.spend.success', 'product.chat.message.count', 'product.call.started.count', 'product.event.created.count', 'product.ai.interaction.count', 'product.safety.report.created.count', 'product.support.ticket.created', 'product.data_rights.request.count', 'product.fraud.detection.count', 'product.audit.log.written.count'];
  await wh.upsert('metric_rollups', [
    ...names.map((name) => ({ name, series_key: '', tags: '{}', kind: 'count', window_start: minute(NOW - 120_000), window_seconds: 60, event_count: 3, value_sum: 3, updated_at: NOW })),
    { name: 'product.growth.signup.count', series_key: '', tags: '{}', kind: 'count', window_start: minute(NOW - 3_600_000), window_seconds: 60, event_count: 1, value_sum: 1, updated_at: NOW },
  ]);
  await wh.upsert('slo_status', [
    { slo_id: 'call-connection', computed_at: NOW - 60_000, objective: 0.98, window_days: 30, good_events: 10, total_events: 100, attainment: 0.1, budget_allowed: 2, budget_consumed: 90, budget_remaining: -44, status: 'exhausted', burn_rates: '{}' },
    { slo_id: 'wallet-spend-success', computed_at: NOW - 60_000, objective: 0.9995, window_days: 30, good_events: 1000, total_events: 1000, attainment: 1, budget_allowed: 0.5, budget_consumed: 0, budget_remaining: 1, status: 'ok', burn_rates: '{"5m":0}' },
  ]);
  return wh;
}

describe('GET /health/feature-matrix', () => {
  let wh: DuckDbWarehouse;
  let app: App;
  const firing: ActiveAlert = { fingerprint: 'f1', ruleId: 'wallet-spend-failures-critical', module: 'wallet', severity: 'P0', state: 'firing', sinceMs: NOW - 300_000, summary: 's', runbook: 'r' };
  const mild: ActiveAlert = { ...firing, fingerprint: 'f2', ruleId: 'support-ticket-spike-medium', module: 'support', severity: 'P2' };

  beforeAll(async () => {
    wh = await seededWarehouse();
    app = initializeApp({ projectId: 'obs-test' }, 'feature-matrix-test');
  });
  afterAll(async () => {
    await wh.close();
    await deleteApp(app);
  });

  const handler = (verify: TokenVerifier, alerts: ActiveAlert[] = [firing, mild]) =>
    createFeatureMatrixHandler({ warehouse: wh, verify, alerts: () => Promise.resolve(alerts), clock: () => NOW });

  it('answers 401 without a token', async () => {
    const response = await handler(localTokenVerifier(LOCAL))(requestFrom('/health/feature-matrix'));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 401 to a malformed token, checked by firebase-admin', async () => {
    const verify = localTokenVerifier(LOCAL, firebaseTokenVerifier(getAuth(app)));
    const response = await handler(verify)(requestFrom('/health/feature-matrix', { authorization: 'Bearer not.a.jwt' }));
    expect(response.status).toBe(401);
    expect(response.body).not.toContain('not.a.jwt');
  });

  it('answers 401 to a Basic authorization header', async () => {
    const response = await handler(localTokenVerifier(LOCAL))(requestFrom('/health/feature-matrix', { authorization: `Basic ${LOCAL}` }));
    expect(response.status).toBe(401);
  });

  it('answers 403 to a valid token without the admin claim', async () => {
    const nonAdmin: TokenVerifier = () => Promise.resolve({ uid: 'u1', admin: false });
    const response = await handler(nonAdmin)(requestFrom('/health/feature-matrix', { authorization: 'Bearer anything' }));
    expect(response.status).toBe(403);
  });

  it('derives each module from live data for an admin', async () => {
    const response = await handler(localTokenVerifier(LOCAL))(requestFrom('/health/feature-matrix', { authorization: `Bearer ${LOCAL}` }));
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body);
    expect(Object.keys(body.features)).toHaveLength(12);
    expect(body.features.wallet).toMatchObject({ ready: false, readiness: 'not_ready', status: 'Not ready: P0 wallet-spend-failures-critical firing' });
    expect(body.features.calls).toMatchObject({ ready: false, readiness: 'not_ready', reasons: ['SLO call-connection error budget exhausted'] });
    expect(body.features.growth).toMatchObject({ ready: false, readiness: 'no_data' });
    expect(body.features.support).toMatchObject({ ready: true, readiness: 'degraded' });
    expect(body.features.chat).toMatchObject({ ready: true, readiness: 'ready', status: 'Operational', packs: expect.arrayContaining(['273']) });
    expect(body.overallReady).toBe(false);
    expect(body.timestamp).toBe(NOW);
  });

  it('is overall ready when nothing fires, no budget is exhausted and every module reports', async () => {
    await wh.upsert('metric_rollups', [{ name: 'product.growth.signup.count', series_key: '', tags: '{}', kind: 'count', window_start: NOW - 120_000, window_seconds: 60, event_count: 1, value_sum: 1, updated_at: NOW }]);
    await wh.upsert('slo_status', [{ slo_id: 'call-connection', computed_at: NOW - 30_000, objective: 0.98, window_days: 30, good_events: 99, total_events: 100, attainment: 0.99, budget_allowed: 2, budget_consumed: 1, budget_remaining: 0.5, status: 'ok', burn_rates: '{}' }]);
    const response = await handler(localTokenVerifier(LOCAL), [])(requestFrom('/health/feature-matrix', { authorization: `Bearer ${LOCAL}` }));
    expect(JSON.parse(response.body).overallReady).toBe(true);
  });
});
