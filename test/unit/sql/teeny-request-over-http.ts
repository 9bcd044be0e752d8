import { request as httpRequest } from 'node:http';
import { stringify } from 'node:querystring';

/**
 * Test-only stand-in for the `teeny-request` package, the HTTP layer under @google-cloud/bigquery.
 *
 * Why: teeny-request loads node-fetch v3 with a dynamic `import()`, which jest's CommonJS runtime
 * refuses without `--experimental-vm-modules` ("A dynamic import callback was invoked…"). This
 * module sends the same requests with node:http instead, honouring the options the client passes
 * (uri, qs, method, json body, headers) and answering in teeny-request's shape (a response with
 * statusCode/headers/body, the JSON body parsed). Everything above it — the BigQuery client's
 * request building, retries, error parsing — is the real code.
 */
interface RequestOptions {
  uri?: string;
  url?: string;
  method?: string;
  qs?: Record<string, unknown>;
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, string>;
}
type Callback = (error: Error | null, response?: unknown, body?: unknown) => void;

function send(options: RequestOptions, callback: Callback): { abort(): void } {
  let uri = options.uri ?? options.url ?? '';
  if (options.qs && typeof options.qs === 'object') uri += `?${stringify(options.qs as Record<string, string>)}`;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let payload: string | Buffer | undefined;
  if (typeof options.json === 'object' && options.json !== null) {
    payload = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  } else if (options.body !== undefined) {
    payload = options.body;
  }
  const req = httpRequest(uri, { method: options.method ?? 'GET', headers }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const isJson = (res.headers['content-type'] ?? '').startsWith('application/json');
      const body: unknown = isJson && text ? JSON.parse(text) : text;
      const response = { statusCode: res.statusCode, statusMessage: res.statusMessage, headers: res.headers, body, request: { href: uri, headers }, toJSON: () => ({ headers: res.headers }) };
      callback(null, response, body);
    });
  });
  req.on('error', (error) => callback(error, null, null));
  if (payload !== undefined) req.write(payload);
  req.end();
  return { abort: () => req.destroy() };
}

export function teenyRequest(options: RequestOptions, callback: Callback): { abort(): void } {
  return send(options, callback);
}
teenyRequest.defaults =
  (defaults: RequestOptions) =>
  (options: RequestOptions, callback: Callback): { abort(): void } =>
    send({ ...defaults, ...options }, callback);
teenyRequest.stats = { requestStarting: () => undefined, requestFinished: () => undefined, getOptions: () => ({}) };
teenyRequest.resetStats = () => undefined;
export class RequestError extends Error {
  code?: number;
}
