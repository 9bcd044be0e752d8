import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkUrlLength, headFrom, json, payloadTooLarge, type BodyRead, type HttpRequest, type HttpResponse } from '../../http/http';

/** A route answers the requests it owns and returns undefined for the rest. HEAD reaches routes as GET. */
export type Route = (request: HttpRequest) => Promise<HttpResponse | undefined> | HttpResponse | undefined;

/**
 * Request line plus headers, in bytes: node refuses longer heads itself (431, or 414 when the
 * request line alone is over it; see {@link answerClientError}). Node's default, stated so a
 * change of default cannot loosen it.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * What the server does with a request once its head has arrived, without I/O of its own: the
 * path limit (414) before routing, HEAD answered as GET without a body, routes in order, 404.
 * The body is never read here: a route reads it with `readBody` when it wants it.
 */
export async function dispatch(routes: readonly Route[], request: HttpRequest): Promise<HttpResponse> {
  const tooLong = checkUrlLength(request.path);
  if (tooLong) return tooLong;
  const head = request.method === 'HEAD';
  const asked = head ? { ...request, method: 'GET' } : request;
  let found: HttpResponse | undefined;
  for (const route of routes) {
    found = await route(asked);
    if (found) break;
  }
  const response = found ?? json(404, { error: `no route for ${request.method} ${request.path}` });
  return head ? headFrom(response) : response;
}

/** Whether a message's body was read to its end: if not, the connection is closed after the answer rather than drained. */
interface BodyState {
  complete: boolean;
}

/**
 * Reads at most `maxBytes` of the body. At the limit it stops reading and answers 413 (pausing,
 * not destroying, the message: destroying it would destroy the socket before the answer).
 */
function bodyReader(message: IncomingMessage, state: BodyState): (maxBytes: number) => Promise<BodyRead> {
  let read: Promise<BodyRead> | undefined;
  // Once per message: a second call gets the first call's result.
  return (maxBytes) =>
    (read ??= new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = () => {
        message.off('data', onData).off('end', onEnd).off('error', onError);
        message.pause();
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          stop();
          resolve({ ok: false, response: payloadTooLarge(maxBytes) });
        } else chunks.push(chunk);
      };
      const onEnd = () => {
        stop();
        state.complete = true;
        resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
      };
      const onError = (error: Error) => {
        stop();
        reject(error);
      };
      message.on('data', onData).on('end', onEnd).on('error', onError);
    }));
}

function toRequest(message: IncomingMessage, target: string, state: BodyState): HttpRequest {
  const url = new URL(target, 'http://127.0.0.1');
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(message.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { method: message.method ?? 'GET', path: url.pathname, headers, query: Object.fromEntries(url.searchParams.entries()), readBody: bodyReader(message, state) };
}

/** True when the request may carry a body (a declared length above zero, or chunked). */
function hasBody(message: IncomingMessage): boolean {
  const length = message.headers['content-length'];
  return message.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function send(message: IncomingMessage, res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  headers['content-length'] ??= String(Buffer.byteLength(response.body, 'utf8'));
  res.writeHead(response.status, headers);
  // node sends no body to HEAD whatever is passed here; passing none keeps that explicit.
  res.end(message.method === 'HEAD' ? undefined : response.body);
}

/**
 * Answers a request node could not parse. As node's own default (400, 408, 431), except that a head
 * whose request line alone is over {@link MAX_HEADER_BYTES} gets 414: the first packet of the
 * request holds no line break yet.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
    let status = 400;
    if (error.code === 'HPE_HEADER_OVERFLOW') status = requestLineUnfinished(error.rawPacket) ? 414 : 431;
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') status = 408;
    const body = JSON.stringify({ error: status === 414 ? `request path too long` : (STATUS_CODES[status] ?? 'bad request').toLowerCase() });
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/** The packet starts a request (`METHOD /…`) and holds no line break: the request line itself overflowed. */
function requestLineUnfinished(packet: unknown): boolean {
  if (!Buffer.isBuffer(packet)) return false;
  const space = packet.indexOf(0x20);
  if (space < 1 || space > 16 || packet[space + 1] !== 0x2f) return false;
  for (let i = 0; i < space; i++) if (packet[i]! < 0x41 || packet[i]! > 0x5a) return false;
  return packet.indexOf(0x0a) === -1;
}

/**
 * The local stack's HTTP server: node:http in front of the same framework-free handlers the
 * Firebase functions use. Limits come first: the head's size (node), the request target's length
 * (414), then routing. A body is read only by a route that asks for it, after its own checks
 * (authentication first), and never past the limit (413); a body left unread closes the
 * connection rather than being drained. A handler that throws gets a 500 whose body says only
 * "internal error" (details go to `onError`, which must not print secrets).
 */
export function createHttpServer(routes: readonly Route[], onError: (error: unknown) => void = () => undefined): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (message, res) => {
    void (async () => {
      const target = message.url ?? '/';
      const body: BodyState = { complete: !hasBody(message) };
      let response: HttpResponse;
      try {
        response = checkUrlLength(target) ?? (await dispatch(routes, toRequest(message, target, body)));
      } catch (error) {
        onError(error);
        response = json(500, { error: 'internal error' });
      }
      if (!body.complete) response = { ...response, headers: { ...response.headers, connection: 'close' } };
      send(message, res, response);
    })();
  });
  server.on('clientError', answerClientError);
  return server;
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
