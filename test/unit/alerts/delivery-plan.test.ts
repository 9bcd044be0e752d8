import { checkDeliveryLimits, DELIVERY_LIMITS, STORE_WRITES_ALLOWANCE_MS } from '../../../alerts/notify/delivery-limits';
import { deliveryChains, waitingOn } from '../../../alerts/notify/delivery-plan';
import { groupBatches } from '../../../alerts/notify/group-stage';
import type { NotificationRecord } from '../../../alerts/notify/notification';
import { instance, MIN, notification, T0 } from './helpers';

const firing = (fingerprint: string) => notification('pagerduty', instance({ fingerprint }), 'firing', T0);
const resolved = (fingerprint: string) => notification('pagerduty', instance({ fingerprint, state: 'resolved', resolvedAtMs: T0 + MIN }), 'resolved', T0 + MIN);
const kindsOf = (items: readonly NotificationRecord[]) => items.map((i) => `${i.fingerprint}:${i.kind}`);

describe('the delivery plan: which batches go out at once and which in order', () => {
  it('gives every alert of a per-alert channel its own chain, so different alerts go out concurrently', () => {
    const chains = deliveryChains(groupBatches({ channel: 'pagerduty', batching: 'per-alert' }, [firing('a'), firing('b'), firing('c')]));
    expect(chains.map((c) => c.batches.flatMap((b) => kindsOf(b.items)))).toEqual([['a:firing'], ['b:firing'], ['c:firing']]);
  });

  it('puts the firing of an alert before its resolve in one chain, whatever order they were claimed in', () => {
    const chains = deliveryChains(groupBatches({ channel: 'pagerduty', batching: 'per-alert' }, [resolved('a'), firing('b'), firing('a')]));
    expect(chains.map((c) => c.batches.flatMap((b) => kindsOf(b.items)))).toEqual([['a:firing', 'a:resolved'], ['b:firing']]);
  });

  it('keeps a grouping channel to one chain of one message', () => {
    const chains = deliveryChains(groupBatches({ channel: 'oncall-slack', batching: 'grouped' }, [firing('a'), firing('b')]));
    expect(chains).toHaveLength(1);
    expect(chains[0]!.batches).toHaveLength(1);
  });

  it('holds a resolve back while the firing of the same episode is pending outside this claim (backing off)', () => {
    const earlier = { ...firing('a'), nextAttemptAtMs: T0 + 2 * MIN };
    const resolve = resolved('a');
    expect(waitingOn(resolve, [earlier, resolve], new Set([resolve.id]))?.id).toBe(earlier.id);
    // Claimed together, the chain orders them instead.
    expect(waitingOn(resolve, [earlier, resolve], new Set([resolve.id, earlier.id]))).toBeUndefined();
    // Another alert's pending firing does not hold it back.
    expect(waitingOn(resolve, [firing('b'), resolve], new Set([resolve.id]))).toBeUndefined();
  });
});

describe('delivery limits, checked when the runtime is built', () => {
  const CLAIM_TIMEOUT_MS = 5 * MIN;

  it('accepts the defaults: the run deadline plus store writes stays below the 5-minute claim timeout', () => {
    expect(() => checkDeliveryLimits(DELIVERY_LIMITS, CLAIM_TIMEOUT_MS)).not.toThrow();
    expect(DELIVERY_LIMITS.runDeadlineMs + STORE_WRITES_ALLOWANCE_MS).toBeLessThan(CLAIM_TIMEOUT_MS);
    expect(DELIVERY_LIMITS.maxConcurrentDeliveriesPerChannel).toBeLessThan(DELIVERY_LIMITS.maxConcurrentDeliveries);
  });

  it.each([
    ['a run deadline that would let a claim outlive its timeout', { runDeadlineMs: 4 * MIN }, /claim timeout/],
    ['a per-channel bound above the pool', { maxConcurrentDeliveries: 2, maxConcurrentDeliveriesPerChannel: 3 }, /may not exceed/],
    ['an empty pool', { maxConcurrentDeliveries: 0 }, /positive integer/],
    ['a zero request deadline', { requestTimeoutMs: 0 }, /positive integer/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => checkDeliveryLimits({ ...DELIVERY_LIMITS, ...overrides }, CLAIM_TIMEOUT_MS)).toThrow(message);
  });
});
