import { createDashboardRoutes } from '../../dashboard/dashboard-routes';
import { LOCAL_QUICK_LINKS, type DashboardSources } from '../../dashboard/dashboard-data';
import type { TokenVerifier } from '../../http/admin-auth';
import { GET_METHODS, methodNotAllowed, type HttpRequest, type HttpResponse } from '../../http/http';
import { createFeatureMatrixHandler } from '../../health/feature-matrix-handler';
import { createInternalHealthHandler } from '../../health/internal-health';
import { createPublicHealthHandler } from '../../health/public-health';
import { createMetricsHandler } from '../../exporters/metrics-route';
import { createStatusRoutes } from '../../status-page';
import { NO_PUBLIC_INCIDENTS, type PublicIncidentSource } from '../../incidents';
import { NO_MAINTENANCE, type MaintenanceSource } from '../../maintenance';
import { createDocsRoute } from './docs-route';
import { WarehouseAlertLog } from '../../alerts/state/alert-log';
import { redactorFor } from '../../shared/redaction';
import { createGateRoute } from '../../slo-gate/gate-route';
import type { Route } from './http-server';

/** A route that owns `path` and serves GET there (HEAD reaches it as GET); other methods get 405. */
export function getRoute(path: string, handle: (request: HttpRequest) => Promise<HttpResponse> | HttpResponse): Route {
  return (request) => {
    if (request.path !== path) return undefined;
    return request.method === 'GET' ? handle(request) : methodNotAllowed(GET_METHODS);
  };
}

/**
 * The routes of the local stack (ARCHITECTURE.md, "HTTP"): health endpoints, dashboard and its API,
 * the docs. The dashboard's quick links default to what this stack serves (no admin app locally).
 */
export function createHttpRoutes(options: {
  sources: DashboardSources;
  verify: TokenVerifier;
  clock?: () => number;
  /** The public status page's incidents and maintenance windows (default: none), and the memo of its computation (status-page/status-routes.ts). */
  status?: { incidents?: PublicIncidentSource; maintenance?: MaintenanceSource; memoMs?: number; onError?: (error: unknown) => void };
}): Route[] {
  const clock = options.clock ?? Date.now;
  const sources: DashboardSources = { quickLinks: LOCAL_QUICK_LINKS, ...options.sources };
  const publicHealth = createPublicHealthHandler(options.sources.config.environment, clock);
  const internal = createInternalHealthHandler({ config: options.sources.config, probes: options.sources.probes, clock });
  const matrix = createFeatureMatrixHandler({ warehouse: options.sources.warehouse, verify: options.verify, ...(options.sources.alerts ? { alerts: options.sources.alerts } : {}), clock });
  const dashboard = createDashboardRoutes({ sources, verify: options.verify, clock });
  const config = options.sources.config;
  const gateLog = new WarehouseAlertLog(options.sources.warehouse, redactorFor(config));
  // The release gate (issue #16, slo-gate/): an admin token or OBS_GATE_TOKEN.
  const gate = createGateRoute({ deps: () => ({ warehouse: options.sources.warehouse, log: gateLog }), verify: options.verify, gateToken: () => config.gateToken, clock });
  return [
    getRoute('/health/public', () => publicHealth()),
    getRoute('/health/internal', internal),
    getRoute('/health/feature-matrix', matrix),
    // Prometheus scrapes the closed minutes here (exporters/metrics-route.ts), with the internal key.
    getRoute('/metrics', createMetricsHandler({ warehouse: () => options.sources.warehouse, internalKey: () => options.sources.config.internalHealthApiKey })),
    gate,
    dashboard,
    // The public status page (status-page/): no authentication, nothing internal.
    createStatusRoutes({
      sources: { warehouse: options.sources.warehouse, ...(options.sources.alerts ? { alerts: options.sources.alerts } : {}), incidents: options.status?.incidents ?? NO_PUBLIC_INCIDENTS, maintenance: options.status?.maintenance ?? NO_MAINTENANCE },
      clock,
      ...(options.status?.memoMs === undefined ? {} : { memoMs: options.status.memoMs }),
      ...(options.status?.onError ? { onError: options.status.onError } : {}),
    }),
    createDocsRoute(),
  ];
}
