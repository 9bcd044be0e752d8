import { runExportJob } from '../../../exporters/export-job';
import { exportersProbe, readExportHealth } from '../../../exporters/export-health';
import { FakeClock } from '../../../shared/clock';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { MINUTE, openMemoryWarehouse } from '../aggregator/support';
import { RecordingExporter, seedMinutes, T0 } from './support';

describe('export health (exporters/export-health.ts): /health/internal\'s `exporters` component', () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await openMemoryWarehouse();
  });
  afterEach(() => wh.close());

  it('is skipped without exporters', async () => {
    expect(await exportersProbe([], wh, () => T0)()).toEqual({ status: 'skipped', detail: 'no exporter configured (OBSERVABILITY_PROVIDER / OBS_EXPORTERS)' });
  });

  it('reports per exporter the newest minute sent, the lag and the last error; degraded on an error, error when far behind', async () => {
    const now = T0 + 5 * MINUTE;
    await seedMinutes(wh, 3, now);
    const ok = new RecordingExporter('datadog', 100);
    const failing = new RecordingExporter('gcp', 100);
    for (let i = 0; i < 5; i++) failing.script.push({ outcome: 'retry', status: 503, reason: 'Cloud Monitoring answered 503: unavailable' });
    await runExportJob(wh, [ok, failing], { nowMs: now, clock: new FakeClock(now), startAtMs: T0 });

    const health = await readExportHealth(wh, ['datadog', 'gcp', 'prometheus'], now);
    expect(health).toEqual([
      { exporter: 'datadog', lastMinuteMs: T0 + 2 * MINUTE, lagMs: 2 * MINUTE, lastError: null, lastErrorAtMs: null, deadLettered: 0, lastRunMs: now },
      { exporter: 'gcp', lastMinuteMs: null, lagMs: null, lastError: expect.stringContaining('503: unavailable') as unknown, lastErrorAtMs: now, deadLettered: 0, lastRunMs: now },
      { exporter: 'prometheus', lastMinuteMs: null, lagMs: null, lastError: null, lastErrorAtMs: null, deadLettered: 0, lastRunMs: null },
    ]);
    const probe = await exportersProbe(['datadog', 'gcp'], wh, () => now)();
    expect(probe.status).toBe('degraded');
    expect(probe.detail).toBe('datadog: through 2026-11-27T10:02Z, lag 2.0 min; gcp: nothing exported yet, last error: ' + health[1]!.lastError!.slice(0, 300));
    // Twenty minutes later without a run, datadog's lag is past the 15-minute limit.
    expect((await exportersProbe(['datadog'], wh, () => now + 20 * MINUTE)()).status).toBe('error');
  });
});
