import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import type { ActiveAlert } from '../../../health/live-signals';
import { localTokenVerifier } from '../../../http/admin-auth';
import type { PublicIncident } from '../../../incidents';
import type { MaintenanceOccurrence } from '../../../maintenance';
import { loadConfig } from '../../../shared';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from '../../support/chromium';
import { firingAlert, fixtureWarehouse, maintenanceWindow, NOW, OUTAGE_DAY, publicIncident } from '../../unit/status-page/fixture';

/**
 * The public status page as people see it, in Chromium with JavaScript off (nothing on the page
 * needs it): at desktop and phone widths, with a firing incident, with a maintenance window, and
 * once the incident is resolved. Screenshots go to test-artifacts/status-page/.
 */
const artifacts = join(__dirname, '..', '..', '..', 'test-artifacts', 'status-page');
const DESKTOP = { width: 1280, height: 900 };
const MOBILE = { width: 390, height: 844 };

/** WCAG relative luminance contrast of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describeWithChromium('the public status page in Chromium', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let browser: Browser;
  let alerts: ActiveAlert[] = [];
  let incidents: PublicIncident[] = [];
  let windows: MaintenanceOccurrence[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    wh = await fixtureWarehouse();
    const routes = createHttpRoutes({
      verify: localTokenVerifier('status-browser-token-3e'),
      clock: () => NOW,
      sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, probes: [], alerts: () => Promise.resolve(alerts) },
      // Each test changes the scene: no memo between them.
      status: {
        memoMs: 0,
        incidents: { publicIncidents: () => Promise.resolve(incidents) },
        maintenance: { occurrences: (from, to) => Promise.resolve(windows.filter((w) => Date.parse(w.endsAt) > from && Date.parse(w.startsAt) < to)) },
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

  async function open(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport, javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto(`${base}/status`);
    expect(response?.status()).toBe(200);
    return page;
  }
  const close = (page: Page) => page.context().close();
  const visibleBars = (page: Page, module: string) => page.locator(`#component-${module} ol.bars li`).evaluateAll((els) => els.filter((e) => (e as unknown as { offsetWidth: number }).offsetWidth > 0).length);

  it('shows a firing incident at desktop width: the overall status, the component in outage, the incident and its update, 90 bars a component', async () => {
    alerts = [firingAlert('wallet-spend-failures-critical', 'wallet', 'P0')];
    incidents = [publicIncident('inc-1', 'wallet', false, { impact: 'critical', title: 'Wallet & Token Store: service disruption' })];
    windows = [];
    const page = await open(DESKTOP);
    await expect(page.locator('h1').count()).resolves.toBe(1);
    expect(await page.locator('header').count()).toBe(1);
    expect(await page.locator('main').count()).toBe(1);
    expect(await page.locator('footer').count()).toBe(1);
    expect(await page.locator('script').count()).toBe(0);
    expect((await page.locator('#overall').textContent())?.trim()).toBe('Major System Outage');
    expect(await page.locator('#component-wallet .status').textContent()).toBe('Major Outage');
    expect(await page.locator('#component-chat .status').textContent()).toBe('Operational');
    expect(await page.locator('li.component').count()).toBe(12);

    const incident = page.locator('#active-incidents ~ article.incident');
    expect(await incident.count()).toBe(1);
    expect(await incident.locator('h3').textContent()).toBe('Wallet & Token Store: service disruption');
    expect(await incident.locator('ol.updates li').first().textContent()).toContain('We are investigating problems with Wallet & Token Store.');
    expect(await incident.locator('.meta').first().textContent()).toContain('Impact: Critical · Affects Wallet & Token Store');

    // The bar is an image with a text alternative naming the days below objective; each day has a tooltip.
    const bars = page.locator('#component-wallet ol.bars');
    expect(await bars.getAttribute('role')).toBe('img');
    const label = (await bars.getAttribute('aria-label'))!;
    expect(label).toMatch(/^Uptime over the last 90 days: 9\d\.\d\d% uptime\. 2 days below objective: /);
    expect(label).toContain(`${OUTAGE_DAY} (83.33%)`);
    expect(await visibleBars(page, 'wallet')).toBe(90);
    expect(await page.locator(`#component-wallet ol.bars li[title^="${OUTAGE_DAY}"]`).getAttribute('class')).toBe('d-outage');
    // A component without an objective says so instead of showing bars.
    expect(await page.locator('#component-audit ol.bars').count()).toBe(0);
    expect(await page.locator('#component-audit').textContent()).toContain('No uptime objective is measured for this component');

    // Contrast: the banner's white text, the status words and the notes (WCAG AA 4.5:1).
    // Read in the page (a string, so this file needs no DOM types): [foreground, background] per element.
    const colours = await page.evaluate<Record<string, [string, string]>>(`(() => {
      const style = (sel) => getComputedStyle(document.querySelector(sel));
      return {
        banner: [style('#overall').color, style('section.overall').backgroundColor],
        major: [style('#component-wallet .status').color, 'rgb(255, 255, 255)'],
        ok: [style('#component-chat .status').color, 'rgb(255, 255, 255)'],
        note: [style('#component-audit .note').color, 'rgb(255, 255, 255)'],
      };
    })()`);
    for (const [name, [fg, bg]] of Object.entries(colours)) expect([name, contrast(fg, bg) >= 4.5]).toEqual([name, true]);
    await page.screenshot({ path: join(artifacts, 'incident-desktop.png'), fullPage: true });
    await close(page);
  });

  it('fits a phone: no sideways scrolling, the last 30 days of bars, the incident on top', async () => {
    const page = await open(MOBILE);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await visibleBars(page, 'wallet')).toBe(30);
    expect(await page.locator('#component-wallet .axis').getByText('30 days ago').isVisible()).toBe(true);
    expect(await page.locator('#component-wallet .axis').getByText('90 days ago').isVisible()).toBe(false);
    expect(await page.locator('#component-wallet .axis').getByText('(90 days)').isVisible()).toBe(true);
    expect(await page.locator('article.incident').isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'incident-mobile.png'), fullPage: true });
    await close(page);
  });

  it('shows a maintenance window in progress and one to come', async () => {
    alerts = [];
    incidents = [];
    windows = [maintenanceWindow('w1', 'support', NOW - 30 * 60_000, NOW + 90 * 60_000, 'Ticket system upgrade'), maintenanceWindow('w2', 'growth', NOW + 2 * 86_400_000, NOW + 2 * 86_400_000 + 3_600_000, 'Campaign engine migration')];
    const page = await open(DESKTOP);
    expect((await page.locator('#overall').textContent())?.trim()).toBe('Service Under Maintenance');
    expect(await page.locator('#component-support .status').textContent()).toBe('Under Maintenance');
    const items = page.locator('article.maintenance');
    expect(await items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toContain('Ticket system upgrade');
    expect(await items.nth(0).locator('.meta').textContent()).toMatch(/^In progress · Affects Support System · 2026-11-27 11:30 UTC to 2026-11-27 13:30 UTC$/);
    expect(await items.nth(1).locator('.meta').textContent()).toMatch(/^Scheduled · Affects Growth & Retention/);
    await page.screenshot({ path: join(artifacts, 'maintenance-desktop.png'), fullPage: true });
    await close(page);
  });

  it('shows the incident resolved: all systems operational, the incident under past incidents with its resolution', async () => {
    alerts = [];
    windows = [];
    incidents = [publicIncident('inc-1', 'wallet', true, { impact: 'critical', title: 'Wallet & Token Store: service disruption' })];
    for (const [viewport, name] of [
      [DESKTOP, 'resolved-desktop.png'],
      [MOBILE, 'resolved-mobile.png'],
    ] as const) {
      const page = await open(viewport);
      expect((await page.locator('#overall').textContent())?.trim()).toBe('All Systems Operational');
      expect(await page.locator('#active-incidents').count()).toBe(0);
      const past = page.locator('#past-incidents ~ article.incident');
      expect(await past.count()).toBe(1);
      expect(await past.getAttribute('data-status')).toBe('resolved');
      expect(await past.locator('.meta').first().textContent()).toMatch(/^Resolved · Impact: Critical · Affects Wallet & Token Store · Started .* · Resolved 2026-11-27 11:50 UTC$/);
      expect(await past.locator('ol.updates li').first().textContent()).toContain('This incident has been resolved.');
      await page.screenshot({ path: join(artifacts, name), fullPage: true });
      await close(page);
    }
  });
});
