import { createMetricsHandler } from '../../../exporters/metrics-route';
import type { HttpRequest } from '../../../http/http';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { MINUTE, openMemoryWarehouse } from '../aggregator/support';
import { seedMinutes, T0 } from './support';

const KEY = 'metrics-route-key-0123';
const request = (headers: Record<string, string>): HttpRequest => ({ method: 'GET', path: '/metrics', headers, query: {} });

describe('GET /metrics (exporters/metrics-route.ts)', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await openMemoryWarehouse();
    await seedMinutes(wh, 3, T0 + 5 * MINUTE);
  });
  afterAll(() => wh.close());
  const handler = (key: string | undefined) => createMetricsHandler({ warehouse: () => wh, internalKey: () => key });

  it.each([
    ['no key', {}, 401],
    ['a wrong bearer token', { authorization: 'Bearer nope-nope' }, 401],
    ['a wrong X-Internal-Key', { 'x-internal-key': 'nope-nope' }, 401],
  ])('refuses %s with %s and says how to authenticate', async (_label, headers, status) => {
    const response = await handler(KEY)(request(headers));
    expect(response.status).toBe(status);
    expect(response.body).toContain('Authorization: Bearer');
    expect(response.body).not.toContain(KEY);
  });

  it('is closed (503) when no internal key is configured', async () => {
    expect((await handler(undefined)(request({ authorization: `Bearer ${KEY}` }))).status).toBe(503);
  });

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${KEY}` }],
    ['X-Internal-Key', { 'x-internal-key': KEY }],
  ])('serves the closed minutes of the hour in the exposition format with %s', async (_label, headers) => {
    const response = await handler(KEY)(request(headers));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    // Rolled up at 10:05 with a 1-minute grace: 10:00–10:02 are closed, 3 spends each.
    expect(response.body).toContain('product_wallet_spend_success_total{feature="chat"} 9\n');
    expect(response.body).toContain(`obs_export_minute_end_seconds ${(T0 + 3 * MINUTE) / 1000}\n`);
  });
});
