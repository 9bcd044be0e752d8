/**
 * Framework-free HTTP shapes. The local stack (cli/) and the Firebase functions (index.ts) both
 * adapt their own request objects to these and call the same handlers.
 *
 * Hostile input is the normal case here (issue 17): the limits below are checked by the adapters
 * before routing, and nothing in this module or the routes runs a regular expression whose time
 * can grow faster than linearly with a request (eslint `regexp/no-super-linear-*`).
 */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Request body as text, when the adapter already holds it (tests, frameworks that read it first). */
  readonly body?: string;
  /**
   * Reads the body from the wire on demand, at most `maxBytes` (the local server). Routes do not
   * call this directly: they call {@link readBody} after authenticating, so an unauthenticated
   * caller's body is never read.
   */
  readonly readBody?: (maxBytes: number) => Promise<BodyRead>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A body read within its limit, or the response to answer instead (413). */
export type BodyRead = { ok: true; text: string } | { ok: false; response: HttpResponse };

/** Longest request target (path and query, as sent) served: longer ones get 414 before routing. */
export const MAX_URL_BYTES = 2048;

/** Request bodies are small JSON commands (`POST /api/cli`); anything larger gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Methods every GET route also answers: HEAD is GET without the body (RFC 9110 §9.3.2). */
export const GET_METHODS = ['GET', 'HEAD'] as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** 414 for a request target over {@link MAX_URL_BYTES}, or undefined. Linear in the target's length. */
export function checkUrlLength(target: string): HttpResponse | undefined {
  // A UTF-16 length over the limit is over it in UTF-8 too: a 1 MB path is refused without measuring it.
  if (target.length <= MAX_URL_BYTES && Buffer.byteLength(target, 'utf8') <= MAX_URL_BYTES) return undefined;
  return json(414, { error: `request path too long: the limit is ${MAX_URL_BYTES} bytes`, limitBytes: MAX_URL_BYTES });
}

/** 413 for a body over `maxBytes`; the message says the limit. */
export function payloadTooLarge(maxBytes: number): HttpResponse {
  return json(413, { error: `request body too large: the limit is ${maxBytes} bytes`, limitBytes: maxBytes });
}

/** 405 for a path that exists but does not take this method. */
export function methodNotAllowed(allow: readonly string[]): HttpResponse {
  return json(405, { error: `method not allowed; use ${allow.join(' or ')}` }, { allow: allow.join(', ') });
}

/** The declared `Content-Length`, or undefined when absent or not a plain decimal number. */
export function declaredLength(request: Pick<HttpRequest, 'headers'>): number | undefined {
  const value = request.headers['content-length'];
  if (value === undefined || value.length === 0 || value.length > 15) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(value);
}

/**
 * The request body, at most `maxBytes`: a declared Content-Length over the limit is refused before
 * a byte is read, and a body without one stops being read at the limit. Call it only once the
 * caller is authenticated.
 */
export async function readBody(request: HttpRequest, maxBytes = MAX_BODY_BYTES): Promise<BodyRead> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > maxBytes) return { ok: false, response: payloadTooLarge(maxBytes) };
  if (request.readBody) return request.readBody(maxBytes);
  const text = request.body ?? '';
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, response: payloadTooLarge(maxBytes) };
  return { ok: true, text };
}

/**
 * `path` without trailing slashes (`/` stays `/`). A backwards scan, one step per character at
 * most, where `path.replace(/\/+$/, '')` retried from every slash of a run: quadratic, and
 * 110–166 ms for one 16 KB path (issue 17, item 3).
 */
export function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === 0 ? '/' : path.slice(0, end);
}

/**
 * The answer to HEAD given the answer to the same GET: same status and headers, with the GET
 * body's Content-Length, and no body.
 */
export function headFrom(response: HttpResponse): HttpResponse {
  return { status: response.status, headers: { ...response.headers, 'content-length': String(Buffer.byteLength(response.body, 'utf8')) }, body: '' };
}

/** A request built from a URL and headers: handy for tests and adapters. */
export function requestFrom(url: string, headers: Record<string, string | undefined> = {}, method = 'GET'): HttpRequest {
  const parsed = new URL(url, 'http://localhost');
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { method, path: parsed.pathname, headers: lower, query: Object.fromEntries(parsed.searchParams.entries()) };
}
