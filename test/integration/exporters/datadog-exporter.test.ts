import { v2 } from '@datadog/datadog-api-client';
import { createDatadogExporter, datadogConfiguration } from '../../../exporters/datadog-exporter';
import { runExportJob } from '../../../exporters/export-job';
import { FakeClock } from '../../../shared/clock';
import { createRedactor } from '../../../shared/redaction';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { HttpStandIn } from '../alerts/support/http-stand-in';
import { MINUTE, openMemoryWarehouse, select } from '../../unit/aggregator/support';
import { seedMinutes, T0 } from '../../unit/exporters/support';

const API_KEY = 'dd-test-key-0123456789';

/** What Datadog's intake would refuse, checked with the official client's own models and serializer. */
function validatePayload(body: unknown): string[] {
  const problems: string[] = [];
  let payload: v2.MetricPayload;
  try {
    payload = v2.ObjectSerializer.deserialize(body, 'MetricPayload', '') as v2.MetricPayload;
  } catch (error) {
    return [`not a MetricPayload: ${(error as Error).message}`];
  }
  if (!Array.isArray(payload.series) || payload.series.length === 0) problems.push('no series');
  for (const series of payload.series ?? []) {
    if (series._unparsed) problems.push(`series ${series.metric} has fields the client cannot parse`);
    if (typeof series.metric !== 'string' || series.metric === '') problems.push('a series without a metric name');
    if (![0, 1, 2, 3].includes(series.type as number)) problems.push(`series ${series.metric}: type ${JSON.stringify(series.type)}`);
    if (series.type === 1 && series.interval !== 60) problems.push(`count ${series.metric} without its 60 s interval`);
    if (series.points.length !== 1) problems.push(`series ${series.metric}: ${series.points.length} points`);
    for (const p of series.points) {
      if (!Number.isInteger(p.timestamp) || (p.timestamp ?? 0) > 1e11) problems.push(`series ${series.metric}: timestamp ${p.timestamp} is not in seconds`);
      if (typeof p.value !== 'number' || !Number.isFinite(p.value)) problems.push(`series ${series.metric}: value ${p.value}`);
    }
  }
  return problems;
}

const accepted = { status: 202, body: '{"errors":[]}', headers: { 'content-type': 'application/json' } };

describe('the Datadog exporter (official client, metrics v2 submitMetrics) against a local stand-in', () => {
  let wh: DuckDbWarehouse;
  let datadog: HttpStandIn;
  beforeAll(async () => {
    datadog = await new HttpStandIn('/api/v2/series', validatePayload, accepted).start();
  });
  afterAll(() => datadog.close());
  beforeEach(async () => {
    datadog.reset();
    wh = await openMemoryWarehouse();
  });
  afterEach(() => wh.close());

  const exporterFor = (clock: FakeClock) => createDatadogExporter({ apiKey: API_KEY, site: 'datadoghq.eu', endpoint: datadog.url.replace('/api/v2/series', ''), clock });

  it('sends every closed minute as valid series with the API key, counts with their interval, tags as key:value', async () => {
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 2, now);
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [exporterFor(clock)], { nowMs: now, clock, startAtMs: T0 });
    expect(result.exporters[0]).toMatchObject({ minutes: 2, deadLettered: 0, error: null });
    expect(datadog.invalid()).toEqual([]);
    expect(datadog.requests).toHaveLength(2);
    expect(datadog.requests.every((r) => r.headers['dd-api-key'] === API_KEY)).toBe(true);
    const series = (datadog.requests[0]!.body as { series: Array<Record<string, unknown>> }).series;
    expect(series.find((s) => s.metric === 'product.wallet.spend.success')).toEqual({ metric: 'product.wallet.spend.success', type: 1, interval: 60, points: [{ timestamp: T0 / 1000, value: 3 }], tags: ['feature:chat'] });
    expect(series.find((s) => s.metric === 'infra.pipeline.alerts.retry_waiting')).toMatchObject({ type: 3, points: [{ timestamp: T0 / 1000, value: 0.5 }] });
    expect(series.map((s) => s.metric)).toEqual(expect.arrayContaining(['infra.pipeline.rollup.duration_ms.p95', 'infra.pipeline.rollup.duration_ms.count']));
  });

  it('respects DD_SITE through the client\'s server configuration', () => {
    for (const site of ['datadoghq.com', 'datadoghq.eu', 'us5.datadoghq.com']) {
      const url = datadogConfiguration({ apiKey: API_KEY, site }).getServer('v2.MetricsApi.submitMetrics').makeRequestContext('/api/v2/series', 'POST' as never).getUrl();
      expect(url).toBe(`https://api.${site}/api/v2/series`);
    }
  });

  it('retries 429 after its Retry-After and 5xx with backoff, then the batch is accepted', async () => {
    const now = T0 + 3 * MINUTE;
    await seedMinutes(wh, 1, now);
    datadog.answer({ status: 429, body: '{"errors":["Too many requests"]}', headers: { 'content-type': 'application/json', 'retry-after': '3' } }, { status: 503, body: 'unavailable' });
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [exporterFor(clock)], { nowMs: now, clock, startAtMs: T0 });
    expect(datadog.requests.map((r) => r.status)).toEqual([429, 503, 202]);
    expect(clock.waits).toContain(3_000);
    expect(result.exporters[0]).toMatchObject({ minutes: 1, retries: 2, deadLettered: 0, error: null });
  });

  it.each([
    [400, '{"errors":["Payload is not in the expected format"]}', 'Payload is not in the expected format'],
    [403, `{"errors":["Forbidden: API key ${API_KEY} is invalid"]}`, 'Forbidden'],
  ])('dead-letters a batch answered %s with the reason, the API key redacted, and goes on', async (status, body, reason) => {
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 2, now);
    datadog.answer({ status, body, headers: { 'content-type': 'application/json' } });
    const clock = new FakeClock(now);
    const result = await runExportJob(wh, [exporterFor(clock)], { nowMs: now, clock, startAtMs: T0, redactor: createRedactor([API_KEY]) });
    expect(result.exporters[0]).toMatchObject({ minutes: 2, deadLettered: 1, error: null });
    expect(datadog.requests.map((r) => r.status)).toEqual([status, 202]);
    const rows = await select(wh, `SELECT reason_codes, CAST(reasons AS VARCHAR) AS reasons, raw_payload FROM {{dead_letters}} WHERE scope = 'export'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason_codes).toBe(`export_datadog_${status}`);
    expect(String(rows[0]!.reasons)).toContain(reason);
    expect(JSON.stringify(rows)).not.toContain(API_KEY);
  });
});
