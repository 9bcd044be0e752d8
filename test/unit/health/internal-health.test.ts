import { createInternalHealthHandler, type NamedProbe } from '../../../health/internal-health';
import { requestFrom } from '../../../http/http';
import { PROBE_TIMEOUT_MS } from '../../../health/probes';
import { createPublicHealthHandler } from '../../../health/public-health';

const KEY = 'internal-key-5b1e0c9a7d';
const config = { internalHealthApiKey: KEY, environment: 'test' };
const okProbe: NamedProbe = { name: 'warehouse', probe: () => Promise.resolve({ status: 'ok', detail: 'fine' }) };

describe('GET /health/public', () => {
  it('answers 200 with status, version, timestamp and environment', () => {
    const handler = createPublicHealthHandler('production', () => 1_764_180_000_000);
    const response = handler();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), timestamp: 1_764_180_000_000, environment: 'production' });
  });
});

describe('GET /health/internal: authentication', () => {
  const handler = createInternalHealthHandler({ config, probes: [okProbe] });
  const cases: Array<[string, Record<string, string>, string]> = [
    ['no key at all', {}, '/health/internal'],
    ['a wrong key of the same length', { 'x-internal-key': KEY.replace(/.$/, 'x') }, '/health/internal'],
    ['a key of a different length', { 'x-internal-key': KEY + 'extra' }, '/health/internal'],
    ['a prefix of the key', { 'x-internal-key': KEY.slice(0, 5) }, '/health/internal'],
    ['an empty header', { 'x-internal-key': '' }, '/health/internal'],
    ['a wrong key in the query string', {}, '/health/internal?key=guess'],
  ];
  it.each(cases)('answers 401 to %s, and never echoes what was sent', async (_label, headers, url) => {
    const response = await handler(requestFrom(url, headers));
    expect(response.status).toBe(401);
    expect(response.body).not.toContain(KEY);
    expect(response.body).not.toContain('guess');
    expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized' });
  });

  it('accepts the key in the X-Internal-Key header', async () => {
    const response = await handler(requestFrom('/health/internal', { 'X-Internal-Key': KEY }));
    expect(response.status).toBe(200);
    expect(response.headers.warning).toBeUndefined();
  });

  it('still accepts the seed ?key= form, with a deprecation warning and without echoing the key', async () => {
    const response = await handler(requestFrom(`/health/internal?key=${KEY}`));
    expect(response.status).toBe(200);
    expect(response.headers.warning).toMatch(/deprecated/);
    expect(response.body + JSON.stringify(response.headers)).not.toContain(KEY);
  });

  it('refuses everyone when no key is configured', async () => {
    const open = createInternalHealthHandler({ config: { internalHealthApiKey: undefined, environment: 'test' }, probes: [okProbe] });
    const response = await open(requestFrom('/health/internal', { 'x-internal-key': 'anything' }));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body).error).toMatch(/INTERNAL_HEALTH_API_KEY is not set/);
  });
});

describe('GET /health/internal: components', () => {
  const withKey = requestFrom('/health/internal', { 'x-internal-key': KEY });

  it('reports each component with status and latency, and ok overall when all are ok', async () => {
    const handler = createInternalHealthHandler({ config, probes: [okProbe, { name: 'pubsub', probe: () => Promise.resolve({ status: 'skipped' }) }] });
    const body = JSON.parse((await handler(withKey)).body);
    expect(body.status).toBe('ok');
    expect(body.components).toEqual([
      expect.objectContaining({ name: 'warehouse', status: 'ok', latencyMs: expect.any(Number) }),
      expect.objectContaining({ name: 'pubsub', status: 'skipped' }),
    ]);
  });

  it('is degraded, still 200, when one component is degraded', async () => {
    const handler = createInternalHealthHandler({ config, probes: [okProbe, { name: 'ingest_lag', probe: () => Promise.resolve({ status: 'degraded', detail: 'slow' }) }] });
    const response = await handler(withKey);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).status).toBe('degraded');
  });

  it('answers 503 with the error when a probe throws', async () => {
    const handler = createInternalHealthHandler({ config, probes: [okProbe, { name: 'warehouse2', probe: () => Promise.reject(new Error('connection refused')) }] });
    const response = await handler(withKey);
    expect(response.status).toBe(503);
    const body = JSON.parse(response.body);
    expect(body.status).toBe('error');
    expect(body.components[1]).toMatchObject({ name: 'warehouse2', status: 'error', detail: 'connection refused' });
  });

  it('turns a probe that never answers into an error within 2 seconds', async () => {
    const hung: NamedProbe = { name: 'firestore', probe: () => new Promise(() => undefined) };
    const handler = createInternalHealthHandler({ config, probes: [okProbe, hung] });
    // Fake timers: the probe timeout (1.5 s) passes without waiting for it.
    jest.useFakeTimers();
    try {
      const started = Date.now();
      const answer = handler(withKey);
      await jest.advanceTimersByTimeAsync(PROBE_TIMEOUT_MS);
      const response = await answer;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body).components[1]).toMatchObject({ status: 'error', detail: expect.stringMatching(/no answer within/) });
    } finally {
      jest.useRealTimers();
    }
  });
});
