import { serveGet, toHttpRequest, type FunctionsResponse } from '../../../functions/http-adapter';
import { json, type HttpRequest } from '../../../health/http';

/** A stand-in for Express's response: records what the adapter wrote. */
function recorder() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: '' };
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

  it('hands HEAD to the handler as GET (Express then sends no body)', async () => {
    let seen: HttpRequest | undefined;
    const { sent, response } = recorder();
    await serveGet((r) => ((seen = r), json(200, { ok: true })), silent)(request('HEAD'), response);
    expect(seen?.method).toBe('GET');
    expect(sent.status).toBe(200);
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
