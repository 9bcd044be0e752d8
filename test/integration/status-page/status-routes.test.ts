import type { Server } from 'node:http';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import { localTokenVerifier } from '../../../http/admin-auth';
import { loadConfig } from '../../../shared';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../../../sql/warehouse';
import type { StatusSummary } from '../../../status-page';
import { fixtureWarehouse, NOW } from '../../unit/status-page/fixture';

/** A warehouse that counts its queries and can be made to fail. */
function counted(inner: Warehouse): { warehouse: Warehouse; queries: () => number; fail: (error: Error | undefined) => void } {
  let queries = 0;
  let failure: Error | undefined;
  const warehouse = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return async (...args: Parameters<Warehouse['query']>) => {
          queries++;
          if (failure) throw failure;
          return target.query(...args);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { warehouse, queries: () => queries, fail: (e) => (failure = e) };
}

describe('GET /status and /status.json on the local stack\'s HTTP server', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let now = NOW;
  let probe: ReturnType<typeof counted>;
  const errors: unknown[] = [];

  beforeAll(async () => {
    wh = await fixtureWarehouse();
    probe = counted(wh);
    const routes = createHttpRoutes({
      verify: localTokenVerifier('status-routes-token-1'),
      clock: () => now,
      sources: { warehouse: probe.warehouse, config: { ...loadConfig({}), environment: 'test' }, probes: [] },
      status: { onError: (error) => errors.push(error) },
    });
    server = createHttpServer(routes);
    base = `http://127.0.0.1:${await listen(server, 0)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  it('serves the page without authentication, cacheable by browsers and the CDN for 30–60 s', async () => {
    const html = await fetch(`${base}/status`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('cache-control')).toBe('public, max-age=30, s-maxage=60');
    expect(html.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await html.text()).toContain('<h2 id="overall">All Systems Operational</h2>');

    const json = await fetch(`${base}/status.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('cache-control')).toBe('public, max-age=30, s-maxage=60');
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
    const summary = (await json.json()) as StatusSummary;
    expect(Object.keys(summary)).toEqual(['page', 'status', 'components', 'incidents', 'scheduled_maintenances']);
    expect(summary.components).toHaveLength(12);

    const head = await fetch(`${base}/status.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/status`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('computes once for a burst of requests, and again once the memo is 30 s old', async () => {
    now += 60_000; // past any earlier computation
    const before = probe.queries();
    await fetch(`${base}/status`);
    const one = probe.queries() - before;
    expect(one).toBeGreaterThan(0);

    now += 60_000;
    const burstStart = probe.queries();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${base}${i % 2 ? '/status.json' : '/status'}`).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(probe.queries() - burstStart).toBe(one);

    now += 29_000;
    await fetch(`${base}/status.json`);
    expect(probe.queries() - burstStart).toBe(one);
    now += 1_000;
    await fetch(`${base}/status.json`);
    expect(probe.queries() - burstStart).toBe(2 * one);
  });

  it('answers 503 without detail when the warehouse cannot be read, keeps nothing, and recovers on the next request', async () => {
    now += 60_000;
    probe.fail(new Error('connect ECONNREFUSED bq-proxy.internal.example:9443'));
    const html = await fetch(`${base}/status`);
    expect(html.status).toBe(503);
    expect(html.headers.get('cache-control')).toBe('no-store');
    const body = await html.text();
    expect(body).toContain('Status unavailable');
    expect(body).not.toContain('internal.example');
    const json = await fetch(`${base}/status.json`);
    expect(json.status).toBe(503);
    expect(await json.text()).not.toContain('ECONNREFUSED');
    expect(errors.length).toBeGreaterThan(0);

    probe.fail(undefined);
    const again = await fetch(`${base}/status.json`);
    expect(again.status).toBe(200);
  });
});
