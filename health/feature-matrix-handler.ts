import type { Warehouse } from '../sql/warehouse';
import { requireAdmin, type TokenVerifier } from '../http/admin-auth';
import { json, type HttpRequest, type HttpResponse } from '../http/http';
import { loadLiveSignals, type ActiveAlertsSource } from './live-signals';
import { featureMatrix } from './module-readiness';

/**
 * `GET /health/feature-matrix` (functions `pack421_health_featureMatrix_http`, and the callable
 * `pack421_health_featureMatrix` through {@link featureMatrixFor}): admin bearer token required.
 */
export function createFeatureMatrixHandler(options: {
  warehouse: Warehouse;
  verify: TokenVerifier;
  alerts?: ActiveAlertsSource;
  clock?: () => number;
}): (request: HttpRequest) => Promise<HttpResponse> {
  const clock = options.clock ?? Date.now;
  return async (request) => {
    const auth = await requireAdmin(request, options.verify);
    if (!auth.ok) return json(auth.status, { error: auth.error }, auth.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    return json(200, await featureMatrixFor(options.warehouse, options.alerts, clock()));
  };
}

export async function featureMatrixFor(warehouse: Warehouse, alerts: ActiveAlertsSource | undefined, nowMs: number) {
  return featureMatrix(await loadLiveSignals(warehouse, alerts, nowMs));
}
