import { PassThroughClient } from 'google-auth-library';
import { runExportJob } from '../../../exporters/export-job';
import { createGcmExporter, GCM_MAX_SERIES_PER_REQUEST } from '../../../exporters/gcm-exporter';
import { FakeClock } from '../../../shared/clock';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { event, MINUTE, openMemoryWarehouse, select } from '../../unit/aggregator/support';
import { seedMinutes, T0 } from '../../unit/exporters/support';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { GcmStandIn } from './gcm-stand-in';

const PROJECT = 'obs-gcm-test';

describe('the Cloud Monitoring exporter (@google-cloud/monitoring, REST fallback) against a local stand-in', () => {
  let wh: DuckDbWarehouse;
  let gcm: GcmStandIn;
  beforeEach(async () => {
    gcm = await new GcmStandIn(PROJECT).start();
    wh = await openMemoryWarehouse();
  });
  afterEach(async () => {
    await wh.close();
    await gcm.close();
  });

  // The client's REST fallback pointed at the stand-in: fallback mode, plain HTTP, and an auth client
  // that adds no credentials. Its gaxios gets Node's fetch: its default, a dynamic import of
  // node-fetch, needs a flag inside Jest's VM (outside Jest, in production, it works as is).
  const authClient = () => {
    const client = new PassThroughClient();
    client.transporter.defaults.fetchImplementation = fetch;
    return client;
  };
  const exporter = () => createGcmExporter({ projectId: PROJECT, clientOptions: { fallback: true, apiEndpoint: '127.0.0.1', port: gcm.port, protocol: 'http', authClient: authClient() } as never, requestsPerSecond: 1000 });

  it('writes each closed minute as custom metrics, counts as per-minute cumulative points, descriptors created once', async () => {
    const now = T0 + 5 * MINUTE;
    await seedMinutes(wh, 3, now);
    const ex = exporter();
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [ex], { nowMs: now, clock, startAtMs: T0 });
    await ex.close?.();
    expect(result.exporters[0]).toMatchObject({ minutes: 3, deadLettered: 0, error: null });
    expect(gcm.timeSeries.flatMap((r) => r.problems)).toEqual([]);
    expect(gcm.timeSeries).toHaveLength(3);
    // Nine metrics (a count, a gauge, seven timing series), each described once for the three minutes.
    expect(gcm.descriptorRequests).toHaveLength(9);
    expect(new Set(gcm.descriptorRequests).size).toBe(9);
    const count = gcm.timeSeries[0]!.series.find((s) => s.metric.type === 'custom.googleapis.com/product/wallet/spend/success');
    expect(count).toMatchObject({ metricKind: 'CUMULATIVE', valueType: 'DOUBLE', metric: { labels: { feature: 'chat' } }, points: [{ interval: { startTime: { seconds: T0 / 1000 }, endTime: { seconds: T0 / 1000 + 60 } }, value: { doubleValue: 3 } }] });
    const gauge = gcm.timeSeries[1]!.series.find((s) => s.metric.type === 'custom.googleapis.com/infra/pipeline/alerts/retry_waiting');
    expect(gauge).toMatchObject({ metricKind: 'GAUGE', points: [{ value: { doubleValue: 1.5 } }] });
    expect(gcm.descriptors.get('custom.googleapis.com/infra/pipeline/rollup/duration_ms/p99')).toMatchObject({ metricKind: 'GAUGE', valueType: 'DOUBLE' });
  });

  it('declares every label a metric may carry when it creates the descriptor: a later overflow series is accepted', async () => {
    const now = T0 + 4 * MINUTE;
    await wh.insertEvents([
      event('product.wallet.spend.success', 'count', 1, T0 + 1_000, { feature: 'chat' }),
      event('product.wallet.spend.success', 'count', 2, T0 + MINUTE + 1_000, { overflow: 'true' }),
      event('product.wallet.spend.success', 'count', 1, T0 + MINUTE + 2_000, { feature: 'gift', region: 'eu' }),
    ]);
    await runRollupJob(wh, { nowMs: now });
    const ex = exporter();
    const result = await runExportJob(wh, [ex], { nowMs: now, clock: new FakeClock(now), startAtMs: T0 });
    await ex.close?.();
    expect(gcm.timeSeries.flatMap((r) => r.problems)).toEqual([]);
    expect(result.exporters[0]).toMatchObject({ minutes: 2, deadLettered: 0, error: null });
    expect(gcm.descriptorRequests).toEqual(['custom.googleapis.com/product/wallet/spend/success']);
  });

  it('sends at most 200 series per request, one point each', async () => {
    const now = T0 + 3 * MINUTE;
    const rows = Array.from({ length: 450 }, (_, i) => event('product.wallet.spend.success', 'count', 1, T0 + 1_000, { feature: `f${i}` }));
    await wh.insertEvents(rows);
    await runRollupJob(wh, { nowMs: now });
    const ex = exporter();
    await runExportJob(wh, [ex], { nowMs: now, clock: new FakeClock(now), startAtMs: T0 });
    await ex.close?.();
    expect(gcm.timeSeries.map((r) => r.series.length)).toEqual([GCM_MAX_SERIES_PER_REQUEST, GCM_MAX_SERIES_PER_REQUEST, 50]);
    expect(gcm.timeSeries.flatMap((r) => r.problems)).toEqual([]);
  });

  it('retries 429 and 503, and dead-letters a 400 with the API\'s message', async () => {
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 2, now);
    gcm.answer({ status: 429, message: 'Quota exceeded', grpcStatus: 'RESOURCE_EXHAUSTED' }, { status: 503, message: 'The service is currently unavailable', grpcStatus: 'UNAVAILABLE' }, { status: 400, message: 'One or more TimeSeries could not be written: Field timeSeries[0].points[0].interval.end_time had an invalid value', grpcStatus: 'INVALID_ARGUMENT' });
    const ex = exporter();
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [ex], { nowMs: now, clock, startAtMs: T0 });
    await ex.close?.();
    expect(gcm.timeSeries.map((r) => r.status)).toEqual([429, 503, 400, 200]);
    expect(result.exporters[0]).toMatchObject({ minutes: 2, retries: 2, deadLettered: 1, error: null });
    const rows = await select(wh, `SELECT reason_codes, CAST(reasons AS VARCHAR) AS reasons FROM {{dead_letters}} WHERE scope = 'export'`);
    expect(rows).toEqual([{ reason_codes: 'export_gcp_400', reasons: expect.stringContaining('interval.end_time had an invalid value') as unknown }]);
  });
});
