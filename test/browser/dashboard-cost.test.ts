import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { createHttpRoutes } from '../../cli/local/http-app';
import { createHttpServer, listen } from '../../cli/local/http-server';
import { localTokenVerifier } from '../../http/admin-auth';
import { loadConfig } from '../../shared';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import { event } from '../unit/aggregator/support';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from '../support/chromium';

/** The Cost card as a user sees it in Chromium: among the infrastructure cards, the month so far. */
const TOKEN = 'cost-card-browser-token-77a';
const NOV = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
const NOW = NOV + 19 * DAY;

describeWithChromium('the dashboard Cost card in Chromium', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let browser: Browser;

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    await wh.insertEvents([
      ...Array.from({ length: 5 }, (_, i) => event('product.wallet.spend.success', 'count', 1, NOV + i * DAY, { feature: 'chat' })),
      event('product.chat.message.count', 'count', 1, NOV + DAY, { channel: 'direct', message_type: 'text' }),
    ]);
    const routes = createHttpRoutes({ verify: localTokenVerifier(TOKEN), clock: () => NOW, sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, probes: [] } });
    server = createHttpServer(routes);
    base = `http://127.0.0.1:${await listen(server, 0)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  it('shows the month, the total at list prices, the write path beside insertAll, the events and the costliest modules', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    await page.goto(`${base}/admin/observability#token=${TOKEN}`);
    const card = page.getByTestId('cost-card');
    await card.waitFor();
    expect(await page.locator('#infrastructure [data-testid="cost-card"]').count()).toBe(1);
    const field = (name: string) => card.locator(`[data-field="${name}"]`).textContent();
    expect(await card.locator('h3').textContent()).toBe('Cost · 2026-11 so far');
    expect(await field('events')).toBe('6 (6 calls)');
    expect(await field('write-path')).toMatch(/^Storage Write API \(insertAll: \$[0-9.e-]+\)$/);
    // 19 days of job runs: the scans' 10 MB-per-table minimum is most of a small deployment's bill, past the free 1 TiB.
    expect(await field('total')).toMatch(/^\$\d+\.\d\d · \$\d+\.\d\d after free tiers$/);
    const components = (await field('components'))!.split(' · ');
    expect(components).toHaveLength(4);
    expect(components[3]).toMatch(/^\$\d+\.\d\d$/);
    expect(await field('modules')).toMatch(/^wallet \$[0-9.e-]+ · chat \$[0-9.e-]+$/);
    expect(await card.locator('.state').textContent()).toMatch(/at list prices \(scans estimated\)$/);
    expect(await card.isVisible()).toBe(true);
    await page.close();
  });
});
