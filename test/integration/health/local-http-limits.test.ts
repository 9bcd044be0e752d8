import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createHttpRoutes } from '../../../cli/local/http-app';
import { createHttpServer, listen } from '../../../cli/local/http-server';
import { createRemoteCliRoute, REMOTE_CLI_PATH } from '../../../cli/local/remote-cli';
import { localTokenVerifier } from '../../../http/admin-auth';
import { MAX_BODY_BYTES, MAX_URL_BYTES } from '../../../http/http';
import { loadConfig } from '../../../shared';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

const TOKEN = 'local-limits-token-5b1e';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The local stack's HTTP server as `obs start` assembles it (health, dashboard, docs, remote CLI)
 * on 127.0.0.1, port 0, hit over real sockets (issue 17, items 3 and 9).
 */
describe('the local HTTP server under hostile input', () => {
  let wh: DuckDbWarehouse;
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  const commands: string[][] = [];

  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    const verify = localTokenVerifier(TOKEN);
    const routes = createHttpRoutes({ verify, sources: { warehouse: wh, config: { ...loadConfig({}), environment: 'test' }, probes: [] } });
    const remote = createRemoteCliRoute({ verify, run: (args, io) => (commands.push(args), io.out('ran'), Promise.resolve(0)) });
    server = createHttpServer([...routes, remote]);
    server.on('connection', (socket) => sockets.push(socket));
    port = await listen(server, 0);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await wh.close();
  });

  /** One request on its own connection; `body` is sent whole. */
  function send(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...length, ...headers }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  describe('HEAD wherever GET is served', () => {
    it.each([
      ['/health/public', 200],
      ['/admin/observability', 200],
      ['/admin/observability/app.js', 200],
      ['/admin/observability/vendor/uPlot.min.css', 200],
      ['/api/dashboard', 401],
      ['/health/internal', 401],
      ['/docs/OPERATIONS.md', 200],
    ])('HEAD %s answers %i like GET, with the same headers and Content-Length, and no body', async (path, status) => {
      const get = await send('GET', path);
      const head = await send('HEAD', path);
      expect(get.status).toBe(status);
      expect(head.status).toBe(status);
      expect(head.body).toBe('');
      expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.headers['cache-control']).toBe(get.headers['cache-control']);
    });
  });

  it.each([
    ['DELETE', '/health/public', 'GET, HEAD'],
    ['POST', '/admin/observability', 'GET, HEAD'],
    ['PUT', '/api/dashboard', 'GET, HEAD'],
    ['PATCH', '/docs/OPERATIONS.md', 'GET, HEAD'],
    ['GET', REMOTE_CLI_PATH, 'POST'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const answer = await send(method, path);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe(allow);
  });

  describe('path length (issue 17, item 3)', () => {
    it('refuses the slash-bomb path /x + 16,300 slashes + a, and keeps answering /health/public', async () => {
      const bomb = await send('GET', `/x${'/'.repeat(16_300)}a`);
      expect(bomb.status).toBe(414);
      expect((await send('GET', '/health/public')).status).toBe(200);
    });

    it(`answers 414 for a path over ${MAX_URL_BYTES} bytes, naming the limit, and 404 for one just under`, async () => {
      const long = await send('GET', `/admin/observability${'/'.repeat(MAX_URL_BYTES)}`);
      expect(long.status).toBe(414);
      expect(JSON.parse(long.body).error).toBe(`request path too long: the limit is ${MAX_URL_BYTES} bytes`);
      expect((await send('GET', `/x${'/'.repeat(MAX_URL_BYTES - 10)}a`)).status).toBe(404);
    });

    it('serves the dashboard page under a few trailing slashes, as before', async () => {
      const page = await send('GET', '/admin/observability///');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    });

    it('answers 414 to a request line of 64 KB (over the 16 KB head limit) and closes that connection only', async () => {
      const answer = await send('GET', `/x${'/'.repeat(64 * 1024)}a`);
      expect(answer.status).toBe(414);
      expect((await send('GET', '/health/public')).status).toBe(200);
    });

    it('answers 431 to headers over the 16 KB head limit', async () => {
      expect((await send('GET', '/health/public', { 'x-padding': 'p'.repeat(20 * 1024) })).status).toBe(431);
    });
  });

  describe('request bodies (issue 17, item 9)', () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const command = JSON.stringify({ args: ['slo', 'status'] });

    it('runs an authenticated command with a small body, as before', async () => {
      const answer = await send('POST', REMOTE_CLI_PATH, auth, command);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ code: 0, stdout: 'ran\n', stderr: '' });
    });

    it(`answers 413 naming the limit to an authenticated 70 KB body (declared length), before parsing it`, async () => {
      const before = commands.length;
      const answer = await send('POST', REMOTE_CLI_PATH, auth, Buffer.alloc(70 * 1024, 0x20));
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error).toBe(`request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
      expect(commands.length).toBe(before);
    });

    it('answers 413 to an authenticated 70 KB chunked body (no declared length), stopping at the limit', async () => {
      const answer = await new Promise<Answer>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: REMOTE_CLI_PATH, headers: { ...auth, 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        for (let i = 0; i < 7; i++) req.write(Buffer.alloc(10 * 1024, 0x20));
        req.end();
      });
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe('close');
    });

    it('answers 401 to an unauthenticated POST /api/cli declaring 50 MB, without reading the body', async () => {
      const declared = 50 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const firstSocket = sockets.length;
      const result = await new Promise<{ status: number; clientWrote: number }>((resolve, reject) => {
        let wrote = 0;
        let answered = false;
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: REMOTE_CLI_PATH, headers: { 'content-type': 'application/json', 'content-length': String(declared) }, agent: false }, (res) => {
          answered = true;
          res.resume();
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, clientWrote: wrote });
          });
        });
        // The server may close while the body is still on its way; the answer has arrived by then.
        req.on('error', (error) => (answered ? undefined : reject(error)));
        // Send as fast as the server takes it, until it answers: a server that read the body would take all 50 MB.
        const pump = () => {
          while (!answered && wrote < declared) {
            wrote += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
        };
        pump();
      });
      expect(result.status).toBe(401);
      expect(result.clientWrote).toBeLessThan(declared);
      // What the server took off the wire: the head and what the kernel and the parser buffered before it stopped reading.
      const serverRead = Math.max(...sockets.slice(firstSocket).map((s) => s.bytesRead));
      // (measured: about 190 KB of 50 MB, while the client had pushed about 4 MB into socket buffers).
      expect(serverRead).toBeLessThan(1024 * 1024);
    });

    it('answers 401 to an unauthenticated 70 KB body, not 413: the limit is not disclosed before authentication', async () => {
      expect((await send('POST', REMOTE_CLI_PATH, { 'content-type': 'application/json' }, Buffer.alloc(70 * 1024, 0x20))).status).toBe(401);
    });

    it('answers 405 to a 70 KB POST on a GET route without reading it', async () => {
      expect((await send('POST', '/health/public', {}, Buffer.alloc(70 * 1024, 0x20))).status).toBe(405);
    });
  });
});
