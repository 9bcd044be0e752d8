import fc from 'fast-check';
import { METRIC_NAMES } from '../../../shared';
import * as metrics from '../../../emitter';
import { createMemoryTransport } from '../../../emitter';
import { expectInvariant, silent } from './helpers';

/** Objects that fight back: throwing getters, proxies that throw on every trap, a revoked proxy. */
function hostileValues(): unknown[] {
  const throwing = Object.defineProperty({}, 'key', { enumerable: true, get: () => { throw new Error('getter'); } });
  const trap = () => { throw new Error('trap'); };
  const proxy = new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap, getPrototypeOf: trap });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const valueOf = { valueOf: trap, toString: trap, [Symbol.toPrimitive]: trap };
  return [throwing, proxy, revocable.proxy, valueOf, [throwing], [proxy], [{ key: valueOf, value: valueOf }], Symbol('s'), () => 1, Object.create(null)];
}

const HOSTILE = hostileValues();

const hugeTagMap = fc.integer({ min: 17, max: 5_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`])));

/** Anything a caller could pass, weighted towards the nasty cases the issue lists. */
const anyArg = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, -1, -1e300, 1e300, Number.MAX_SAFE_INTEGER, null, ''),
  fc.double(),
  fc.integer(),
  fc.constantFrom(...METRIC_NAMES),
  fc.string(),
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true, maxDepth: 3 }),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(undefined), fc.object())),
  fc.array(fc.record({ key: fc.oneof(fc.string(), fc.integer()), value: fc.oneof(fc.string(), fc.double(), fc.constant(undefined)) }, { requiredKeys: [] })),
  { weight: 1, arbitrary: hugeTagMap },
  // Boxed: fast-check inspects every generated value (looking for a clone method), which hostile
  // values punish; the box is opened just before the call.
  fc.nat({ max: HOSTILE.length - 1 }).map((i) => new HostileRef(i)),
);

class HostileRef {
  constructor(readonly index: number) {}
}
const isHostile = (value: unknown) => HOSTILE.includes(value);
const unbox = (args: unknown[]) => args.map((a) => (a instanceof HostileRef ? HOSTILE[a.index] : a));

type Caller = (api: typeof metrics, args: unknown[]) => unknown;
const f = (fn: unknown) => fn as (...a: unknown[]) => unknown;

/** Every exported function that records or inspects, called with arbitrary arguments. */
const CALLS: Record<string, Caller> = {
  metricCount: (api, a) => f(api.metricCount)(...a),
  metricTiming: (api, a) => f(api.metricTiming)(...a),
  metricGauge: (api, a) => f(api.metricGauge)(...a),
  metricTimerEnd: (api, a) => f(api.metricTimer)(a[0], a[1]) && (f(api.metricTimer)(a[0], a[1]) as metrics.MetricTimer).end(a[2] as never),
  taggedCount: (api, a) => f(f(api.createTaggedEmitter)(a[0]) && (f(api.createTaggedEmitter)(a[0]) as metrics.TaggedEmitter).count)(...a.slice(1)),
  taggedTiming: (api, a) => f((f(api.createTaggedEmitter)(a[0]) as metrics.TaggedEmitter).timing)(...a.slice(1)),
  taggedGauge: (api, a) => f((f(api.createTaggedEmitter)(a[0]) as metrics.TaggedEmitter).gauge)(...a.slice(1)),
  taggedTimer: (api, a) => (f((f(api.createTaggedEmitter)(a[0]) as metrics.TaggedEmitter).timer)(a[1], a[2]) as metrics.MetricTimer).end(a[3] as never),
  flushMetrics: (api, a) => f(api.flushMetrics)(...a),
  getEmitterStats: (api, a) => f(api.getEmitterStats)(...a),
  withMetricsNonFunction: (api, a) => (f(api.withMetrics)(a[0]) as (...x: unknown[]) => unknown)(...a.slice(1)),
  // The handler's result passes through: a hostile result is the handler's own failure, so only
  // ordinary values are returned here (a throwing handler is covered in api.test.ts).
  withMetricsHandler: (api, a) => (f(api.withMetrics)(() => (isHostile(a[0]) ? 'hostile' : a[0])) as (...x: unknown[]) => unknown)(...a.slice(1)),
};

describe('property: no argument to any exported function makes it throw or reject', () => {
  const warn = jest.spyOn(console, 'warn');
  beforeAll(() => warn.mockImplementation(() => undefined));
  afterAll(() => warn.mockRestore());

  it.each(Object.keys(CALLS))('%s never throws and never rejects', async (call) => {
    const memory = createMemoryTransport();
    metrics.configureMetrics({ transport: memory, service: 'prop', environment: 'test', logger: silent, handleProcessSignals: false, env: {}, maxBatchEvents: 50 });
    const resolved = metrics.metricCount('product.wallet.spend.success');
    await fc.assert(
      fc.asyncProperty(fc.array(anyArg, { maxLength: 6 }), async (args) => {
        let result: unknown;
        expect(() => (result = (CALLS[call] as Caller)(metrics, unbox(args)))).not.toThrow();
        if (result instanceof Promise) await expect(result).resolves.not.toThrow();
        if (call.startsWith('metric') && call !== 'metricTimerEnd') expect(result).toBe(resolved);
      }),
      { numRuns: 150 },
    );
    await metrics.flushMetrics();
    const stats = metrics.getEmitterStats();
    expectInvariant(stats);
    expect(stats.buffered + stats.inFlight).toBe(0);
    expect(stats.droppedByReason.internal_error).toBe(0);
  });

  it('shutdownMetrics never throws or rejects, whatever it is given, and recording after it is still safe', async () => {
    metrics.configureMetrics({ transport: 'memory', logger: silent, handleProcessSignals: false, env: {} });
    await fc.assert(
      fc.asyncProperty(fc.array(anyArg, { maxLength: 3 }), async (args) => {
        await expect(f(metrics.shutdownMetrics)(...unbox(args))).resolves.toBeUndefined();
        expect(() => f(metrics.metricCount)(...unbox(args))).not.toThrow();
      }),
      { numRuns: 50 },
    );
    expectInvariant(metrics.getEmitterStats());
  });
});
