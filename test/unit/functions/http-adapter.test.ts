import { serveGet, toHttpRequest, type FunctionsResponse } from '../../../functions/http-adapter';
import { json, MAX_BODY_BYTES, MAX_URL_BYTES, type HttpRequest } from '../../../http/http';

/** A stand-in for Express's response: records what the adapter wrote. */
function recorder() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: '', ended: false };
  const response: FunctionsResponse = {
    status(code) {
      sent.status = code;
      return response;
    },
    set(headers) {
      Object.assign(sent.headers, headers);
      return response;
    },
    send(body) {
      sent.body = body;
      return response;
    },
    end() {
      sent.ended = true;
      return response;
    },
  };
  return { sent, response };
}

const request = (method: string, headers: Record<string, string | string[]> = {}, query: unknown = {}) => ({ method, path: '/health/internal', headers, query });
const silent = { describeError: (e: unknown) => String(e), log: () => undefined };

describe('the Cloud Functions request adapter', () => {
  it('lower-cases header names, joins repeated headers and keeps only plain string query values', () => {
    const adapted = toHttpRequest(request('get', { 'X-Internal-Key': 'k', accept: ['a', 'b'] }, { key: 'v', many: ['1', '2'], nested: { a: 'b' } }));
    expect(adapted).toEqual({ method: 'GET', path: '/health/internal', headers: { 'x-internal-key': 'k', accept: 'a, b' }, query: { key: 'v' } });
  });

  it('answers 405 with an Allow header to anything but GET and HEAD, without calling the handler', async () => {
    const handle = jest.fn();
    const { sent, response } = recorder();
    await serveGet(handle, silent)(request('POST'), response);
    expect(sent.status).toBe(405);
    expect(sent.headers.allow).toBe('GET, HEAD');
    expect(handle).not.toHaveBeenCalled();
  });

  it('hands HEAD to the handler as GET and answers its status and headers with the GET body\'s Content-Length, and no body', async () => {
    let seen: HttpRequest | undefined;
    const { sent, response } = recorder();
    await serveGet((r) => ((seen = r), json(200, { ok: true })), silent)(request('HEAD'), response);
    expect(seen?.method).toBe('GET');
    expect(sent.status).toBe(200);
    expect(sent.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(sent.headers['content-length']).toBe(String(Buffer.byteLength('{"ok":true}')));
    expect(sent.ended).toBe(true);
    expect(sent.body).toBe('');
  });

  it('answers 413 naming the limit to a declared body over 64 KiB, without calling the handler', async () => {
    const handle = jest.fn();
    const { sent, response } = recorder();
    await serveGet(handle, silent)(request('GET', { 'content-length': String(70 * 1024) }), response);
    expect(sent.status).toBe(413);
    expect(JSON.parse(sent.body).error).toBe(`request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
    expect(handle).not.toHaveBeenCalled();
  });

  it('answers 414 to a request target over the limit (a 1 MB slash path), without calling the handler', async () => {
    const handle = jest.fn();
    const { sent, response } = recorder();
    const path = `/x${'/'.repeat(1 << 20)}a`;
    await serveGet(handle, silent)({ ...request('GET'), path, originalUrl: path }, response);
    expect(sent.status).toBe(414);
    expect(JSON.parse(sent.body).error).toBe(`request path too long: the limit is ${MAX_URL_BYTES} bytes`);
    expect(handle).not.toHaveBeenCalled();
  });

  it('answers HEAD for a refused request like GET: 413 with its Content-Length and no body', async () => {
    const { sent, response } = recorder();
    await serveGet(jest.fn(), silent)(request('HEAD', { 'content-length': String(70 * 1024) }), response);
    expect(sent.status).toBe(413);
    expect(Number(sent.headers['content-length'])).toBeGreaterThan(0);
    expect(sent).toMatchObject({ ended: true, body: '' });
  });

  it('answers 404 for a path the handler does not own', async () => {
    const { sent, response } = recorder();
    await serveGet(() => undefined, silent)(request('GET'), response);
    expect(sent.status).toBe(404);
  });

  it('answers 503 without detail when the handler throws, and logs the error as described (secrets redacted)', async () => {
    const log = jest.fn();
    const { sent, response } = recorder();
    const describeError = (e: unknown) => String((e as Error).message).replace('s3cret', '[REDACTED]');
    await serveGet(() => Promise.reject(new Error('cannot open with s3cret')), { describeError, log })(request('GET'), response);
    expect(sent.status).toBe(503);
    expect(JSON.parse(sent.body)).toEqual({ error: 'unavailable' });
    expect(log).toHaveBeenCalledWith('request failed', { path: '/health/internal', error: 'cannot open with [REDACTED]' });
  });
});
