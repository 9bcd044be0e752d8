import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WarehouseAlertStore } from '../../alerts/state/warehouse-alert-store';
import { createHttpRoutes } from '../../cli/local/http-app';
import { createHttpServer, listen } from '../../cli/local/http-server';
import { activeAlertsFromStore } from '../../health/alert-store-source';
import { localTokenVerifier } from '../../http/admin-auth';
import { loadConfig } from '../../shared';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from '../support/chromium';
import { FIRED_BY_CASES, fireThroughEvaluators } from '../support/fired-by-instances';

const TOKEN = 'fired-by-browser-token';
/** Screenshots to look at (not kept in the repo). */
const shots = join(tmpdir(), 'obs-dashboard-screenshots');

/** The dashboard page tags each firing alert with the path that fired it (issue #15). */
describeWithChromium('the admin dashboard in Chromium: which path fired each alert', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    await fireThroughEvaluators(wh, Date.now());
    const routes = createHttpRoutes({
      verify: localTokenVerifier(TOKEN),
      sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, alerts: activeAlertsFromStore(new WarehouseAlertStore(wh)), probes: [] },
    });
    server = createHttpServer(routes);
    base = `http://127.0.0.1:${await listen(server, 0)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    await page.goto(`${base}/admin/observability#token=${TOKEN}`);
    await page.locator(`[data-alert="${FIRED_BY_CASES.streaming}"]`).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  /** The cell under the table's "Fired by" header in the row `row`. */
  async function firedByCell(table: string, row: string) {
    const headers = await page.locator(`[data-testid="${table}"] thead th`).allTextContents();
    const column = headers.indexOf('Fired by');
    expect(column).toBeGreaterThan(0);
    return page.locator(`[data-testid="${table}"] ${row} td`).nth(column);
  }

  it('active alerts: a streaming tag and a scheduled tag under "Fired by", and — for the pending alert', async () => {
    const streaming = await firedByCell('alerts', `[data-alert="${FIRED_BY_CASES.streaming}"]`);
    expect(await streaming.locator('.tag').textContent()).toBe('streaming');
    expect(await streaming.locator('.tag').getAttribute('title')).toMatch(/as the events arrived/);
    expect(await (await firedByCell('alerts', `[data-alert="${FIRED_BY_CASES.scheduled}"]`)).locator('.tag').textContent()).toBe('scheduled');
    const pending = await firedByCell('alerts', `[data-alert="${FIRED_BY_CASES.pending}"]`);
    expect(await pending.textContent()).toBe('—');
    expect(await pending.locator('.tag').count()).toBe(0);
  });

  it('recent alerts: each episode of the last 24 hours with the tag of the path that fired it', async () => {
    expect(await (await firedByCell('recent-alerts', `[data-recent-alert="${FIRED_BY_CASES.streaming}"]`)).textContent()).toBe('streaming');
    expect(await (await firedByCell('recent-alerts', `[data-recent-alert="${FIRED_BY_CASES.scheduled}"]`)).textContent()).toBe('scheduled');
  });

  it('tells the two tags apart by their words, not by colour alone, and draws them as tags', async () => {
    const tag = page.locator(`[data-alert="${FIRED_BY_CASES.streaming}"] .tag`);
    const style = await tag.evaluate((e) => {
      // The page's window (no DOM types in this project's tsconfig).
      const s = (globalThis as unknown as { getComputedStyle(node: unknown): Record<'display' | 'borderTopLeftRadius' | 'color' | 'backgroundColor', string> }).getComputedStyle(e);
      return { display: s.display, radius: s.borderTopLeftRadius, color: s.color, background: s.backgroundColor };
    });
    expect(style).toEqual({ display: 'inline-block', radius: '10px', color: 'rgb(5, 80, 174)', background: 'rgb(221, 244, 255)' });
    expect(await page.getByRole('cell', { name: 'streaming', exact: true }).count()).toBe(2); // active + recent: the word is the cell's name
    mkdirSync(shots, { recursive: true });
    await page.locator('[data-testid="alerts"]').screenshot({ path: join(shots, 'fired-by-active.png') });
    await page.locator('[data-testid="recent-alerts"]').screenshot({ path: join(shots, 'fired-by-recent.png') });
  });
});
