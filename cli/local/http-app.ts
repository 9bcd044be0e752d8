import { createDashboardRoutes } from '../../dashboard/dashboard-routes';
import type { DashboardSources } from '../../dashboard/dashboard-data';
import type { TokenVerifier } from '../../health/admin-auth';
import { createFeatureMatrixHandler } from '../../health/feature-matrix-handler';
import { createInternalHealthHandler } from '../../health/internal-health';
import { createPublicHealthHandler } from '../../health/public-health';
import { createDocsRoute } from './docs-route';
import type { Route } from './http-server';

/** The routes of the local stack (ARCHITECTURE.md, "HTTP"): health endpoints, dashboard and its API, the docs. */
export function createHttpRoutes(options: { sources: DashboardSources; verify: TokenVerifier; clock?: () => number }): Route[] {
  const clock = options.clock ?? Date.now;
  const publicHealth = createPublicHealthHandler(options.sources.config.environment, clock);
  const internal = createInternalHealthHandler({ config: options.sources.config, probes: options.sources.probes, clock });
  const matrix = createFeatureMatrixHandler({ warehouse: options.sources.warehouse, verify: options.verify, ...(options.sources.alerts ? { alerts: options.sources.alerts } : {}), clock });
  const dashboard = createDashboardRoutes({ sources: options.sources, verify: options.verify, clock });
  return [
    (r) => (r.method === 'GET' && r.path === '/health/public' ? publicHealth() : undefined),
    (r) => (r.method === 'GET' && r.path === '/health/internal' ? internal(r) : undefined),
    (r) => (r.method === 'GET' && r.path === '/health/feature-matrix' ? matrix(r) : undefined),
    dashboard,
    createDocsRoute(),
  ];
}
