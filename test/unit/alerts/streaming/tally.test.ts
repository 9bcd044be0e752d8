import { defaultAlertRules } from '../../../../alerts/rules/rule-set';
import { selectorTallyKey, streamingPlan, thresholdKey } from '../../../../alerts/streaming/plan';
import { STREAMING_MAX_LATENESS_MS, tallyIncrements } from '../../../../alerts/streaming/tally';
import type { TallyIncrement } from '../../../../alerts/streaming/tally-store';
import { bucketIndex, bucketUpperBound, bucketValue } from '../../../../shared/histogram';
import { maxGoodBucket } from '../../../../shared/latency-threshold';
import type { MetricEvent } from '../../../../shared/event-schema';
import { thresholdRule } from '../helpers';

/**
 * Issue #15: what one stored message adds to the streaming tallies. The counters must be the same
 * sums the rollups keep (n/e = calls, s/v = value sum, g = good latency calls by the SLO job's
 * bucket rule), or a streaming window and the scheduled one disagree. The end-to-end agreement
 * with the rollups and the SLO job on DuckDB is in observations-agreement.test.ts.
 */
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const plan = streamingPlan(defaultAlertRules());
const walletP0 = thresholdKey(plan.thresholdRules.find((r) => r.id === 'wallet-spend-failures-critical')!);
const failedSel = selectorTallyKey({ metric: 'product.wallet.spend.failed' });
const successSel = selectorTallyKey({ metric: 'product.wallet.spend.success' });
const latencyTotal = selectorTallyKey({ metric: 'infra.http.request.latency_ms' });
const latencyGood = selectorTallyKey({ metric: 'infra.http.request.latency_ms', maxMs: 500 });

let seq = 0;
function ev(name: MetricEvent['name'], kind: MetricEvent['kind'], value: number, ts: number, tags: Record<string, string> = {}, extra: Partial<MetricEvent> = {}): MetricEvent {
  return { id: `e${++seq}`, name, kind, value, ts, tags, ...extra };
}
const failed = (ts = NOW - 5_000, value = 1, extra: Partial<MetricEvent> = {}) => ev('product.wallet.spend.failed', 'count', value, ts, { feature: 'chat', reason: 'provider_error' }, extra);

/** The increments as key → slot → fields, for readable expectations. */
function byKey(increments: readonly TallyIncrement[]): Record<string, Record<number, Record<string, number>>> {
  const out: Record<string, Record<number, Record<string, number>>> = {};
  for (const inc of increments) {
    const slots = (out[inc.key] ??= {});
    expect(slots[inc.slotMs]).toBeUndefined(); // one increment per (key, slot) per message
    slots[inc.slotMs] = { ...inc.fields };
  }
  return out;
}

describe('tallyIncrements: counters of threshold rules (n calls, s value sum)', () => {
  it('one failed spend adds 1 call and its value to the P0 rule and to the wallet SLO selector, in its 10-second slot', () => {
    const slot = NOW - 10_000;
    expect(byKey(tallyIncrements(plan, [failed(NOW - 5_000)], NOW))).toEqual({
      [walletP0]: { [slot]: { n: 1, s: 1 } },
      [failedSel]: { [slot]: { e: 1, v: 1 } },
    });
  });

  it('a count event with value 3 (three spends counted at once) adds 1 call and 3 to the sum, as the rollups do (event_count 1, value_sum 3)', () => {
    expect(byKey(tallyIncrements(plan, [failed(NOW - 5_000, 3)], NOW))[walletP0]).toEqual({ [NOW - 10_000]: { n: 1, s: 3 } });
  });

  it('a merged count event (count 4, value 9) adds 4 calls and 9, the same as its four calls sent one by one', () => {
    const start = NOW - 40_000;
    const merged = failed(NOW - 35_000, 9, { count: 4, min: 1, max: 4, last: 2, start_ts: start });
    const one = [failed(NOW - 35_000, 1), failed(NOW - 35_000, 4), failed(NOW - 35_000, 2), failed(NOW - 35_000, 2)];
    expect(byKey(tallyIncrements(plan, [merged], NOW))).toEqual(byKey(tallyIncrements(plan, one, NOW)));
    expect(byKey(tallyIncrements(plan, [merged], NOW))[walletP0]).toEqual({ [NOW - 40_000]: { n: 4, s: 9 } });
  });

  it('events of one message in one slot are summed into one increment; another slot gets its own', () => {
    const events = [failed(NOW - 19_000), failed(NOW - 11_000, 2), failed(NOW - 9_000), failed(NOW - 1_000, 1, { count: 2, min: 0, max: 1, start_ts: NOW - 2_000 })];
    expect(byKey(tallyIncrements(plan, events, NOW))[walletP0]).toEqual({ [NOW - 20_000]: { n: 2, s: 3 }, [NOW - 10_000]: { n: 3, s: 2 } });
  });

  it('a merged gauge adds its sum (its value is only the last one): an avg rule reads the mean of the calls', () => {
    const gaugePlan = streamingPlan([thresholdRule({ id: 'depth', streaming: true, metric: 'infra.queue.depth', aggregation: 'avg', where: { queue: 'ingest' } })]);
    const depth = ev('infra.queue.depth', 'gauge', 4, NOW - 3_000, { queue: 'ingest' }, { count: 3, min: 2, max: 9, sum: 15, start_ts: NOW - 9_000 });
    const single = ev('infra.queue.depth', 'gauge', 7, NOW - 2_000, { queue: 'ingest' });
    expect(byKey(tallyIncrements(gaugePlan, [depth, single], NOW))).toEqual({ 't|depth': { [NOW - 10_000]: { n: 4, s: 22 } } });
  });
});

describe('tallyIncrements: where-filters', () => {
  const http = (tags: Record<string, string>, value = 1) => ev('infra.http.request.count', 'count', value, NOW - 5_000, tags);
  const core = selectorTallyKey({ metric: 'infra.http.request.count', where: { tier: 'core' } });
  const core5xx = selectorTallyKey({ metric: 'infra.http.request.count', where: { tier: 'core', status_class: '5xx' } });
  const secondary = selectorTallyKey({ metric: 'infra.http.request.count', where: { tier: 'secondary' } });
  const secondary5xx = selectorTallyKey({ metric: 'infra.http.request.count', where: { tier: 'secondary', status_class: '5xx' } });
  const slot = NOW - 10_000;

  it('a core 5xx request counts for the core total and the core bad selector, not for the secondary tier', () => {
    expect(byKey(tallyIncrements(plan, [http({ tier: 'core', status_class: '5xx', endpoint: '/pay' }, 5)], NOW))).toEqual({
      [core]: { [slot]: { e: 1, v: 5 } },
      [core5xx]: { [slot]: { e: 1, v: 5 } },
    });
  });

  it('a secondary 2xx request counts only for the secondary total', () => {
    expect(Object.keys(byKey(tallyIncrements(plan, [http({ tier: 'secondary', status_class: '2xx' })], NOW)))).toEqual([secondary]);
    expect(secondary5xx).not.toBe(secondary);
  });

  it('a request without the tier tag matches no selector: nothing is tallied', () => {
    expect(tallyIncrements(plan, [http({ status_class: '5xx' })], NOW)).toEqual([]);
  });

  it("a threshold rule's where: an event lacking the tag, or with another value, adds nothing", () => {
    const p = streamingPlan([thresholdRule({ id: 'chat-only', streaming: true, where: { feature: 'chat' } })]);
    expect(tallyIncrements(p, [failed(), ev('product.wallet.spend.failed', 'count', 1, NOW - 5_000, { feature: 'gifts' }), ev('product.wallet.spend.failed', 'count', 1, NOW - 5_000, {})], NOW)).toEqual([
      { key: 't|chat-only', slotMs: NOW - 10_000, fields: { n: 1, s: 1 } },
    ]);
  });
});

describe('tallyIncrements: latency good counts by the SLO job’s conservative bucket rule', () => {
  const B = maxGoodBucket(500);
  const latency = (value: number, extra: Partial<MetricEvent> = {}) => ev('infra.http.request.latency_ms', 'timing', value, NOW - 5_000, { tier: 'core' }, extra);
  /** A value inside bucket `b`, away from its edges. */
  const inBucket = (b: number) => bucketValue(b);
  const good = (events: MetricEvent[]) => byKey(tallyIncrements(plan, events, NOW))[latencyGood]?.[NOW - 10_000]?.g;

  it('the threshold sits inside bucket B+1: B is the last good bucket', () => {
    expect(bucketUpperBound(B)).toBeLessThanOrEqual(500);
    expect(bucketUpperBound(B + 1)).toBeGreaterThan(500);
  });

  it('a single call in bucket B is good; one in bucket B+1 is bad even when it is under 500 ms (as the SLO job counts it)', () => {
    const underButStraddling = (bucketUpperBound(B) + 500) / 2;
    expect(bucketIndex(underButStraddling)).toBe(B + 1);
    expect(underButStraddling).toBeLessThan(500);
    expect(good([latency(inBucket(B))])).toBe(1);
    expect(good([latency(underButStraddling)])).toBe(0);
    expect(good([latency(100), latency(800), latency(inBucket(B)), latency(underButStraddling)])).toBe(2);
    // The total selector counts every call, good or not.
    expect(byKey(tallyIncrements(plan, [latency(100), latency(800)], NOW))[latencyTotal]).toEqual({ [NOW - 10_000]: { e: 2, v: 900 } });
  });

  it('a merged timing counts the calls of its histogram buckets at or under B', () => {
    const histogram: Array<[number, number]> = [
      [bucketIndex(20), 3],
      [B, 2],
      [B + 1, 4],
      [bucketIndex(2_000), 1],
    ];
    const merged = latency(3 * 20 + 2 * inBucket(B) + 4 * 497 + 2_000, { count: 10, min: 20, max: 2_000, start_ts: NOW - 8_000, histogram });
    expect(good([merged])).toBe(5);
    expect(byKey(tallyIncrements(plan, [merged], NOW))[latencyTotal]![NOW - 10_000]!.e).toBe(10);
  });

  it('the same calls merged or one by one give the same good count', () => {
    const values = [12, 80, 450, inBucket(B), 499.5, 510, 3_000];
    const histogram = new Map<number, number>();
    for (const v of values) histogram.set(bucketIndex(v), (histogram.get(bucketIndex(v)) ?? 0) + 1);
    const merged = latency(
      values.reduce((a, b) => a + b, 0),
      { count: values.length, min: 12, max: 3_000, start_ts: NOW - 8_000, histogram: [...histogram].sort((a, b) => a[0] - b[0]) },
    );
    expect(good([merged])).toBe(good(values.map((v) => latency(v))));
    expect(good([merged])).toBe(values.filter((v) => bucketIndex(v) <= B).length);
  });

  it('the AI latency SLO uses its own threshold (3 s) on its own metric', () => {
    const aiGood = selectorTallyKey({ metric: 'product.ai.response.latency_ms', maxMs: 3_000 });
    const ai = (v: number) => ev('product.ai.response.latency_ms', 'timing', v, NOW - 5_000, { companion_type: 'x', model: 'm' });
    expect(byKey(tallyIncrements(plan, [ai(2_500), ai(900), ai(4_000)], NOW))[aiGood]).toEqual({ [NOW - 10_000]: { e: 3, v: 7_400, g: 2 } });
  });
});

describe('tallyIncrements: what is never tallied', () => {
  it(`events older than ${STREAMING_MAX_LATENESS_MS / 1000} s when stored add nothing (late or replayed: the scheduled path's)`, () => {
    expect(tallyIncrements(plan, [failed(NOW - STREAMING_MAX_LATENESS_MS - 1), failed(NOW - 10 * 60_000)], NOW)).toEqual([]);
    // The edge itself still counts.
    expect(byKey(tallyIncrements(plan, [failed(NOW - STREAMING_MAX_LATENESS_MS)], NOW))[walletP0]).toEqual({ [NOW - 60_000]: { n: 1, s: 1 } });
  });

  it('a message mixing late and fresh events tallies only the fresh ones', () => {
    expect(byKey(tallyIncrements(plan, [failed(NOW - 2 * 60_000), failed(NOW - 1_000, 2)], NOW))[walletP0]).toEqual({ [NOW - 10_000]: { n: 1, s: 2 } });
  });

  it('events of metrics no streaming rule reads produce no increments', () => {
    const unread = [
      ev('product.wallet.payout.failed', 'count', 1, NOW - 1_000, { method: 'bank' }),
      ev('product.wallet.spend.latency_ms', 'timing', 40, NOW - 1_000, { feature: 'chat' }),
      ev('infra.queue.depth', 'gauge', 3, NOW - 1_000, { queue: 'x' }),
    ];
    expect(tallyIncrements(plan, unread, NOW)).toEqual([]);
    // …and do not disturb the ones that are read.
    expect(Object.keys(byKey(tallyIncrements(plan, [...unread, ev('product.wallet.spend.success', 'count', 1, NOW - 1_000, { feature: 'chat' })], NOW)))).toEqual([successSel]);
  });

  it('a plan with no streaming rule tallies nothing', () => {
    expect(tallyIncrements(streamingPlan([]), [failed()], NOW)).toEqual([]);
  });
});
