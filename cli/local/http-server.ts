import { createServer, type IncomingMessage, type Server } from 'node:http';
import { json, type HttpRequest, type HttpResponse } from '../../health/http';

/** A route answers the requests it owns and returns undefined for the rest. */
export type Route = (request: HttpRequest) => Promise<HttpResponse | undefined> | HttpResponse | undefined;

/** Request bodies are small JSON commands; anything larger is refused. */
const MAX_BODY_BYTES = 64 * 1024;

async function readBody(message: IncomingMessage): Promise<string | undefined> {
  if (message.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toRequest(message: IncomingMessage, body: string | undefined): HttpRequest {
  const url = new URL(message.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(message.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { method: message.method ?? 'GET', path: url.pathname, headers, query: Object.fromEntries(url.searchParams.entries()), ...(body === undefined ? {} : { body }) };
}

/**
 * The local stack's HTTP server: node:http in front of the same framework-free handlers the
 * Firebase functions use. Routes are tried in order. A handler that throws gets a 500 whose body
 * says only "internal error" (details go to `onError`, which must not print secrets).
 */
export function createHttpServer(routes: readonly Route[], onError: (error: unknown) => void = () => undefined): Server {
  return createServer((message, res) => {
    void (async () => {
      let response: HttpResponse;
      try {
        const request = toRequest(message, await readBody(message));
        let found: HttpResponse | undefined;
        for (const route of routes) {
          found = await route(request);
          if (found) break;
        }
        response = found ?? json(404, { error: `no route for ${request.method} ${request.path}` });
      } catch (error) {
        onError(error);
        response = json(500, { error: 'internal error' });
      }
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    })();
  });
}

/** Listens on 127.0.0.1 (port 0 picks a free one) and resolves to the port. */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
