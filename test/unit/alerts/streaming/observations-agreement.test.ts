import { computeSliCounts } from '../../../../aggregator/slo-job';
import { runAggregation } from '../../../../aggregator/aggregate';
import { dataNeeds, evaluateRules } from '../../../../alerts/evaluate/evaluate-rules';
import { WarehouseRuleDataSource } from '../../../../alerts/evaluate/warehouse-rule-data';
import type { Observation } from '../../../../alerts/model/alert-instance';
import { defaultAlertRules } from '../../../../alerts/rules/rule-set';
import { ROLLUP_CUTOFF_MS, streamingPlan } from '../../../../alerts/streaming/plan';
import { oldestSlotMs, rollupCutoffMs, streamingObservations } from '../../../../alerts/streaming/streaming-observations';
import { tallyIncrements } from '../../../../alerts/streaming/tally';
import { MemoryTallyStore } from '../../../../alerts/streaming/tally-store';
import { IngestHandler } from '../../../../ingest';
import { silentIngestLog } from '../../../../ingest/ingest-log';
import { bucketIndex, bucketUpperBound, bucketValue } from '../../../../shared/histogram';
import { maxGoodBucket } from '../../../../shared/latency-threshold';
import { SLOS } from '../../../../shared/slo-catalogue';
import { DuckDbWarehouse } from '../../../../sql/duckdb/duckdb-warehouse';

/**
 * Issue #15: the streaming path and the scheduled one must agree on the same events, or an alert
 * fires on one path and not the other. An hour of mixed traffic (single calls and merged events,
 * tags in and out of the selectors, latencies either side of the SLO thresholds' last good
 * bucket) goes through the real ingest handler into DuckDB; every stored message is also tallied,
 * as ingest's onStored hook does. Then at a minute boundary E:
 *
 * - the scheduled evaluator's observations come from the aggregator's rollups (WarehouseRuleDataSource);
 * - the streaming observations come from the tallies, with the burn rules' long-window head read
 *   from the same rollups up to the cutoff (as StreamingAlerts does).
 *
 * At a minute (and slot) boundary with every minute complete, the two windows cover the same
 * events, so every streamed rule's value, event counts and verdict must be equal.
 */
const MIN = 60_000;
const E = Date.UTC(2026, 10, 26, 12, 0, 0);
const plan = streamingPlan(defaultAlertRules());
const B500 = maxGoodBucket(500);
const B3000 = maxGoodBucket(3_000);
/** Under the threshold but in the bucket that straddles it: counted bad by both paths. */
const straddling = (maxMs: number, b: number) => (bucketUpperBound(b) + maxMs) / 2;

type Wire = Record<string, unknown>;

/** The events of minute `i` (0 = E − 60 min) starting at `m`. */
function minuteEvents(i: number, m: number): Wire[] {
  const out: Wire[] = [];
  let n = 0;
  const id = () => `m${i}-${n++}`;
  const single = (name: string, kind: string, value: number, tags: Record<string, string>, at = 1_000 + n * 500): void => void out.push({ id: id(), name, kind, value, ts: m + at, tags });
  const merged = (name: string, kind: string, fields: Wire, tags: Record<string, string>): void => void out.push({ id: id(), name, kind, ts: m + 40_000, start_ts: m + 2_000, tags, ...fields });

  for (let k = 0; k < 3; k++) single('product.wallet.spend.success', 'count', 1, { feature: 'chat' });
  if (i % 3 === 0) merged('product.wallet.spend.success', 'count', { value: 9, count: 4, min: 1, max: 3, last: 2 }, { feature: 'gifts' });
  if (i >= 46) {
    single('product.wallet.spend.failed', 'count', 1, { feature: 'chat', reason: 'provider_error' });
    if (i % 2 === 0) merged('product.wallet.spend.failed', 'count', { value: 3, count: 3, min: 1, max: 1 }, { feature: 'gifts', reason: 'timeout' });
  }
  single('infra.http.request.count', 'count', 20, { tier: 'core', status_class: '2xx', endpoint: '/chat' });
  if (i % 2 === 0) single('infra.http.request.count', 'count', 1, { tier: 'core', status_class: '5xx', endpoint: '/chat' });
  single('infra.http.request.count', 'count', 10, { tier: 'secondary', status_class: '2xx' });
  if (i % 5 === 0 || i >= 55) single('infra.http.request.count', 'count', 2, { tier: 'secondary', status_class: '5xx' });
  single('infra.http.request.count', 'count', 7, { status_class: '5xx' }); // no tier: in no selector
  for (const v of [100, bucketValue(B500), straddling(500, B500), 800]) single('infra.http.request.latency_ms', 'timing', v, { tier: 'core' });
  if (i % 4 === 0) {
    const h: Array<[number, number]> = [
      [bucketIndex(50), 2],
      [B500, 1],
      [B500 + 1, 2],
      [bucketIndex(1_500), 1],
    ];
    merged('infra.http.request.latency_ms', 'timing', { value: 100 + bucketValue(B500) + 2 * 497 + 1_500, count: 6, min: 50, max: 1_500, last: 50, histogram: h }, { tier: 'secondary' });
  }
  for (const v of [2_500, straddling(3_000, B3000), 4_000]) single('product.ai.response.latency_ms', 'timing', v, { companion_type: 'friend', model: 'm1' });
  single('product.chat.delivery.latency_ms', 'timing', 900, { channel: 'dm' });
  if (i >= 50) single('product.chat.message.failed', 'count', 1, { channel: 'dm', reason: 'offline' });
  single('product.call.connected.count', 'count', 2, { call_type: 'video' });
  if (i >= 53) single('product.call.failed.count', 'count', 2, { call_type: 'video', reason: 'ice' });
  if (i >= 57) single('infra.function.error.count', 'count', 20, { function: 'ingest', error_code: 'timeout' });
  // Read by no streaming rule.
  single('product.wallet.payout.failed', 'count', 1, { method: 'bank', reason: 'x' });
  return out;
}

describe('streaming and scheduled observations agree on the same events (DuckDB rollups, the SLO job)', () => {
  let warehouse: DuckDbWarehouse;
  let streaming: Map<string, Observation>;
  let scheduled: Map<string, Observation>;
  const tallies = new MemoryTallyStore();
  let stored = 0;

  beforeAll(async () => {
    warehouse = await DuckDbWarehouse.open(':memory:');
    await warehouse.createSchema();
    let now = 0;
    const handler = new IngestHandler({
      warehouse,
      now: () => now,
      log: silentIngestLog,
      onStored: (messageId, events) => {
        stored += events.length;
        const increments = tallyIncrements(plan, events, now);
        if (increments.length > 0) void tallies.add(messageId, increments, now);
      },
    });
    for (let i = 0; i < 60; i++) {
      const m = E - 60 * MIN + i * MIN;
      now = m + 50_000; // stored 5–49 s after the events: every one fresh for the tallies
      const summary = await handler.handle({ id: `msg-${i}`, data: JSON.stringify({ schema: 'metrics.v1', source: { service: 'test', environment: 'test' }, events: minuteEvents(i, m) }) });
      expect(summary.deadLettered).toBe(0);
    }
    await runAggregation(warehouse, E);

    const rules = [...plan.thresholdRules, ...plan.burnRules];
    const data = await new WarehouseRuleDataSource(warehouse).fetch(dataNeeds(rules), E);
    scheduled = new Map(evaluateRules(rules, data).map((o) => [o.ruleId, o]));

    const cutoff = rollupCutoffMs(E);
    const headSeconds = 3_600 - ROLLUP_CUTOFF_MS / 1000;
    const sli = await computeSliCounts(warehouse, cutoff, SLOS, [{ label: 'head', seconds: headSeconds }]);
    const head = new Map(SLOS.map((s) => [s.id, sli.get(s.id)!['head']!]));
    const read = await tallies.read(plan.keys, oldestSlotMs(plan, E));
    streaming = new Map(streamingObservations(plan, read, head, new Map(), E).map((o) => [o.ruleId, o]));
  });

  afterAll(async () => {
    await warehouse.close();
  });

  it('stored every event and observed every streamed rule on both paths', () => {
    expect(stored).toBeGreaterThan(60 * 15);
    const ids = [...plan.thresholdRules, ...plan.burnRules].map((r) => r.id).sort();
    expect([...streaming.keys()].sort()).toEqual(ids);
    expect([...scheduled.keys()].sort()).toEqual(ids);
  });

  it('the P0 threshold rules: the same value and verdict (wallet: 10 singles + 5 merged of 3 = 25 failures in 10 min)', () => {
    for (const rule of plan.thresholdRules) {
      const s = streaming.get(rule.id)!;
      const r = scheduled.get(rule.id)!;
      expect({ rule: rule.id, value: s.value, breaching: s.breaching }).toEqual({ rule: rule.id, value: r.value, breaching: r.breaching });
    }
    expect(streaming.get('wallet-spend-failures-critical')!.value).toBe(10 + 5 * 3);
    expect(streaming.get('call-failures-critical')!.value).toBe(14);
    expect(streaming.get('function-errors-critical')!.value).toBe(60);
    expect(plan.thresholdRules.map((r) => streaming.get(r.id)!.breaching)).toEqual(plan.thresholdRules.map((r) => r.id !== 'call-failures-critical'));
  });

  it('every page-tier burn rule: the same 1h and 5m good/bad counts, burn rate and verdict', () => {
    for (const rule of plan.burnRules) {
      const s = streaming.get(rule.id)!;
      const r = scheduled.get(rule.id)!;
      const counts = (o: Observation) => {
        const events = (o.detail as { events: Record<string, { total: number; bad: number }> }).events;
        return { '1h': events['1h'], '5m': events['5m'] };
      };
      expect({ rule: rule.id, ...counts(s), breaching: s.breaching }).toEqual({ rule: rule.id, ...counts(r), breaching: r.breaching });
      expect({ rule: rule.id, value: s.value }).toEqual({ rule: rule.id, value: r.value === null ? null : expect.closeTo(r.value, 9) });
    }
  });

  it('the data exercise the rules: the 5m windows hold bad events, latency SLOs count the straddling bucket bad, some rules breach and some do not', () => {
    const events = (id: string) => (streaming.get(id)!.detail as { events: Record<string, { total: number; bad: number }> }).events;
    // api-latency, 5 minutes: per minute 4 singles (2 bad: straddling and 800 ms) — and merged events in 1 of the minutes (3 bad of 6).
    const api = events('slo-api-latency-burn-page')['5m']!;
    expect(api.total).toBe(5 * 4 + 6);
    expect(api.bad).toBe(5 * 2 + 3);
    expect(events('slo-ai-response-latency-burn-page')['5m']).toEqual({ total: 15, bad: 10 });
    // The hour: 45 minutes from the rollup head, 15 from the tallies. Wallet (a count metric counts
    // its values): 180 + 20 merged of value 9
    // successes, 14 + 7 merged × 3 failures.
    expect(events('slo-wallet-spend-success-burn-page')['1h']).toEqual({ total: 180 + 20 * 9 + 14 + 21, bad: 35 });
    const verdicts = plan.burnRules.map((r) => streaming.get(r.id)!.breaching);
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });
});
