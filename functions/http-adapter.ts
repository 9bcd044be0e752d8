import { checkUrlLength, declaredLength, GET_METHODS, headFrom, json, MAX_BODY_BYTES, methodNotAllowed, payloadTooLarge, type HttpRequest, type HttpResponse } from '../http/http';

/**
 * The parts of a Cloud Functions (Express) request the handlers read. Structural, so this module
 * does not import express and tests can pass plain objects. Express lower-cases header names.
 */
export interface FunctionsRequest {
  readonly method: string;
  /** The path as the client sent it: `/health/internal` through a Hosting rewrite, `/` on the function's own URL. */
  readonly path: string;
  /** The request target as sent, path and query (Express `originalUrl`); `path` when absent. */
  readonly originalUrl?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Express's parsed query: values may be strings, arrays or nested objects. */
  readonly query: unknown;
}

/** The parts of an Express response the adapter writes. */
export interface FunctionsResponse {
  status(code: number): FunctionsResponse;
  set(headers: Record<string, string>): FunctionsResponse;
  send(body: string): unknown;
  /** Ends the response without a body (HEAD): the Content-Length set before stays as set. */
  end(): unknown;
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

/**
 * Writes `answer`. For HEAD (`head`), the answer is the GET's: its headers and the GET body's
 * Content-Length go out, the body does not (Express's `send('')` would reset the length to 0).
 */
export function sendHttpResponse(response: FunctionsResponse, answer: HttpResponse, head = false): void {
  if (head) {
    response.status(answer.status).set(headFrom(answer).headers).end();
    return;
  }
  response.status(answer.status).set(answer.headers).send(answer.body);
}

export const NOT_FOUND: HttpResponse = json(404, { error: 'not found' });

/**
 * What a GET-only function answers before its handler runs: 414 for a request target over the
 * limit, 405 (Allow: GET, HEAD) for other methods, 413 for a declared body over the limit (these
 * functions take none; the platform may have buffered it, nothing here parses it).
 */
export function refuseEarly(req: FunctionsRequest, request: HttpRequest): HttpResponse | undefined {
  const tooLong = checkUrlLength(req.originalUrl ?? request.path);
  if (tooLong) return tooLong;
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(GET_METHODS);
  const declared = declaredLength(request);
  if (declared !== undefined && declared > MAX_BODY_BYTES) return payloadTooLarge(MAX_BODY_BYTES);
  return undefined;
}

/**
 * The body of an `onRequest` function: GET and HEAD go to `handle` (HEAD as GET, answered with the
 * same status and headers, Content-Length included, and no body); the limits of
 * {@link refuseEarly} come first. A handler that throws (a dependency that cannot even be
 * opened, say) is logged and answered with 503 and no detail: the error may name internals, and
 * health endpoints are read by machines that only need the status.
 */
export function serveGet(
  handle: (request: HttpRequest) => Promise<HttpResponse | undefined> | HttpResponse | undefined,
  errors: ErrorReporting,
): (request: FunctionsRequest, response: FunctionsResponse) => Promise<void> {
  return async (req, res) => {
    const request = toHttpRequest(req);
    const head = request.method === 'HEAD';
    let answer = refuseEarly(req, request);
    if (!answer) {
      try {
        answer = (await handle(head ? { ...request, method: 'GET' } : request)) ?? NOT_FOUND;
      } catch (error) {
        errors.log('request failed', { path: request.path, error: errors.describeError(error) });
        answer = json(503, { error: 'unavailable' });
      }
    }
    sendHttpResponse(res, answer, head);
  };
}
