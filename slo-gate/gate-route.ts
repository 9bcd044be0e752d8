import { createHash, timingSafeEqual } from 'node:crypto';
import { requireAdmin, type TokenVerifier } from '../http/admin-auth';
import { GET_METHODS, json, methodNotAllowed, trimTrailingSlashes, type HttpRequest, type HttpResponse } from '../http/http';
import { GateRequestError, parseGateRequest } from './gate-policy';
import { answerGate, type GateDeps } from './gate-service';

export const GATE_PATH = '/api/slo/gate';

export interface GateRouteOptions {
  /** The warehouse and alert log, resolved per request (production opens the warehouse on first use). */
  readonly deps: () => GateDeps | Promise<GateDeps>;
  /** Admin bearer tokens, as every /api route (http/admin-auth.ts). */
  readonly verify: TokenVerifier;
  /** OBS_GATE_TOKEN: a bearer token for CI/CD that may call this route and nothing else. Unset: admins only. */
  readonly gateToken: () => string | undefined;
  readonly clock: () => number;
  /** Logs an unexpected failure (the caller's redacting logger); the client gets a generic 500. */
  readonly onError?: (error: unknown) => void;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Who may ask: the gate token (compared in constant time), else an admin token. Never echoes a token. */
async function authorise(request: HttpRequest, options: GateRouteOptions): Promise<{ ok: true; who: string } | { ok: false; response: HttpResponse }> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const gateToken = options.gateToken();
  if (match?.[1] && gateToken && timingSafeEqual(digest(match[1]), digest(gateToken))) return { ok: true, who: 'gate-token' };
  const admin = await requireAdmin(request, options.verify);
  if (admin.ok) return { ok: true, who: `admin:${admin.identity.uid}` };
  return { ok: false, response: json(admin.status, { error: admin.error === 'admin claim required' ? 'admin claim or the gate token required' : admin.error }, admin.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) };
}

/**
 * `GET /api/slo/gate?module=wallet[&emergency=true&reason=…]` (docs/SLOS.md "Release gate"):
 * 200 with the decision (allow or deny: a deny is an answer, not an error, so the body is always
 * the same shape); 400 naming the problem (unknown module, with the valid ones); 401 without a
 * token, 403 with a non-admin one; 500 when the budgets cannot be read (no guess). Never cached.
 * Returns undefined for other paths.
 */
export function createGateRoute(options: GateRouteOptions): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  const noStore = { 'cache-control': 'no-store' };
  return async (request) => {
    if (trimTrailingSlashes(request.path) !== GATE_PATH) return undefined;
    if (request.method !== 'GET') return methodNotAllowed(GET_METHODS);
    const auth = await authorise(request, options);
    if (!auth.ok) return auth.response;
    let gateRequest;
    try {
      gateRequest = parseGateRequest({ module: request.query.module, emergency: request.query.emergency, reason: request.query.reason });
    } catch (error) {
      if (error instanceof GateRequestError) return json(400, { error: error.message }, noStore);
      throw error;
    }
    try {
      const decision = await answerGate(await options.deps(), gateRequest, options.clock(), auth.who);
      return json(200, decision, noStore);
    } catch (error) {
      options.onError?.(error);
      return json(500, { error: 'the error budgets could not be read; no decision (see the server log)' }, noStore);
    }
  };
}
