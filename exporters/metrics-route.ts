import { checkInternalKey } from '../http/internal-auth';
import { json, type HttpRequest, type HttpResponse } from '../http/http';
import type { Warehouse } from '../sql/warehouse';
import { renderMetricsPage } from './prometheus-exporter';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text';

/**
 * GET /metrics (the local stack; the `pack421_metrics` function): the rollups of the current UTC
 * hour's closed minutes in the Prometheus text format (prometheus-text.ts has the mapping), for a
 * Prometheus server to scrape. Business metrics are not public: the internal health key is
 * required, as `X-Internal-Key` or as `Authorization: Bearer <key>` (what a Prometheus scrape
 * config's `authorization.credentials` sends). HEAD is answered by the servers as GET without a body.
 */
export function createMetricsHandler(deps: { warehouse: () => Warehouse; internalKey: () => string | undefined }): (request: HttpRequest) => Promise<HttpResponse> {
  return async (request) => {
    const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const check = checkInternalKey(bearer !== undefined ? { ...request, headers: { ...request.headers, 'x-internal-key': bearer } } : request, deps.internalKey());
    if (!check.ok) {
      const status = check.reason === 'not_configured' ? 503 : 401;
      return json(status, { error: check.reason === 'not_configured' ? 'INTERNAL_HEALTH_API_KEY is not set: /metrics is closed' : 'X-Internal-Key or Authorization: Bearer <internal key> required' });
    }
    const body = await renderMetricsPage(deps.warehouse());
    return { status: 200, headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }, body };
  };
}
