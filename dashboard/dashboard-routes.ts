import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anomalyChart } from '../alerts/anomaly/anomaly-chart';
import { anomalyRules } from '../alerts/anomaly/anomaly-rules';
import type { AnomalyAlertRule } from '../alerts/model/alert-rule';
import { requireAdmin, type TokenVerifier } from '../http/admin-auth';
import { GET_METHODS, json, methodNotAllowed, trimTrailingSlashes, type HttpRequest, type HttpResponse } from '../http/http';
import { loadDashboard, type DashboardSources } from './dashboard-data';

export const DASHBOARD_PATH = '/admin/observability';
export const DASHBOARD_API_PATH = '/api/dashboard';
/** The anomaly rules' band charts (alerts/anomaly/anomaly-chart.ts): all of them, or `?rule=ID`. */
export const ANOMALY_API_PATH = '/api/anomaly';
export const FAVICON_PATH = '/favicon.ico';

/** dashboard/public holds the page; it sits beside the sources and is not compiled, so look in both places. */
function publicDir(): string {
  for (const dir of [join(__dirname, 'public'), join(__dirname, '..', '..', 'dashboard', 'public')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new Error('dashboard/public/index.html not found next to the dashboard code');
}

/** One file the page needs: where it is served, where it is read from, its type. */
export interface DashboardAssetFile {
  readonly path: string;
  readonly file: string;
  readonly type: string;
}

/**
 * The page and its assets. uPlot comes from node_modules: served locally, no CDN. The dashboard
 * function serves them all; Firebase Hosting serves copies of all but the page
 * (scripts/build-hosting.ts), so they come from the CDN without invoking the function.
 */
export function dashboardAssetFiles(): DashboardAssetFile[] {
  const dir = publicDir();
  const uplot = (file: string) => require.resolve(`uplot/dist/${file}`);
  return [
    { path: DASHBOARD_PATH, file: join(dir, 'index.html'), type: 'text/html; charset=utf-8' },
    { path: `${DASHBOARD_PATH}/app.js`, file: join(dir, 'app.js'), type: 'text/javascript; charset=utf-8' },
    { path: `${DASHBOARD_PATH}/app.css`, file: join(dir, 'app.css'), type: 'text/css; charset=utf-8' },
    // The page links the .svg (its type is right wherever it is served); /favicon.ico answers the
    // request browsers make on their own, on the dashboard and on the rendered docs alike.
    { path: `${DASHBOARD_PATH}/favicon.svg`, file: join(dir, 'favicon.svg'), type: 'image/svg+xml' },
    { path: FAVICON_PATH, file: join(dir, 'favicon.svg'), type: 'image/svg+xml' },
    { path: `${DASHBOARD_PATH}/vendor/uPlot.iife.min.js`, file: uplot('uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
    { path: `${DASHBOARD_PATH}/vendor/uPlot.min.css`, file: uplot('uPlot.min.css'), type: 'text/css; charset=utf-8' },
  ];
}

interface Asset {
  type: string;
  body: string;
}

/** The page and its assets, read once. */
function loadAssets(): Map<string, Asset> {
  return new Map(dashboardAssetFiles().map((a) => [a.path, { type: a.type, body: readFileSync(a.file, 'utf8') }]));
}

/**
 * Routes of the admin dashboard. The page and its assets hold no data and are served to anyone;
 * the data (`GET /api/dashboard`) requires an admin bearer token, which the page takes from the
 * URL fragment (never sent to a server or written to access logs) or from a sign-in box.
 * Returns undefined for paths it does not own, and 405 (Allow: GET, HEAD) for other methods on its own.
 */
export function createDashboardRoutes(options: { sources: DashboardSources; verify: TokenVerifier; clock?: () => number; anomalyRules?: readonly AnomalyAlertRule[] }): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  const assets = loadAssets();
  const clock = options.clock ?? Date.now;
  const security = {
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  return async (request) => {
    // Linear, unlike the regex it replaces (issue 17): the path is attacker-controlled.
    const path = trimTrailingSlashes(request.path);
    const asset = assets.get(path);
    if (!asset && path !== DASHBOARD_API_PATH && path !== ANOMALY_API_PATH) return undefined;
    // The adapters answer HEAD as GET without the body; nothing here takes a body.
    if (request.method !== 'GET') return methodNotAllowed(GET_METHODS);
    if (asset) {
      const cache = path === DASHBOARD_PATH ? 'no-cache' : 'public, max-age=300';
      return { status: 200, headers: { 'content-type': asset.type, 'cache-control': cache, ...security }, body: asset.body };
    }
    const auth = await requireAdmin(request, options.verify);
    if (!auth.ok) return json(auth.status, { error: auth.error }, auth.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    if (path === ANOMALY_API_PATH) return anomalyCharts(request, options.sources, options.anomalyRules ?? anomalyRules(), clock());
    return json(200, await loadDashboard(options.sources, clock()));
  };
}

/** GET /api/anomaly[?rule=ID]: the band charts of the anomaly rules; 404 naming an unknown rule. */
async function anomalyCharts(request: HttpRequest, sources: DashboardSources, rules: readonly AnomalyAlertRule[], nowMs: number): Promise<HttpResponse> {
  const wanted = request.query.rule;
  const chosen = wanted === undefined ? rules : rules.filter((r) => r.id === wanted);
  if (chosen.length === 0 && wanted !== undefined) return json(404, { error: `no anomaly rule ${wanted}; known: ${rules.map((r) => r.id).join(', ')}` });
  const charts = [];
  for (const rule of chosen) charts.push(await anomalyChart(sources.warehouse, rule, nowMs));
  return json(200, { generatedAt: nowMs, charts });
}
