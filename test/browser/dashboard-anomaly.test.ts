import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { ANOMALY_CHART_MINUTES } from '../../alerts/anomaly/anomaly-chart';
import { anomalyRanges } from '../../alerts/anomaly/anomaly-data';
import { anomalyNeed } from '../../alerts/anomaly/anomaly-evaluator';
import { anomalyRules } from '../../alerts/anomaly/anomaly-rules';
import { runRollupJob } from '../../aggregator/rollup-job';
import { createHttpRoutes } from '../../cli/local/http-app';
import { createHttpServer, listen } from '../../cli/local/http-server';
import { localTokenVerifier } from '../../http/admin-auth';
import { loadConfig } from '../../shared';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../../sql/warehouse';
import { event, MINUTE } from '../unit/aggregator/support';
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from '../support/chromium';

/**
 * The anomaly band chart as a user sees it in Chromium: wallet spends at 10 a minute in the same
 * hours of three past weeks and today, until they drop to 1 a minute for the last 8 minutes.
 */
const TOKEN = 'anomaly-band-browser-token-3f1';
const NOW = Date.UTC(2026, 10, 23, 12, 0, 30);
const END = Date.UTC(2026, 10, 23, 12, 0);
const rule = anomalyRules().find((r) => r.id === 'wallet-spend-volume-anomaly')!;

describeWithChromium('the dashboard anomaly bands in Chromium', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let base = '';
  let browser: Browser;

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    const ranges = anomalyRanges({ ...anomalyNeed(rule), judgedMinutes: ANOMALY_CHART_MINUTES }, END);
    const rows: EventRow[] = [];
    const minute = (m: number, count: number) => {
      for (let i = 0; i < count; i++) rows.push(event(rule.metric, 'count', 1, m + 1_000 + i * 1_000, { feature: 'chat' }));
    };
    for (const [from, to] of ranges.weeks.slice(0, 3)) for (let m = from; m < to; m += MINUTE) minute(m, 10);
    for (let m = ranges.recent[0]; m < END; m += MINUTE) minute(m, m >= END - 8 * MINUTE ? 1 : 10);
    await wh.insertEvents(rows);
    await runRollupJob(wh, { nowMs: NOW, timing: { settleMs: 0 } });
    const routes = createHttpRoutes({ verify: localTokenVerifier(TOKEN), clock: () => NOW, sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, probes: [] } });
    server = createHttpServer(routes);
    base = `http://127.0.0.1:${await listen(server, 0)}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await wh?.close();
  });

  it('keeps the band data behind the admin token and names an unknown rule', async () => {
    expect((await fetch(`${base}/api/anomaly`)).status).toBe(401);
    const unknown = await fetch(`${base}/api/anomaly?rule=nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining('no anomaly rule nope; known: wallet-spend-volume-anomaly') });
    const one = (await (await fetch(`${base}/api/anomaly?rule=${rule.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { charts: Array<{ endMs: number; groups: Array<{ points: unknown[]; minutesOutside: number; band: string }> }> };
    expect(one.charts).toHaveLength(1);
    expect(one.charts[0]).toMatchObject({ endMs: END, groups: [{ minutesOutside: 8, band: 'seasonal' }] });
    expect(one.charts[0]!.groups[0]!.points).toHaveLength(ANOMALY_CHART_MINUTES);
  });

  it('charts the value against its band and says how long it has been outside', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    await page.goto(`${base}/admin/observability#token=${TOKEN}`);
    const figure = page.locator(`[data-anomaly-chart="${rule.id}"]`);
    await figure.locator('canvas').first().waitFor();
    expect(await figure.locator('figcaption').textContent()).toBe('Wallet spend volume unusually low');
    expect(await figure.locator('[data-field="latest"]').textContent()).toBe('1.0 count/min');
    expect(await figure.locator('[data-field="band"]').textContent()).toMatch(/^ · usual 10\.0, band [0-9.]+ – [0-9.]+ \(seasonal, k=3\)$/);
    expect(await figure.locator('[data-field="outside"]').textContent()).toBe(' · outside for 8 min (fires at 5)');
    // The other catalogue rule has no data: it says so instead of drawing an empty chart.
    expect(await page.locator('[data-anomaly-chart="chat-messages-anomaly"] p.empty').textContent()).toBe('No data for product.chat.message.count yet.');
    const canvas = figure.locator('canvas').first();
    expect(await canvas.isVisible()).toBe(true);
    expect((await canvas.boundingBox())!.width).toBeGreaterThan(300);
    await figure.screenshot({ path: 'test-artifacts/dashboard-anomaly-band.png' });
    await page.close();
  });
});
