import { VERSION } from '../shared/version';
import { json, type HttpResponse } from '../http/http';

export interface PublicHealthBody {
  status: 'ok';
  version: string;
  timestamp: number;
  environment: string;
}

/**
 * `GET /health/public` (function `pack421_health_public`): for load balancers and uptime checks.
 * No I/O on the request path: if the process can answer, it is up. Built once per environment.
 */
export function createPublicHealthHandler(environment: string, clock: () => number = Date.now): () => HttpResponse {
  const prefix = `{"status":"ok","version":${JSON.stringify(VERSION)},"environment":${JSON.stringify(environment)},"timestamp":`;
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  return () => ({ status: 200, headers, body: `${prefix}${clock()}}` });
}

/** The same body as an object, for callers that are not HTTP. */
export function publicHealth(environment: string, now: number = Date.now()): HttpResponse {
  return json(200, { status: 'ok', version: VERSION, timestamp: now, environment } satisfies PublicHealthBody);
}
