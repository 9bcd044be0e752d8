import { dispatch, type Route } from '../../../cli/local/http-server';
import { createDashboardRoutes, DASHBOARD_PATH } from '../../../dashboard/dashboard-routes';
import type { DashboardSources } from '../../../dashboard/dashboard-data';
import { json, requestFrom, type HttpRequest } from '../../../http/http';

/** The server's decisions before and around routing, without sockets (the socket-level tests are in test/integration/health). */
describe('dispatching a request to the local routes', () => {
  it('answers 414 to a 1 MB slash path before any route sees it', async () => {
    const route = jest.fn<ReturnType<Route>, [HttpRequest]>();
    const answer = await dispatch([route], requestFrom(`/x${'/'.repeat(1 << 20)}a`));
    expect(answer.status).toBe(414);
    expect(route).not.toHaveBeenCalled();
  });

  it('hands HEAD to the routes as GET and answers the GET\'s status and headers with its Content-Length and no body', async () => {
    const seen: string[] = [];
    const answer = await dispatch([(r) => (seen.push(r.method), json(200, { ok: true }))], requestFrom('/health/public', {}, 'HEAD'));
    expect(seen).toEqual(['GET']);
    expect(answer).toMatchObject({ status: 200, body: '', headers: { 'content-length': '11', 'content-type': 'application/json; charset=utf-8' } });
  });

  it('tries routes in order and answers 404 when none owns the path', async () => {
    const answer = await dispatch([() => undefined], requestFrom('/nowhere'));
    expect(answer.status).toBe(404);
  });
});

describe('the dashboard route on its own (as the Firebase function calls it)', () => {
  const routes = createDashboardRoutes({ sources: {} as DashboardSources, verify: () => Promise.reject(new Error('no tokens here')) });

  it('serves the page under 100,000 trailing slashes: the trim is a single backwards scan', async () => {
    const answer = await routes(requestFrom(`${DASHBOARD_PATH}${'/'.repeat(100_000)}`));
    expect(answer?.status).toBe(200);
    expect(answer?.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('leaves the slash-bomb path /x + 16,300 slashes + a to other routes', async () => {
    await expect(routes(requestFrom(`/x${'/'.repeat(16_300)}a`))).resolves.toBeUndefined();
  });

  it('answers 405 with Allow: GET, HEAD to other methods on its paths', async () => {
    const answer = await routes(requestFrom(DASHBOARD_PATH, {}, 'POST'));
    expect(answer?.status).toBe(405);
    expect(answer?.headers.allow).toBe('GET, HEAD');
  });
});
