import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { createProductionApp } from '../../../app/production';
import { FirestoreAlertStore } from '../../../alerts/state/firestore-alert-store';
import { silentLogger } from '../../../shared/logger';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { describeWithEmulator } from '../../support/emulator-env';
import { countRollup, MIN, T0 } from './support/alert-env';

/**
 * The handler behind the every-minute schedule, wired as in production — alert state in
 * Firestore (the emulator), rollups and alert_log in the warehouse — run twice at two schedule
 * times: it fires, then it stays quiet.
 */
describeWithEmulator('FIRESTORE_EMULATOR_HOST', 'the scheduled alert evaluation (Firestore state)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-alerts-scheduled-'));
  let app_: App;
  let warehouse: DuckDbWarehouse;
  const saved = { ...process.env };

  beforeAll(async () => {
    for (const name of ['SLACK_ONCALL_WEBHOOK', 'SLACK_SAFETY_WEBHOOK', 'PAGERDUTY_INTEGRATION_KEY', 'SMTP_URL', 'OPS_EMAIL', 'FINANCE_EMAIL', 'OBS_WAREHOUSE']) delete process.env[name];
    app_ = initializeApp({ projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'obs-test' }, `scheduled-${randomUUID()}`);
    warehouse = await DuckDbWarehouse.open(':memory:');
    await warehouse.createSchema();
    await warehouse.upsert('metric_rollups', [1, 2, 3].map((m) => countRollup('product.call.failed.count', { reason: 'ice_failed' }, T0 - m * MIN, 6)));
  });
  afterAll(async () => {
    process.env = saved;
    await warehouse.close();
    await deleteApp(app_);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires the P0 call-failures rule once and records its state in Firestore', async () => {
    const store = new FirestoreAlertStore(getFirestore(app_), `sched_${randomUUID().slice(0, 8)}_`);
    const deps = { outboxPath: join(dir, 'outbox.jsonl') };
    const app = createProductionApp({ openWarehouse: () => Promise.resolve(warehouse), alertStore: () => store, outboxPath: deps.outboxPath, app: () => app_, logger: silentLogger });
    const runScheduledAlertEvaluation = (_: unknown, nowMs: number) => app.jobs.runAlerts(nowMs);
    const first = await runScheduledAlertEvaluation(deps, T0);
    expect(first.transitions.map((t) => [t.fingerprint, t.to])).toEqual([['call-failures-critical', 'firing']]);
    expect(first.deliveries.map((d) => d.channel).sort()).toEqual(['oncall-slack', 'pagerduty']);
    const second = await runScheduledAlertEvaluation(deps, T0 + MIN);
    expect([second.transitions, second.deliveries]).toEqual([[], []]);
    expect((await store.loadInstances()).map((i) => [i.fingerprint, i.state, i.value])).toEqual([['call-failures-critical', 'firing', 18]]);
    expect(readFileSync(deps.outboxPath, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
