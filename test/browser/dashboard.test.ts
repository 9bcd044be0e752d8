import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
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
import { PIPELINE_SEED, RESOLVED_P0, seedHealthyMonth, seedResolvedP0 } from '../support/seed-dashboard';

const TOKEN = 'local-dashboard-token-81c2';
const artifacts = join(__dirname, '..', '..', 'test-artifacts');
/** Screenshots to look at (not kept in the repo). */
const shots = join(tmpdir(), 'obs-dashboard-screenshots');
const TRANSPORT = 'Pub/Sub emulator at 127.0.0.1:8085 (started by obs start), topic metrics-events';
const WALLET_P0: ActiveAlert = {
  fingerprint: 'wallet-p0', ruleId: 'wallet-spend-failures-critical', module: 'wallet', severity: 'P0', state: 'firing', sinceMs: Date.now(),
  summary: 'More than 10 failed token spends in 10 minutes.', runbook: 'docs/OPERATIONS.md#runbook-wallet-spend-failures-critical',
  name: 'Wallet spend failures', value: 14, threshold: 10, comparator: '>', unit: 'events',
};

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
    await seedResolvedP0(wh, now);
    const clock = Date.now;
    const routes = createHttpRoutes({
      verify: localTokenVerifier(TOKEN),
      clock,
      sources: {
        warehouse: wh,
        config: { ...loadConfig({}), environment: 'test' },
        alerts: () => Promise.resolve([...alerts]),
        transport: TRANSPORT,
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
    expect(await page.locator('#burndown-chart canvas').count()).toBe(7); // one burn-down per SLO
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

    alerts.push({ ...WALLET_P0, sinceMs: Date.now() });
    const before = apiCalls();
    await page.clock.runFor(30_000);
    await page.getByTestId('banner-colour').filter({ hasText: 'RED' }).waitFor();
    expect(apiCalls()).toBe(before + 1);
    const wallet = page.locator('[data-module="wallet"]');
    expect(await wallet.getAttribute('data-readiness')).toBe('not_ready');
    expect(await wallet.textContent()).toContain('wallet-spend-failures-critical');
    expect(await page.locator('[data-alert="wallet-spend-failures-critical"]').textContent()).toContain('P0');
    // The banner names the rule by its title and the value that fired it, not by its id.
    const reasons = await page.locator('#banner-reasons').textContent();
    expect(reasons).toContain('P0 firing: Wallet spend failures (wallet): 14 > 10 events');
    expect(reasons).not.toContain('wallet-spend-failures-critical');
    // The incident is marked on the wallet SLO's chart.
    expect(await page.locator('[data-slo-chart="wallet-spend-success"] [data-field="incident"]').first().textContent()).toMatch(/^P0 Wallet spend failures: firing for/);
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

  it('lists the resolved P0 of three hours ago under recent alerts, with its title and duration, and marks it on its SLO chart', async () => {
    alerts.length = 0;
    const { page } = await openDashboard();
    const row = page.locator(`[data-recent-alert="${RESOLVED_P0.ruleId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('resolved');
    const text = await row.textContent();
    expect(text).toContain('P0');
    expect(text).toContain(`${RESOLVED_P0.title} (wallet)`);
    expect(await row.locator('[data-field="duration"]').textContent()).toBe('14 min');
    expect(await page.locator('[data-slo-chart="wallet-spend-success"] [data-field="incident"]').textContent()).toMatch(/^P0 Wallet spend failures: fired .*, lasted 14 min$/);
    await page.close();
  });

  it('shows each SLO chart’s latest values without hovering, on its own axis', async () => {
    const { page } = await openDashboard();
    await page.locator('[data-slo-chart] [data-field="budget"]').first().waitFor();
    const budgets = await page.locator('[data-slo-chart] [data-field="budget"]').allTextContents();
    expect(budgets).toHaveLength(7);
    for (const b of budgets) expect(b).toMatch(/^\d+\.\d% left$/);
    expect(await page.locator('[data-slo-chart="wallet-spend-success"] .legend').textContent()).toMatch(/burn 1h 0\.3× · 6h 0\.3×/);
    expect(await page.getByTestId('latency-legend').textContent()).toMatch(/^\d+ ms latest · peak \d+ ms$/);
    expect(await page.locator('.u-legend').count()).toBe(0); // no "--" legends waiting for a hover
    await page.close();
  });

  it('opens the runbook link as a rendered page at the rule’s section', async () => {
    alerts.length = 0;
    alerts.push({ ...WALLET_P0, sinceMs: Date.now() });
    const { page } = await openDashboard();
    const link = page.locator('[data-alert="wallet-spend-failures-critical"] a', { hasText: 'runbook' });
    await link.waitFor();
    await Promise.all([page.waitForURL(/\/docs\/OPERATIONS\.md#runbook-wallet-spend-failures-critical$/), link.click()]);
    const section = page.locator('#runbook-wallet-spend-failures-critical');
    await section.waitFor();
    expect(await section.evaluate((e) => (e as { tagName: string }).tagName)).toBe('H3');
    expect(await page.locator('body').textContent()).not.toContain('### runbook-');
    const box = await section.boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(page.viewportSize()!.height);
    await page.screenshot({ path: join(shots, 'runbook.png') });
    alerts.length = 0;
    await page.close();
  });

  it('has quick links that all lead somewhere, favicons that load, and shows the feature matrix with the token it holds', async () => {
    const { page } = await openDashboard();
    await page.locator('#links a').first().waitFor();
    const hrefs = (await page.locator('#links a').evaluateAll((as) => as.map((a) => (a as { getAttribute(name: string): string | null }).getAttribute('href') ?? ''))).map((h) => new URL(h, base).href);
    expect(hrefs.some((h) => /\/admin\/(support|fraud|audit|safety)$/.test(h))).toBe(false); // no admin app locally
    for (const href of hrefs) {
      const status = await page.evaluate((u) => fetch(u, { headers: { accept: 'text/html' } }).then((r) => r.status), href);
      expect([href, status === 401 ? 'needs the token (shown in place)' : status]).toEqual([href, href.endsWith('/health/feature-matrix') ? 'needs the token (shown in place)' : 200]);
    }
    for (const path of ['/favicon.ico', '/admin/observability/favicon.svg']) {
      const response = await page.request.get(`${base}${path}`);
      expect([path, response.status(), response.headers()['content-type']]).toEqual([path, 200, 'image/svg+xml']);
    }
    await page.getByRole('link', { name: 'Feature matrix (JSON)' }).click();
    const view = page.getByTestId('json-view');
    await view.locator('pre', { hasText: '"overallReady"' }).waitFor();
    expect(page.url()).not.toContain(TOKEN);
    expect(await view.textContent()).not.toContain('HTTP 401');
    await page.close();
  });

  it('states the transport in use on the configuration card', async () => {
    const { page } = await openDashboard();
    const transport = page.locator('#config [data-field="transport"]');
    await transport.waitFor();
    expect(await transport.textContent()).toBe(TRANSPORT);
    await page.close();
  });

  it('takes a #token URL pasted into an open sign-in tab without a reload', async () => {
    const page = await browser.newPage();
    let loads = 0;
    page.on('load', () => void loads++);
    await page.goto(`${base}/admin/observability`);
    await page.locator('#signin').waitFor();
    await page.goto(`${base}/admin/observability#token=${TOKEN}`); // same document: only the fragment changes
    await page.getByTestId('banner-colour').waitFor();
    expect(loads).toBe(1);
    expect(await page.locator('#signin').isHidden()).toBe(true);
    expect(page.url()).not.toContain(TOKEN);
    await page.close();
  });

  it('reads well at 3 a.m.: screenshots of the page, GREEN with a resolved P0 and RED with one firing', async () => {
    mkdirSync(shots, { recursive: true });
    alerts.length = 0;
    const { page } = await openDashboard();
    await page.getByTestId('banner-colour').filter({ hasText: 'GREEN' }).waitFor();
    await page.locator('[data-slo-chart] canvas').first().waitFor();
    await page.screenshot({ path: join(shots, 'dashboard-green.png'), fullPage: true });
    alerts.push({ ...WALLET_P0, sinceMs: Date.now() - 6 * 60_000 });
    await page.getByTestId('refresh').click();
    await page.getByTestId('banner-colour').filter({ hasText: 'RED' }).waitFor();
    await page.screenshot({ path: join(shots, 'dashboard-red.png'), fullPage: true });
    alerts.length = 0;
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
