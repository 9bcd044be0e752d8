import { ConfigError } from '../../../shared';
import * as metrics from '../../../emitter';
import { createMemoryTransport, type MemoryTransport } from '../../../emitter';
import { silent, settle } from './helpers';

type Api = typeof metrics;

/** A fresh copy of the module, so its module-level emitter starts unconfigured. */
function freshApi(): Api {
  let api: Api | undefined;
  jest.isolateModules(() => {
    // isolateModules needs a synchronous load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    api = require('../../../emitter') as Api;
  });
  return api as Api;
}

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function configured(api: Api, options: metrics.EmitterOptions = {}): MemoryTransport {
  const memory = createMemoryTransport();
  api.configureMetrics({ transport: memory, service: 'wallet', environment: 'test', logger: silent, handleProcessSignals: false, env: {}, ...options });
  return memory;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('the module-level API', () => {
  it('with OBSERVABILITY_PROVIDER unset the transport is none: calls are counted and discarded', async () => {
    const api = withEnv({ OBSERVABILITY_PROVIDER: undefined }, () => {
      const fresh = freshApi();
      void fresh.metricCount('product.wallet.spend.success');
      return fresh;
    });
    await api.flushMetrics();
    const stats = api.getEmitterStats();
    expect(stats).toMatchObject({ transport: 'none', emitted: 1, dropped: 1, buffered: 0 });
    expect(stats.droppedByReason.disabled).toBe(1);
    expect(stats.lastDrop?.message).toContain('OBSERVABILITY_PROVIDER');
  });

  it('a misconfigured environment does not throw at the call: metrics are discarded and stats say why', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const api = withEnv({ OBSERVABILITY_PROVIDER: 'statsd' }, () => {
      const fresh = freshApi();
      expect(() => fresh.metricCount('product.wallet.spend.success')).not.toThrow();
      return fresh;
    });
    expect(api.getEmitterStats().lastDrop?.message).toContain('OBSERVABILITY_PROVIDER="statsd" is not accepted');
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('configureMetrics with a bad option fails fast with a ConfigError naming it', () => {
    const api = freshApi();
    // isolateModules gives the fresh API its own copy of shared/, hence the name check.
    expect(() => api.configureMetrics({ transport: 'memory', maxBatchBytes: 5_000_000 })).toThrow(expect.objectContaining({ name: ConfigError.name, variable: 'maxBatchBytes' }));
    expect(() => api.configureMetrics({ transport: 'kafka' as never })).toThrow(/transport/);
    expect(() => api.configureMetrics({ transport: 'memory', service: '' })).toThrow(/service/);
  });

  it('every recording call returns the same already-resolved promise', () => {
    const api = freshApi();
    configured(api);
    const first = api.metricCount('product.wallet.spend.success');
    const all = [
      api.metricCount('product.wallet.spend.success', 2, { feature: 'chat' }),
      api.metricTiming('product.wallet.spend.latency_ms', 12),
      api.metricGauge('product.wallet.balance', 5),
      api.metricTimer('product.call.setup_latency_ms').end(),
      api.createTaggedEmitter({ platform: 'web' }).count('product.chat.message.count'),
      api.metricCount('not.a.metric' as never, Number.NaN, 'junk' as never),
    ];
    for (const p of all) expect(p).toBe(first);
  });

  it('metricTimer records the elapsed milliseconds once, with extra tags added at end()', async () => {
    const api = freshApi();
    const memory = configured(api);
    const timer = api.metricTimer('product.call.setup_latency_ms', { call_type: 'video' });
    await jest.advanceTimersByTimeAsync(250);
    void timer.end({ region: 'eu' });
    void timer.end({ region: 'us' });
    await settle(api.flushMetrics());
    const events = memory.events();
    expect(events).toHaveLength(1);
    expect(events[0]?.value).toBeCloseTo(250, 0);
    expect(events[0]?.tags).toEqual({ call_type: 'video', region: 'eu' });
  });

  it('createTaggedEmitter made before configureMetrics uses the emitter configured later', async () => {
    const api = freshApi();
    const wallet = api.createTaggedEmitter([{ key: 'feature', value: 'chat' }]);
    const memory = configured(api);
    void wallet.count('product.wallet.spend.success');
    void wallet.timer('product.wallet.spend.latency_ms').end();
    await settle(api.flushMetrics());
    expect(memory.events().map((e) => [e.name, e.tags.feature])).toEqual([
      ['product.wallet.spend.success', 'chat'],
      ['product.wallet.spend.latency_ms', 'chat'],
    ]);
  });

  it('withMetrics flushes before the wrapped handler\'s promise resolves, and passes result and this through', async () => {
    const api = freshApi();
    const memory = configured(api, { flushIntervalMs: 600_000 });
    const handler = api.withMetrics(async function (this: { unit: string }, amount: number) {
      await api.metricCount('product.wallet.spend.success', amount);
      return `${amount} ${this.unit}`;
    });
    const result = await settle(handler.call({ unit: 'tokens' }, 3));
    expect(result).toBe('3 tokens');
    expect(memory.events()).toHaveLength(1);
  });

  it('withMetrics rethrows the handler\'s own error unchanged, after flushing', async () => {
    const api = freshApi();
    const memory = configured(api, { flushIntervalMs: 600_000 });
    const failure = new Error('insufficient funds');
    const handler = api.withMetrics(() => {
      void api.metricCount('product.wallet.spend.failed', 1, { reason: 'insufficient_funds' });
      throw failure;
    });
    await expect(settle(handler())).rejects.toBe(failure);
    expect(memory.events()).toHaveLength(1);
  });

  it('shutdownMetrics publishes what is buffered, closes the transport, and later calls are dropped as shutdown', async () => {
    const api = freshApi();
    const memory = configured(api, { flushIntervalMs: 600_000 });
    void api.metricCount('product.wallet.spend.success');
    await settle(api.shutdownMetrics());
    expect(memory.events()).toHaveLength(1);
    expect(memory.closed).toBe(true);
    void api.metricCount('product.wallet.spend.success');
    expect(api.getEmitterStats()).toMatchObject({ emitted: 2, published: 1, dropped: 1 });
    expect(api.getEmitterStats().droppedByReason.shutdown).toBe(1);
  });

  it('shutdown gives up after shutdownTimeoutMs on a dead transport and counts what it abandons', async () => {
    const api = freshApi();
    const memory = configured(api, { shutdownTimeoutMs: 2_000, retryWindowMs: 60_000 });
    memory.hang(true);
    for (let i = 0; i < 3; i++) void api.metricCount('product.wallet.spend.success');
    const started = Date.now();
    await settle(api.shutdownMetrics(), 50);
    expect(Date.now() - started).toBeLessThanOrEqual(2_100);
    expect(api.getEmitterStats()).toMatchObject({ emitted: 3, buffered: 0, inFlight: 0, dropped: 3 });
    expect(api.getEmitterStats().droppedByReason.shutdown).toBe(3);
  });

  it('configureMetrics again hands the old emitter\'s buffered events to its own transport', async () => {
    const api = freshApi();
    const first = configured(api, { flushIntervalMs: 600_000 });
    void api.metricCount('product.wallet.spend.success');
    const second = configured(api);
    void api.metricCount('product.wallet.spend.success', 2);
    await settle(api.flushMetrics());
    await jest.advanceTimersByTimeAsync(100);
    expect(first.events().map((e) => e.value)).toEqual([1]);
    expect(second.events().map((e) => e.value)).toEqual([2]);
  });
});
