import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createHttpRoutes } from '../../cli/local/http-app';
import { createHttpServer, listen } from '../../cli/local/http-server';
import { incidentEntry, incidentIdOf } from '../../incidents/incident';
import { WarehouseIncidentStore } from '../../incidents/warehouse-incident-store';
import { localTokenVerifier } from '../../http/admin-auth';
import { loadConfig } from '../../shared';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from '../support/chromium';

const TOKEN = 'incidents-browser-token';
const MIN = 60_000;

/** The dashboard's Incidents card (issue #16): open and recent incidents, each with its timeline, in Chromium; and GET /api/dashboard carries it. */
describeWithChromium('the admin dashboard in Chromium: the Incidents card', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let browser: Browser;
  let page: Page;
  const now = Date.now();
  const open = incidentIdOf('module=wallet', now - 20 * MIN);
  const resolved = incidentIdOf('module=calls', now - 3 * 3_600_000);

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    const store = new WarehouseIncidentStore(wh);
    const t0 = now - 20 * MIN;
    const t1 = now - 3 * 3_600_000;
    await store.append([
      incidentEntry(open, 'opened', t0, { groupKey: 'module=wallet', module: 'wallet', severity: 'P0' }),
      incidentEntry(open, 'alert_fired', t0, { fingerprint: 'wallet-spend-failures-critical', ruleId: 'wallet-spend-failures-critical', severity: 'P0', name: 'Wallet spend failures', episodeStartMs: t0 }, 'a'),
      incidentEntry(open, 'notified', t0, { fingerprint: 'wallet-spend-failures-critical', channel: 'pagerduty', kind: 'firing', outcome: 'delivered', attempts: 1 }, 'n'),
      incidentEntry(open, 'acknowledged', t0 + 3 * MIN, { by: 'Dana Oncall', via: 'pagerduty' }, 'k'),
      incidentEntry(open, 'update', t0 + 5 * MIN, { message: 'Failing over to the backup provider.', public: true, by: 'dana' }, 'u'),
      incidentEntry(resolved, 'opened', t1, { groupKey: 'module=calls', module: 'calls', severity: 'P1' }),
      incidentEntry(resolved, 'alert_fired', t1, { fingerprint: 'call-failures', ruleId: 'call-failures', severity: 'P1', name: 'Call failures', episodeStartMs: t1 }, 'a'),
      incidentEntry(resolved, 'alert_resolved', t1 + 30 * MIN, { fingerprint: 'call-failures', episodeStartMs: t1 }, 'r'),
      incidentEntry(resolved, 'resolved', t1 + 30 * MIN, { by: 'alerts', via: 'alerts' }, 'alerts'),
    ]);
    const routes = createHttpRoutes({ verify: localTokenVerifier(TOKEN), sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, probes: [], incidents: store } });
    server = createHttpServer(routes);
    base = `http://127.0.0.1:${await listen(server, 0)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    await page.goto(`${base}/admin/observability#token=${TOKEN}`);
    await page.locator(`[data-incident="${open}"]`).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  it('lists the open incident first, with its status and its timeline shown', async () => {
    const ids = await page.locator('[data-testid="incidents"] [data-incident]').evaluateAll((nodes) => nodes.map((n) => (n as unknown as { getAttribute(a: string): string }).getAttribute('data-incident')));
    expect(ids).toEqual([open, resolved]);
    const card = page.locator(`[data-incident="${open}"]`);
    expect(await card.locator('h3').textContent()).toBe('P0 · Wallet & Token Store acknowledged');
    expect(await card.locator('.hint').textContent()).toContain('acknowledged by Dana Oncall 3 min later');
    expect(await card.locator('.timeline li').allTextContents()).toEqual([
      expect.stringContaining('opened (P0, group module=wallet)'),
      expect.stringContaining('alert fired: P0 Wallet spend failures (wallet-spend-failures-critical)'),
      expect.stringContaining('notified pagerduty (firing): delivered'),
      expect.stringContaining('acknowledged by Dana Oncall via pagerduty'),
      expect.stringContaining('update by dana (public): Failing over to the backup provider.'),
    ]);
    expect(await card.locator('.timeline').isVisible()).toBe(true);
  });

  it('shows a resolved incident with its time to resolve, its timeline folded', async () => {
    const card = page.locator(`[data-incident="${resolved}"]`);
    expect(await card.getAttribute('data-status')).toBe('resolved');
    expect(await card.locator('.hint').textContent()).toContain('resolved after');
    expect(await card.locator('.timeline').isVisible()).toBe(false);
    await card.locator('summary').click();
    expect(await card.locator('.timeline li').count()).toBe(4);
  });

  it('GET /api/dashboard carries the card, with the admin token only', async () => {
    expect((await fetch(`${base}/api/dashboard`)).status).toBe(401);
    const data = (await (await fetch(`${base}/api/dashboard`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { incidents: { incidents: Array<{ id: string; status: string }> } };
    expect(data.incidents.incidents.map((i) => [i.id, i.status])).toEqual([
      [open, 'acknowledged'],
      [resolved, 'resolved'],
    ]);
  });
});
