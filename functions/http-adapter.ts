import { json, type HttpRequest, type HttpResponse } from '../health/http';

/**
 * The parts of a Cloud Functions (Express) request the handlers read. Structural, so this module
 * does not import express and tests can pass plain objects. Express lower-cases header names.
 */
export interface FunctionsRequest {
  readonly method: string;
  /** The path as the client sent it: `/health/internal` through a Hosting rewrite, `/` on the function's own URL. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Express's parsed query: values may be strings, arrays or nested objects. */
  readonly query: unknown;
}

/** The parts of an Express response the adapter writes. */
export interface FunctionsResponse {
  status(code: number): FunctionsResponse;
  set(headers: Record<string, string>): FunctionsResponse;
  send(body: string): unknown;
}

/** How the adapter reports a handler that threw: a secret-free description, and where it goes (firebase-functions' logger). */
export interface ErrorReporting {
  describeError(error: unknown): string;
  log(message: string, fields: Record<string, unknown>): void;
}

/** A Functions request as the framework-free {@link HttpRequest}: lower-case headers, string query values only. */
export function toHttpRequest(request: FunctionsRequest): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string | undefined> = {};
  if (typeof request.query === 'object' && request.query !== null) {
    for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
      // `?key=a&key=b` arrives as an array and `?a[b]=c` as an object: neither is a value we read.
      if (typeof value === 'string') query[name] = value;
    }
  }
  return { method: request.method.toUpperCase(), path: request.path || '/', headers, query };
}

export function sendHttpResponse(response: FunctionsResponse, answer: HttpResponse): void {
  response.status(answer.status).set(answer.headers).send(answer.body);
}

export const NOT_FOUND: HttpResponse = json(404, { error: 'not found' });

/**
 * The body of an `onRequest` function: GET (and HEAD, which Express answers without a body) go to
 * `handle`; other methods get 405. A handler that throws (a dependency that cannot even be
 * opened, say) is logged and answered with 503 and no detail: the error may name internals, and
 * health endpoints are read by machines that only need the status.
 */
export function serveGet(
  handle: (request: HttpRequest) => Promise<HttpResponse | undefined> | HttpResponse | undefined,
  errors: ErrorReporting,
): (request: FunctionsRequest, response: FunctionsResponse) => Promise<void> {
  return async (req, res) => {
    const request = toHttpRequest(req);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendHttpResponse(res, json(405, { error: 'method not allowed' }, { allow: 'GET, HEAD' }));
      return;
    }
    let answer: HttpResponse;
    try {
      answer = (await handle(request.method === 'HEAD' ? { ...request, method: 'GET' } : request)) ?? NOT_FOUND;
    } catch (error) {
      errors.log('request failed', { path: request.path, error: errors.describeError(error) });
      answer = json(503, { error: 'unavailable' });
    }
    sendHttpResponse(res, answer);
  };
}
