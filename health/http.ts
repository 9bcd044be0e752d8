/**
 * Framework-free HTTP shapes. The local stack (cli/) and the Firebase functions (index.ts) both
 * adapt their own request objects to these and call the same handlers.
 */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Request body as text (POST only; bounded by the adapter). */
  readonly body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** A request built from a URL and headers: handy for tests and adapters. */
export function requestFrom(url: string, headers: Record<string, string | undefined> = {}, method = 'GET'): HttpRequest {
  const parsed = new URL(url, 'http://localhost');
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { method, path: parsed.pathname, headers: lower, query: Object.fromEntries(parsed.searchParams.entries()) };
}
