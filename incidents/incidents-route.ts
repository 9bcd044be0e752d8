import { requireAdmin, type TokenVerifier } from '../http/admin-auth';
import { GET_METHODS, json, methodNotAllowed, trimTrailingSlashes, type HttpRequest, type HttpResponse } from '../http/http';
import type { Incident } from './incident';
import type { IncidentStore } from './incident-store';

export const INCIDENTS_API_PATH = '/api/incidents';

/** What the list shows: every open incident and those changed in the last 7 days (`?all=1`: 90 days). */
export const RECENT_INCIDENTS_MS = 7 * 86_400_000;
export const ALL_INCIDENTS_MS = 90 * 86_400_000;

/** An incident as the API and `obs incidents … --json` give it: the model with ISO times beside the epoch ones. */
export function incidentJson(incident: Incident): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...incident,
    openedAt: iso(incident.openedAtMs),
    acknowledgedAt: iso(incident.acknowledgedAtMs),
    resolvedAt: iso(incident.resolvedAtMs),
    timeline: incident.timeline.map((e) => ({ at: iso(e.atMs), atMs: e.atMs, type: e.type, ...e.detail })),
  };
}

/**
 * `GET /api/incidents` (open and recent incidents with their timelines; `?all=1` for 90 days) and
 * `GET /api/incidents/<id>` (one; 404 when unknown), with the admin bearer token like every /api
 * route. Undefined for other paths.
 */
export function createIncidentsRoute(options: { store: () => IncidentStore | Promise<IncidentStore>; verify: TokenVerifier; clock: () => number }): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  return async (request) => {
    const path = trimTrailingSlashes(request.path);
    if (path !== INCIDENTS_API_PATH && !path.startsWith(`${INCIDENTS_API_PATH}/`)) return undefined;
    if (request.method !== 'GET') return methodNotAllowed(GET_METHODS);
    const auth = await requireAdmin(request, options.verify);
    if (!auth.ok) return json(auth.status, { error: auth.error }, auth.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    const store = await options.store();
    if (path === INCIDENTS_API_PATH) {
      const nowMs = options.clock();
      const all = request.query.all === '1' || request.query.all === 'true';
      const incidents = await store.load(nowMs - (all ? ALL_INCIDENTS_MS : RECENT_INCIDENTS_MS));
      return json(200, { generatedAt: new Date(nowMs).toISOString(), incidents: incidents.map(incidentJson) });
    }
    const id = decodeURIComponent(path.slice(INCIDENTS_API_PATH.length + 1));
    const incident = id.includes('/') ? undefined : await store.get(id);
    return incident ? json(200, { incident: incidentJson(incident) }) : json(404, { error: `no incident with id ${id}` });
  };
}
