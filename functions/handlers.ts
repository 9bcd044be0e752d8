import { HttpsError } from 'firebase-functions/v2/https';
import { createDashboardRoutes } from '../dashboard/dashboard-routes';
import { createMetricsHandler } from '../exporters/metrics-route';
import { WarehouseAlertLog } from '../alerts/state/alert-log';
import { createGateRoute } from '../slo-gate/gate-route';
import { isAdminClaims } from '../http/admin-auth';
import { createFeatureMatrixHandler, featureMatrixFor } from '../health/feature-matrix-handler';
import type { HttpRequest, HttpResponse } from '../http/http';
import { createInternalHealthHandler } from '../health/internal-health';
import type { FeatureMatrix } from '../health/module-readiness';
import { createPublicHealthHandler } from '../health/public-health';
import { storePublicIncidents } from '../incidents/public-incidents';
import { storeMaintenanceSource } from '../maintenance/store-source';
import { WarehouseMaintenanceStore } from '../maintenance/warehouse-maintenance-store';
import { createStatusRoutes, STATUS_PATH } from '../status-page';
import { createIncidentsRoute } from '../incidents/incidents-route';
import { createPagerDutyWebhookRoute, PAGERDUTY_WEBHOOK_PATH } from '../incidents/pagerduty-webhook';
import { once } from '../app/once';
import type { ProductionApp } from '../app/production';

type Handler = (request: HttpRequest) => Promise<HttpResponse | undefined>;

/** The caller of a callable function as firebase-functions hands it over (`request.auth`): the ID token is already verified. */
export interface CallableAuth {
  readonly uid: string;
  readonly token: Record<string, unknown>;
}

export interface FunctionHandlers {
  /** `pack421_health_public`: no I/O. */
  readonly publicHealth: Handler;
  /** `pack421_health_internal`: X-Internal-Key, then every probe. */
  readonly internalHealth: Handler;
  /** `pack421_health_featureMatrix_http`: Bearer Firebase ID token with the admin claim. */
  readonly featureMatrix: Handler;
  /** `pack421_metrics`: the closed minutes in the Prometheus text format, for a scrape with the internal key (exporters/metrics-route.ts). */
  readonly metrics: Handler;
  /** `pack421_dashboard`: the page and its assets (anyone), GET /api/dashboard (admin token), GET /api/slo/gate (admin or OBS_GATE_TOKEN), GET /api/incidents (admin token); undefined for other paths. */
  readonly dashboard: Handler;
  /** `pack421_status`: the public status page, GET /status and /status.json (anyone; status-page/); its own URL's `/` is the page; undefined for other paths. */
  readonly status: Handler;
  /** `pack421_pagerduty_webhook`: PagerDuty's v3 webhook (POST, signed with PAGERDUTY_WEBHOOK_SECRET) acknowledging or resolving incidents. */
  readonly pagerdutyWebhook: Handler;
  /**
   * `pack421_health_featureMatrix` (callable): the same matrix. Throws HttpsError `unauthenticated`
   * without a signed-in caller and `permission-denied` without the admin claim (the client SDK
   * sees the code; any other error reaches it as `internal`, without detail).
   */
  featureMatrixCall(auth: CallableAuth | undefined): Promise<FeatureMatrix>;
}

/**
 * The framework-free handlers (health/, dashboard/) wired to the production assembly of one
 * function instance (app/production.ts). Each is built on its function's first request, so an
 * instance only builds what it serves.
 */
export function createFunctionHandlers(instance: ProductionApp): FunctionHandlers {
  const clock = () => instance.clock.now();
  const publicHealth = once(() => createPublicHealthHandler(instance.config().environment, clock));
  const internalHealth = once(() => createInternalHealthHandler({ config: instance.config(), probes: instance.probes(), clock }));
  const featureMatrix = once(() => {
    const alerts = instance.alerts();
    return createFeatureMatrixHandler({ warehouse: instance.warehouse(), verify: instance.verifier(), ...(alerts ? { alerts } : {}), clock });
  });
  const dashboard = once(() => {
    const alerts = instance.alerts();
    return createDashboardRoutes({
      sources: { warehouse: instance.warehouse(), ...(alerts ? { alerts } : {}), probes: instance.probes(), config: instance.config(), incidents: instance.incidents() },
      verify: instance.verifier(),
      clock,
    });
  });
  const gate = once(() =>
    createGateRoute({
      deps: () => ({ warehouse: instance.warehouse(), log: new WarehouseAlertLog(instance.warehouse(), instance.redactor()) }),
      verify: instance.verifier(),
      gateToken: () => instance.config().gateToken,
      clock,
      onError: (error) => instance.logger().error('release gate: the error budgets could not be read', { error: String(error) }),
    }),
  );
  const incidentsApi = once(() => createIncidentsRoute({ store: () => instance.incidents(), verify: instance.verifier(), clock }));
  const pagerdutyWebhook = once(() =>
    createPagerDutyWebhookRoute({ secret: () => instance.config().pagerdutyWebhookSecret, store: () => instance.incidents(), clock, logger: instance.logger() }),
  );
  const status = once(() => {
    const alerts = instance.alerts();
    return createStatusRoutes({
      sources: { warehouse: instance.warehouse(), ...(alerts ? { alerts } : {}), incidents: storePublicIncidents(() => instance.incidents()), maintenance: storeMaintenanceSource(new WarehouseMaintenanceStore(instance.warehouse())) },
      clock,
      onError: (error) => instance.logger().error('status page: the status could not be read', { error: instance.describeError(error) }),
    });
  });
  const metrics = once(() => createMetricsHandler({ warehouse: () => instance.warehouse(), internalKey: () => instance.config().internalHealthApiKey }));
  return {
    publicHealth: () => Promise.resolve(publicHealth()()),
    internalHealth: (request) => internalHealth()(request),
    featureMatrix: (request) => featureMatrix()(request),
    metrics: (request) => metrics()(request),
    // The function serves the webhook alone: at its own URL (path /) as behind the Hosting rewrite.
    pagerdutyWebhook: (request) => pagerdutyWebhook()({ ...request, path: PAGERDUTY_WEBHOOK_PATH }),
    dashboard: async (request) => (await gate()(request)) ?? (await incidentsApi()(request)) ?? dashboard()(request),
    status: (request) => status()(request.path === '/' ? { ...request, path: STATUS_PATH } : request),
    async featureMatrixCall(auth) {
      if (!auth) throw new HttpsError('unauthenticated', 'sign in with Firebase Auth first');
      if (!isAdminClaims(auth.token)) throw new HttpsError('permission-denied', 'admin claim required');
      return featureMatrixFor(instance.warehouse(), instance.alerts(), clock());
    },
  };
}
