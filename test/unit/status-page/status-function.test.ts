import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { createProductionApp } from '../../../app/production';
import { createFunctionHandlers } from '../../../functions/handlers';
import { serveGet, type FunctionsResponse } from '../../../functions/http-adapter';
import { requestFrom } from '../../../http/http';
import { FakeClock } from '../../../shared/clock';
import { WarehouseIncidentStore } from '../../../incidents/warehouse-incident-store';
import type { StatusSummary } from '../../../status-page';
import { fixtureWarehouse, NOW } from './fixture';

/** `pack421_status` in production: the handler on the production assembly, behind the Express adapter, and its Hosting rewrites. */
describe('the pack421_status function', () => {
  let app: App;
  beforeAll(() => {
    app = initializeApp({ projectId: 'obs-status-test' }, 'status-function-test');
  });
  afterAll(() => deleteApp(app));

  it('serves /status and /status.json through the Hosting rewrites, and the page at its own URL, without authentication', async () => {
    const wh = await fixtureWarehouse();
    try {
      const handlers = createFunctionHandlers(createProductionApp({ env: { OBS_ENVIRONMENT: 'test' }, clock: new FakeClock(NOW), app: () => app, firestore: () => undefined, openWarehouse: () => Promise.resolve(wh), incidentStore: () => new WarehouseIncidentStore(wh) }));
      const html = await handlers.status(requestFrom('/status'));
      expect(html?.status).toBe(200);
      expect(html?.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(html?.body).toContain('<h1>Avalo Status</h1>');
      // The incidents (the assembly's store) and the maintenance windows (the warehouse's) were read.
      expect(html?.body).not.toContain('could not be loaded');
      const own = await handlers.status(requestFrom('/'));
      expect(own?.body).toBe(html?.body);
      const json = await handlers.status(requestFrom('/status.json'));
      const summary = JSON.parse(json!.body) as StatusSummary;
      expect(summary.components).toHaveLength(12);
      expect(summary.components.find((c) => c.id === 'wallet')!.uptime.days).toHaveLength(90);
      expect(await handlers.status(requestFrom('/admin/observability'))).toBeUndefined();

      // Behind the adapter, as firebase-functions calls it: the headers go out as set.
      const sent: { status?: number; headers?: Record<string, string>; body?: string } = {};
      const res: FunctionsResponse = {
        status: (code) => ((sent.status = code), res),
        set: (headers) => ((sent.headers = headers), res),
        send: (body) => (sent.body = body),
        end: () => undefined,
      };
      await serveGet(handlers.status, { describeError: String, log: () => undefined })({ method: 'GET', path: '/status.json', headers: {}, query: {} }, res);
      expect(sent.status).toBe(200);
      expect(sent.headers?.['cache-control']).toBe('public, max-age=30, s-maxage=60');
    } finally {
      await wh.close();
    }
  });

  it('is exported by index.ts and reached through Hosting rewrites of /status and /status.json', () => {
    const index = readFileSync(join(__dirname, '..', '..', '..', 'index.ts'), 'utf8');
    expect(index).toMatch(/export const pack421_status = onRequest\(\{ invoker: 'public' \}, serve\(handlers\.status\)\);/);
    const firebase = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'firebase.json'), 'utf8')) as { hosting: { rewrites: Array<{ source: string; function?: { functionId: string } }> } };
    const rewrites = Object.fromEntries(firebase.hosting.rewrites.map((r) => [r.source, r.function?.functionId]));
    expect(rewrites['/status']).toBe('pack421_status');
    expect(rewrites['/status.json']).toBe('pack421_status');
  });
});
