import express from 'express';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { serveGet } from '../../../functions/http-adapter';
import { createPublicHealthHandler } from '../../../health/public-health';
import { MAX_BODY_BYTES } from '../../../http/http';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The adapter under Express (the framework firebase-functions hands `onRequest` functions their
 * requests through), on 127.0.0.1 port 0: what a load balancer or a client sees.
 */
describe('an onRequest function under Express', () => {
  let server: Server;
  let port = 0;
  const errors = { describeError: (e: unknown) => String(e), log: () => undefined };

  beforeAll(async () => {
    const app = express();
    const health = createPublicHealthHandler('test', () => 1_764_180_000_000);
    app.use((req, res) => void serveGet((r) => (r.path === '/health/public' ? health() : undefined), errors)(req, res));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
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

  it('answers HEAD /health/public with 200, the GET\'s Content-Length and content type, and no body', async () => {
    const get = await send('GET', '/health/public');
    const head = await send('HEAD', '/health/public');
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
  });

  it('answers a 70 KB body with 413 naming the limit', async () => {
    const answer = await send('GET', '/health/public', { 'content-type': 'application/octet-stream' }, Buffer.alloc(70 * 1024, 0x20));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error).toBe(`request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
  });

  it('answers 414 to a 4 KB path and 405 with Allow to POST', async () => {
    expect((await send('GET', `/x${'/'.repeat(4096)}a`)).status).toBe(414);
    const post = await send('POST', '/health/public');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });
});
