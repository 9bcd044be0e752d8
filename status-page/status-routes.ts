import { GET_METHODS, methodNotAllowed, trimTrailingSlashes, type HttpRequest, type HttpResponse } from '../http/http';
import { DEFAULT_IDENTITY, loadStatusPage, type StatusPageIdentity, type StatusPageSources } from './build-status';
import { renderStatusHtml, STATUS_PAGE_CSP } from './render-html';
import type { StatusPageData } from './summary';

export const STATUS_PATH = '/status';
export const STATUS_JSON_PATH = '/status.json';
/** How long browsers keep the page; shared caches (Firebase Hosting's CDN) keep it for {@link STATUS_SHARED_CACHE_SECONDS}. */
export const STATUS_CACHE_SECONDS = 30;
export const STATUS_SHARED_CACHE_SECONDS = 60;
/** How long one computation serves every request of this process (by the injected clock). */
export const STATUS_MEMO_MS = 30_000;

export interface StatusRouteOptions {
  readonly sources: StatusPageSources;
  /** "Now" for the page and for the memo's age; default Date.now. */
  readonly clock?: () => number;
  readonly identity?: StatusPageIdentity;
  /** Default {@link STATUS_MEMO_MS}; 0 recomputes on every request. */
  readonly memoMs?: number;
  /** A failed computation (the page answers 503 without detail): where its error goes. Must not print secrets. */
  readonly onError?: (error: unknown) => void;
}

interface Computed {
  readonly atMs: number;
  readonly data: Promise<StatusPageData>;
  html?: string;
  json?: string;
}

/**
 * `GET /status` (HTML) and `GET /status.json` (Statuspage summary): public, no authentication,
 * nothing internal in either (status-page/summary.ts). A burst of requests does one computation:
 * the first request starts it, the others share its promise, and its result (rendered once per
 * format) serves every request for {@link STATUS_MEMO_MS}; a failure is not kept. Responses carry
 * `Cache-Control: public, max-age=30, s-maxage=60`, so browsers and the CDN absorb most reads.
 * Returns undefined for paths it does not own; 405 (Allow: GET, HEAD) for other methods.
 */
export function createStatusRoutes(options: StatusRouteOptions): (request: HttpRequest) => Promise<HttpResponse | undefined> {
  const clock = options.clock ?? Date.now;
  const memoMs = options.memoMs ?? STATUS_MEMO_MS;
  const identity = options.identity ?? DEFAULT_IDENTITY;
  let memo: Computed | undefined;

  const current = (): Computed => {
    const now = clock();
    if (memo && now - memo.atMs < memoMs && now >= memo.atMs) return memo;
    const entry: Computed = { atMs: now, data: loadStatusPage(options.sources, now, identity) };
    memo = entry;
    entry.data.catch(() => {
      if (memo === entry) memo = undefined;
    });
    return entry;
  };

  const cache = `public, max-age=${STATUS_CACHE_SECONDS}, s-maxage=${STATUS_SHARED_CACHE_SECONDS}`;
  const common = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

  return async (request) => {
    const path = trimTrailingSlashes(request.path);
    if (path !== STATUS_PATH && path !== STATUS_JSON_PATH) return undefined;
    if (request.method !== 'GET') return methodNotAllowed(GET_METHODS);
    const asJson = path === STATUS_JSON_PATH;
    const entry = current();
    let data: StatusPageData;
    try {
      data = await entry.data;
    } catch (error) {
      options.onError?.(error);
      return unavailable(asJson, common);
    }
    if (asJson) {
      entry.json ??= JSON.stringify(data.summary);
      return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cache, 'access-control-allow-origin': '*', ...common }, body: entry.json };
    }
    entry.html ??= renderStatusHtml(data);
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': cache, 'content-security-policy': STATUS_PAGE_CSP, ...common }, body: entry.html };
  };
}

/** 503 without detail, not cached: the next request tries again. */
function unavailable(asJson: boolean, common: Record<string, string>): HttpResponse {
  const headers = { 'cache-control': 'no-store', 'retry-after': '30', ...common };
  if (asJson) return { status: 503, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: '{"error":"status unavailable, try again shortly"}' };
  return {
    status: 503,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'", ...headers },
    body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Status unavailable</title></head><body><main><h1>Status unavailable</h1><p>The status could not be read just now. Please try again in a minute.</p></main></body></html>',
  };
}
