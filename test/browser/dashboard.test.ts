import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createHttpRoutes } from '../../cli/local/http-app';
import { createHttpServer, listen } from '../../cli/local/http-server';
import { warehouseHealthProbe, ingestLagProbe, jobFreshnessProbe } from '../../health/component-probes';
import { localTokenVerifier } from '../../http/admin-auth';
import type { ActiveAlert } from '../../health/live-signals';
import { loadConfig } from '../../shared';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from '../support/chromium';
import { PIPELINE_SEED, seedHealthyMonth } from '../support/seed-dashboard';

const TOKEN = 'local-dashboard-token-81c2';
const artifacts = join(__dirname, '..', '..', 'test-artifacts');

describeWithChromium('the admin dashboard in Chromium', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let browser: Browser;
  const alerts: ActiveAlert[] = [];
  const now = Date.now();

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    await seedHealthyMonth(wh, now);
    const clock = Date.now;
    const routes = createHttpRoutes({
      verify: localTokenVerifier(TOKEN),
      clock,
      sources: {
        warehouse: wh,
        config: { ...loadConfig({}), environment: 'test' },
        alerts: () => Promise.resolve([...alerts]),
        probes: [
          { name: 'warehouse', probe: warehouseHealthProbe(wh) },
          { name: 'ingest_lag', probe: ingestLagProbe(wh, clock) },
          { name: 'aggregator', probe: jobFreshnessProbe(wh, clock, (j) => !j.startsWith('alert'), 'aggregator') },
        ],
      },
    });
    server = createHttpServer(routes);
    base = `http://127.0.0.1:${await listen(server, 0)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  async function openDashboard(): Promise<{ page: Page; apiCalls: () => number }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    let calls = 0;
    page.on('request', (r) => void (r.url().endsWith('/api/dashboard') && calls++));
    await page.clock.install();
    await page.goto(`${base}/admin/observability#token=${TOKEN}`);
    return { page, apiCalls: () => calls };
  }

  it('loads with seeded data and shows GREEN, twelve module cards, the SLO table and both charts', async () => {
    const { page } = await openDashboard();
    await page.getByTestId('banner-colour').filter({ hasText: 'GREEN' }).waitFor();
    expect(await page.locator('#modules .card').count()).toBe(12);
    expect(await page.locator('#slos tr').count()).toBe(7);
    expect(await page.locator('#burndown-chart canvas').count()).toBe(1);
    expect(await page.locator('#latency-chart canvas').count()).toBe(1);
    expect(page.url()).not.toContain(TOKEN); // the token leaves the address bar
    await page.close();
  });

  it('shows the pipeline card among the infrastructure cards, with the last hour’s numbers', async () => {
    const { page } = await openDashboard();
    const card = page.getByTestId('pipeline-card');
    await card.waitFor();
    const field = (name: string) => card.locator(`[data-field="${name}"]`).textContent();
    expect(await card.isVisible()).toBe(true);
    expect(await field('messages')).toBe((PIPELINE_SEED.minutes * PIPELINE_SEED.messagesPerMinute).toLocaleString('en-US'));
    expect(await field('dead-letters')).toBe('20: unknown_metric 15 · invalid_json 5');
    expect(await field('lag-p95')).toBe('4.0 s');
    expect(await field('last-runs')).toBe('rollup 180 ms · SLO 95 ms · alerts 420 ms');
    expect(await field('deliveries')).toBe('oncall-slack delivered 5');
    expect(await card.getAttribute('class')).toContain('ok');
    await page.close();
  });

  it('turns RED after a P0 fires and the auto-refresh runs, the wallet card shows it, and the toggle stops refreshing', async () => {
    alerts.length = 0;
    const { page, apiCalls } = await openDashboard();
    await page.getByTestId('banner-colour').filter({ hasText: 'GREEN' }).waitFor();

    alerts.push({ fingerprint: 'wallet-p0', ruleId: 'wallet-spend-failures-critical', module: 'wallet', severity: 'P0', state: 'firing', sinceMs: Date.now(), summary: 'More than 10 failed token spends in 10 minutes.', runbook: 'docs/OPERATIONS.md#runbook-wallet-spend-failures-critical' });
    const before = apiCalls();
    await page.clock.runFor(30_000);
    await page.getByTestId('banner-colour').filter({ hasText: 'RED' }).waitFor();
    expect(apiCalls()).toBe(before + 1);
    const wallet = page.locator('[data-module="wallet"]');
    expect(await wallet.getAttribute('data-readiness')).toBe('not_ready');
    expect(await wallet.textContent()).toContain('wallet-spend-failures-critical');
    expect(await page.locator('[data-alert="wallet-spend-failures-critical"]').textContent()).toContain('P0');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'dashboard-red.png'), fullPage: true });

    await page.getByTestId('auto-refresh').uncheck();
    alerts.length = 0;
    const paused = apiCalls();
    await page.clock.runFor(95_000);
    expect(apiCalls()).toBe(paused);
    expect(await page.getByTestId('banner-colour').textContent()).toContain('RED');

    await page.getByTestId('auto-refresh').check();
    await page.clock.runFor(30_000);
    await page.getByTestId('banner-colour').filter({ hasText: 'GREEN' }).waitFor();
    await page.close();
  });

  it('asks for a token when there is none, and refuses a wrong one', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/admin/observability`);
    await page.locator('#signin').waitFor();
    await page.fill('#token-input', 'wrong-token');
    await page.click('#signin button[type=submit]');
    await page.locator('#signin-error').filter({ hasText: 'not accepted' }).waitFor();
    expect(await page.locator('#content').isHidden()).toBe(true);
    await page.close();
  });
});
