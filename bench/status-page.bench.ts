/**
 * `npm run bench -- status-page`: the target of issue #16, "the status page renders in under 1 s
 * with 12 components and 90 days".
 *
 * Data: one objective per module (12 SLOs, passed as the page's SLO list, so every component has
 * a bar), each over a count metric of its module with SERIES series a day (tag values), 90 days of
 * events rolled up by the real rebuild into 1-minute, hourly and daily rollups in DuckDB
 * (:memory:). What is measured, each as median and p95 of several runs:
 *
 * 1. Server side, no memo: reading the live signals, the 90 days of daily sums (two queries) and
 *    the sources, and building the page (loadStatusPage), then rendering the HTML and the JSON.
 * 2. Server side, memo hit: a request answered from the memo (what a burst costs after the first).
 * 3. Chromium: navigation start to DOMContentLoaded and to first contentful paint, over the local
 *    stack's HTTP server, each load in a fresh browser context (nothing cached) — once with the
 *    memo off (every load computes the page) and once with it on (every load but the first is
 *    served from it). The target: under 1,000 ms.
 */
import type { Server } from 'node:http';
import { chromium } from 'playwright-core';
import { runRebuild } from '../aggregator/rebuild';
import { createHttpServer, listen } from '../cli/local/http-server';
import { NO_PUBLIC_INCIDENTS } from '../incidents';
import { NO_MAINTENANCE } from '../maintenance';
import { METRICS, MODULE_IDS, seriesKey, type MetricName, type SloSpec } from '../shared';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../sql/warehouse';
import { loadStatusPage } from '../status-page/build-status';
import { renderStatusHtml } from '../status-page/render-html';
import { createStatusRoutes } from '../status-page/status-routes';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/chromium';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27, 12, 0);
const TODAY = Math.floor(NOW / DAY) * DAY;
const DAYS = 90;
const SERIES = 20;
const SERVER_RUNS = 30;
const BROWSER_LOADS = 15;
const TARGET_MS = 1_000;

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
};
const fmt = (xs: readonly number[]) => `median ${quantile(xs, 0.5).toFixed(2)} ms · p95 ${quantile(xs, 0.95).toFixed(2)} ms`;

/** One objective per module: a count metric of the module with a tag, its events with tag value `bad` are the bad ones. */
function benchSlos(): SloSpec[] {
  return MODULE_IDS.map((module) => {
    const [metric, def] = Object.entries(METRICS).find(([, d]) => d.module === module && d.kind === 'count' && d.tags.length > 0)! as [MetricName, (typeof METRICS)[MetricName]];
    return {
      id: `bench-${module}`,
      name: `Bench ${module}`,
      module,
      category: 'success_rate',
      objective: 0.999,
      windowDays: 30,
      description: 'bench',
      sli: { total: [{ metric }], bad: [{ metric, where: { [def.tags[0]!]: 'bad' } }] },
    } satisfies SloSpec;
  });
}

function events(slos: readonly SloSpec[]): EventRow[] {
  const rows: EventRow[] = [];
  let n = 0;
  for (const slo of slos) {
    const metric = slo.sli.total[0]!.metric;
    const tag = Object.keys(slo.sli.bad![0]!.where!)[0]!;
    for (let d = DAYS - 1; d >= 0; d--) {
      for (let s = 0; s < SERIES; s++) {
        const t = TODAY - d * DAY + s * 60_000;
        const bad = s === 0;
        const tags = { [tag]: bad ? 'bad' : `v${s}` };
        rows.push({ event_id: `b${++n}`, name: metric, kind: 'count', value: bad ? (d % 17 === 0 ? 50 : 1) : 100, event_ts_ms: t, ingest_ts_ms: t + 1_000, series_key: seriesKey(tags), tags: JSON.stringify(tags), service: 'bench', environment: 'bench', message_id: null });
      }
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const { loadavg } = await import('node:os');
  process.stdout.write(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores)\n`);
  const slos = benchSlos();
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  const rows = events(slos);
  await wh.insertEvents(rows);
  await runRebuild(wh, { fromMs: TODAY - (DAYS - 1) * DAY, toMs: NOW, nowMs: NOW });
  process.stdout.write(`${slos.length} components × ${DAYS} days, ${SERIES} series a metric: ${rows.length} events rolled up (DuckDB :memory:)\n\n`);
  const sources = { warehouse: wh, incidents: NO_PUBLIC_INCIDENTS, maintenance: NO_MAINTENANCE, slos: () => slos };

  // 1. Server side, no memo.
  const load: number[] = [];
  const render: number[] = [];
  let bars = 0;
  for (let i = 0; i < SERVER_RUNS + 3; i++) {
    const t0 = performance.now();
    const data = await loadStatusPage(sources, NOW);
    const t1 = performance.now();
    const html = renderStatusHtml(data);
    JSON.stringify(data.summary);
    const t2 = performance.now();
    bars = (html.match(/<li class="d-/g) ?? []).length;
    if (i >= 3) {
      load.push(t1 - t0);
      render.push(t2 - t1);
    }
  }
  if (bars !== slos.length * DAYS) throw new Error(`expected ${slos.length * DAYS} day bars, found ${bars}`);
  const sample = await loadStatusPage(sources, NOW);
  process.stdout.write(`page: ${Buffer.byteLength(renderStatusHtml(sample))} bytes of HTML, ${Buffer.byteLength(JSON.stringify(sample.summary))} bytes of JSON (uncompressed)\n`);
  const total = load.map((l, i) => l + render[i]!);
  process.stdout.write(`server, no memo (${SERVER_RUNS} runs): read + build ${fmt(load)}; render HTML + JSON ${fmt(render)}; total ${fmt(total)}\n`);

  // 2. Memo hit.
  const routes = createStatusRoutes({ sources, clock: () => NOW });
  await routes({ method: 'GET', path: '/status', headers: {}, query: {} });
  const hits: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const t0 = performance.now();
    await routes({ method: 'GET', path: i % 2 ? '/status' : '/status.json', headers: {}, query: {} });
    hits.push(performance.now() - t0);
  }
  process.stdout.write(`server, memo hit (1,000 requests): median ${(quantile(hits, 0.5) * 1000).toFixed(1)} µs · p95 ${(quantile(hits, 0.95) * 1000).toFixed(1)} µs\n`);

  // 3. Chromium.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const results: Array<[string, number[], number[]]> = [];
  for (const memoMs of [0, 30_000]) {
    const server: Server = createHttpServer([createStatusRoutes({ sources, clock: () => NOW, memoMs })]);
    const base = `http://127.0.0.1:${await listen(server, 0)}`;
    const dcl: number[] = [];
    const fcp: number[] = [];
    for (let i = 0; i < BROWSER_LOADS + 2; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/status`, { waitUntil: 'load' });
      // The paint entry may come after 'load' in headless Chromium: wait for it (buffered observer).
      const t = await page.evaluate<{ dcl: number; fcp: number }>(`new Promise((resolve) => {
        const nav = performance.getEntriesByType('navigation')[0];
        const done = (fcp) => resolve({ dcl: nav.domContentLoadedEventEnd, fcp });
        new PerformanceObserver((list) => {
          const entry = list.getEntriesByName('first-contentful-paint')[0];
          if (entry) done(entry.startTime);
        }).observe({ type: 'paint', buffered: true });
        setTimeout(() => done(-1), 10000);
      })`);
      if (t.fcp < 0) throw new Error('no first-contentful-paint entry within 10 s');
      await context.close();
      if (i >= 2) {
        dcl.push(t.dcl);
        fcp.push(t.fcp);
      }
    }
    await new Promise((resolve) => server.close(resolve));
    results.push([memoMs === 0 ? 'memo off (every load computes)' : 'memo on (served from the memo)', dcl, fcp]);
  }
  await browser.close();
  await wh.close();
  process.stdout.write(`\nChromium, navigation start → (${BROWSER_LOADS} loads each, fresh context, 1280×900)\n`);
  process.stdout.write(`| server | DOMContentLoaded median | p95 | first contentful paint median | p95 | vs ${TARGET_MS} ms target (p95 FCP) |\n|---|---|---|---|---|---|\n`);
  for (const [name, dcl, fcp] of results) {
    process.stdout.write(`| ${name} | ${quantile(dcl, 0.5).toFixed(0)} ms | ${quantile(dcl, 0.95).toFixed(0)} ms | ${quantile(fcp, 0.5).toFixed(0)} ms | ${quantile(fcp, 0.95).toFixed(0)} ms | ${(quantile(fcp, 0.95) / TARGET_MS).toFixed(2)}× (${quantile(fcp, 0.95) < TARGET_MS ? 'met' : 'NOT met'}) |\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
