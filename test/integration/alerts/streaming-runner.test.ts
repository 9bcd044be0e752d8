import { existsSync, readFileSync } from 'node:fs';
import { applyObservations } from '../../../alerts/run/evaluate-run';
import type { BuiltRuntime } from '../../../alerts/run/runtime';
import { streamingPlan } from '../../../alerts/streaming/plan';
import { StreamingAlerts } from '../../../alerts/streaming/streaming-alerts';
import { MemoryTallyStore, type TallyStore } from '../../../alerts/streaming/tally-store';
import type { MetricEvent } from '../../../shared/event-schema';
import type { OutboxEntry } from '../../../alerts/notifiers/outbox/outbox-notifier';
import { IngestHandler } from '../../../ingest';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { defineQuery } from '../../../sql/dialect';
import { AlertEnv, MIN, T0 } from './support/alert-env';

/**
 * Issue #15, the streaming runner on the real DuckDB warehouse alert store: events go through the
 * real ingest handler (stored in metric_events, and handed to StreamingAlerts.observe as ingest's
 * onStored hook does), the tallies live in the in-process store, notifications go to the outbox
 * (no channel configured). What a person on call notices:
 *
 * - the 11th failed spend pages at once — PagerDuty, oncall Slack and finance e-mail, one each —
 *   with no rollup and no scheduled evaluation having run;
 * - a redelivered message and the scheduled evaluator running at the same time add nothing;
 * - the scheduled path resolves it; after that, late or replayed events of the closed episode
 *   never page again from the streaming path, while a fresh burst does.
 */
const WALLET_P0 = 'wallet-spend-failures-critical';
const WALLET_CHANNELS = ['finance-email', 'oncall-slack', 'pagerduty'];
const T = T0 + 10 * MIN; // 03:10:00

describe('streaming alerts on the DuckDB alert store: the wallet P0 from the events', () => {
  let env: AlertEnv;
  let runtime: BuiltRuntime;
  let streaming: StreamingAlerts;
  let ingest: IngestHandler;
  const fired: string[] = [];
  let seq = 0;

  /** A Pub/Sub message of `n` failed spends at `ts0`, `ts0 + 1 s`, … (fresh event ids unless given). */
  const failures = (n: number, ts0: number, ids?: readonly string[]): string =>
    JSON.stringify({
      schema: 'metrics.v1',
      source: { service: 'wallet', environment: 'test' },
      events: Array.from({ length: n }, (_, i) => ({ id: ids?.[i] ?? `ev-${++seq}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts: ts0 + i * 1_000, tags: { feature: 'chat', reason: 'provider_error' } })),
    });
  /** Ingest handles message `id` at `atMs` (the fake clock moves there); resolves when the streaming path has judged it. */
  const deliver = async (id: string, data: string, atMs: number) => {
    env.clock.set(atMs);
    const summary = await ingest.handle({ id, data });
    await streaming.idle();
    return summary;
  };
  /** Per channel, the wallet P0 notifications of `kind` the outbox holds. */
  const outbox = (kind: 'firing' | 'resolved'): Record<string, number> => {
    const out: Record<string, number> = {};
    if (!existsSync(env.outboxPath)) return out;
    for (const line of readFileSync(env.outboxPath, 'utf8').split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as OutboxEntry;
      for (const n of entry.notifications) if (n.fingerprint === WALLET_P0 && n.kind === kind) out[entry.channel] = (out[entry.channel] ?? 0) + 1;
    }
    return out;
  };
  const each = (n: number) => Object.fromEntries(WALLET_CHANNELS.map((c) => [c, n]));
  const walletInstance = async () => (await runtime.store.loadInstances()).find((i) => i.fingerprint === WALLET_P0);
  const rollupRows = async () => Number((await env.warehouse.query(defineQuery('t_rollup_count', 'SELECT COUNT(*) AS n FROM {{metric_rollups}} WHERE window_start >= TIMESTAMP_MILLIS(0)')))[0]!.n);

  beforeAll(async () => {
    env = await AlertEnv.open();
    runtime = env.runtime();
    env.clock.set(T);
    streaming = new StreamingAlerts({
      plan: streamingPlan(runtime.rules),
      tallies: new MemoryTallyStore(),
      warehouse: () => Promise.resolve(env.warehouse),
      runtime: () => runtime,
      clock: env.clock,
      logger: env.logger,
      onReport: (report) => fired.push(...report.transitions.filter((t) => t.to === 'firing').map((t) => t.fingerprint)),
    });
    ingest = new IngestHandler({ warehouse: env.warehouse, now: () => env.clock.now(), log: silentIngestLog, onStored: (id, events) => streaming.observe(id, events) });
  });

  afterAll(async () => {
    await streaming.stop();
    await env.close();
  });

  const burst = failures(11, T - 30_000);

  it('10 failures in the window page nobody', async () => {
    await deliver('pubsub-0', failures(10, T - 50 * MIN), T - 50 * MIN + 15_000);
    expect(streaming.stats).toMatchObject({ tallied: 1, fired: 0, errors: 0 });
    expect(await walletInstance()).toBeUndefined();
    expect(outbox('firing')).toEqual({});
  });

  it('the 11th failure in 10 minutes fires the P0 from the events: one notification per routed channel, with no rollup or scheduled run', async () => {
    expect(await deliver('pubsub-1', burst, T)).toMatchObject({ stored: 11, duplicates: 0 });
    expect(fired).toEqual([WALLET_P0]);
    expect(streaming.stats).toMatchObject({ tallied: 2, redelivered: 0, fired: 1, errors: 0, lastError: null });
    expect(await rollupRows()).toBe(0);
    expect(await walletInstance()).toMatchObject({ state: 'firing', firedBy: 'streaming', value: 11, threshold: 10, firedAtMs: T });
    expect(outbox('firing')).toEqual(each(1));
    const log = await env.alertLog();
    expect(log.filter((r) => r.entry_type === 'transition' && r.fingerprint === WALLET_P0).map((r) => [r.from_state, r.to_state])).toEqual([['inactive', 'firing']]);
    expect(log.filter((r) => r.entry_type === 'delivery' && r.fingerprint === WALLET_P0 && r.delivery_status === 'delivered').map((r) => r.channel).sort()).toEqual(WALLET_CHANNELS);
  });

  it('the same message redelivered adds nothing (stats.redelivered), evaluates nothing, notifies nothing', async () => {
    const evaluations = streaming.stats.evaluations;
    expect(await deliver('pubsub-1', burst, T + 2_000)).toMatchObject({ stored: 0, duplicates: 11 });
    expect(streaming.stats).toMatchObject({ tallied: 2, redelivered: 1, fired: 1, evaluations });
    expect(outbox('firing')).toEqual(each(1));
  });

  it('the scheduled evaluator at the same time (its rollups without the burst yet) adds no notification and leaves it firing', async () => {
    const report = await env.evaluate(T + 2_000, runtime);
    expect(report.transitions.filter((t) => t.fingerprint === WALLET_P0)).toEqual([]);
    expect(report.recorded.filter((n) => n.fingerprint === WALLET_P0)).toEqual([]);
    expect(report.firing.find((f) => f.fingerprint === WALLET_P0)).toMatchObject({ firedBy: 'streaming', value: 11 });
    expect(await walletInstance()).toMatchObject({ state: 'firing', keepFiringSinceMs: null, value: 11 });
    expect(outbox('firing')).toEqual(each(1));
  });

  it('…nor once the rollups hold the burst and the scheduled path sees the breach itself', async () => {
    await env.aggregate(T + MIN);
    const report = await env.evaluate(T + MIN, runtime);
    expect(report.recorded.filter((n) => n.fingerprint === WALLET_P0)).toEqual([]);
    expect(report.firing.find((f) => f.fingerprint === WALLET_P0)).toMatchObject({ firedBy: 'streaming', value: 11 });
    expect(outbox('firing')).toEqual(each(1));
  });

  it('the scheduled path resolves it (the streaming path never does): keep_firing_for starts once the burst leaves its window, and it resolves once', async () => {
    const scheduled = async (at: number) => {
      await env.aggregate(at);
      return (await env.evaluate(at, runtime)).transitions.filter((t) => t.fingerprint === WALLET_P0);
    };
    for (const at of [T + 5 * MIN, T + 9 * MIN]) {
      expect(await scheduled(at)).toEqual([]);
      expect(await walletInstance()).toMatchObject({ state: 'firing', keepFiringSinceMs: null, value: 11 });
    }
    expect(await scheduled(T + 10 * MIN)).toEqual([]); // the window [T, T + 10 min) no longer holds the burst
    expect(await walletInstance()).toMatchObject({ state: 'firing', keepFiringSinceMs: T + 10 * MIN, value: 0 });
    expect(await scheduled(T + 15 * MIN - 1_000)).toEqual([]);
    // The streaming path never resolves: its own "not breaching" once keep_firing_for has run out is discarded.
    const quiet = [{ fingerprint: WALLET_P0, ruleId: WALLET_P0, labels: (await walletInstance())!.labels, value: 0, threshold: 10, breaching: false, detail: {} }];
    const rules = runtime.rules.filter((r) => r.id === WALLET_P0);
    expect((await applyObservations(runtime, rules, quiet, T + 15 * MIN, 'streaming-test', 'streaming')).transitions).toEqual([]);
    expect(await walletInstance()).toMatchObject({ state: 'firing', keepFiringSinceMs: T + 10 * MIN });
    expect(outbox('resolved')).toEqual({});
    expect((await scheduled(T + 15 * MIN)).map((t) => [t.from, t.to])).toEqual([['firing', 'resolved']]);
    expect(await walletInstance()).toMatchObject({ state: 'resolved', resolvedAtMs: T + 15 * MIN });
    expect(outbox('resolved')).toEqual(each(1));
  });

  const R = T + 15 * MIN;

  it('replayed: the old burst again under a new message id (older than 60 s now) is ignored: nothing tallied, no page', async () => {
    const before = { ...streaming.stats };
    await deliver('pubsub-replay', failures(11, T - 30_000), R + 30_000);
    expect(streaming.stats).toMatchObject({ tallied: before.tallied, evaluations: before.evaluations, fired: 1 });
    expect(await walletInstance()).toMatchObject({ state: 'resolved' });
    expect(outbox('firing')).toEqual(each(1));
  });

  it('late: 11 failures stamped just before the resolution, arriving after it, are tallied but do not re-fire the resolved alert', async () => {
    const before = { ...streaming.stats };
    await deliver('pubsub-late', failures(11, R - 25_000, Array.from({ length: 11 }, (_, i) => `late-${i}`)), R + 31_000);
    expect(streaming.stats).toMatchObject({ tallied: before.tallied + 1, evaluations: before.evaluations + 1, fired: 1, errors: 0 });
    expect(await walletInstance()).toMatchObject({ state: 'resolved', resolvedAtMs: R });
    expect(outbox('firing')).toEqual(each(1));
  });

  it('a fresh burst after the resolution fires it again: a new episode, notified once per channel', async () => {
    await deliver('pubsub-2', failures(11, R + 40_000), R + 55_000);
    expect(fired).toEqual([WALLET_P0, WALLET_P0]);
    expect(streaming.stats).toMatchObject({ fired: 2, errors: 0 });
    expect(await walletInstance()).toMatchObject({ state: 'firing', firedBy: 'streaming', firedAtMs: R + 55_000, value: 11 });
    expect(outbox('firing')).toEqual(each(2));
  });

  it('logged nothing at warn or error level', () => {
    expect(env.logger.lines.filter((l) => /"level":"(warn|error)"/.test(l) && /streaming/.test(l))).toEqual([]);
  });
});

/**
 * The page-tier burn rule of wallet-spend-success (1h AND 5m at 14.4×, at least 100 events in the
 * hour) on the streaming path: the hour's first 45 minutes come from the aggregator's rollups (the
 * runner reads them from the warehouse), the rest from the tallies. 90 healthy spends were rolled
 * up; then every spend fails. The tallies alone never reach the 100-event guard before the 100th
 * event — so the page at the 10th failure shows the runner added the rollup head.
 */
describe('streaming alerts on the DuckDB alert store: the wallet fast-burn page at 100% errors', () => {
  let env: AlertEnv;
  let runtime: BuiltRuntime;
  let streaming: StreamingAlerts;
  const BURN = 'slo-wallet-spend-success-burn-page';
  const at = T + 20_000; // 03:10:20: the head is [02:10, 02:55), the tallies from 02:55
  let seq = 0;
  const fail = (ts: number): MetricEvent => ({ id: `burn-${++seq}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts, tags: { feature: 'chat', reason: 'provider_error' } });
  const states = async () => Object.fromEntries((await runtime.store.loadInstances()).filter((i) => i.ruleId === BURN || i.ruleId === WALLET_P0).map((i) => [i.ruleId, i.state]));

  beforeAll(async () => {
    env = await AlertEnv.open();
    runtime = env.runtime();
    await env.insertCountEvents('product.wallet.spend.success', { feature: 'chat' }, T - 60 * MIN, T - 15 * MIN, 2);
    await env.aggregate(T - 14 * MIN);
    env.clock.set(at);
    streaming = new StreamingAlerts({ plan: streamingPlan(runtime.rules), tallies: new MemoryTallyStore(), warehouse: () => Promise.resolve(env.warehouse), runtime: () => runtime, clock: env.clock, logger: env.logger });
  });

  afterAll(async () => {
    await streaming.stop();
    await env.close();
  });

  it('9 failures: 90 + 9 events in the hour, under the guard — nothing fires', async () => {
    for (let i = 0; i < 9; i++) streaming.observe(`b-${i}`, [fail(at - 9_000 + i * 1_000)]);
    await streaming.idle();
    expect(streaming.stats).toMatchObject({ tallied: 9, fired: 0, errors: 0 });
    expect(await states()).toEqual({});
  });

  it('the 10th failure pages the burn rule (P1: oncall Slack and PagerDuty) from the events, its hour = 90 rolled up + 10 tallied', async () => {
    env.clock.set(at + 2_000);
    streaming.observe('b-9', [fail(at + 1_000)]);
    await streaming.idle();
    expect(await states()).toEqual({ [BURN]: 'firing' });
    const burn = (await runtime.store.loadInstances()).find((i) => i.ruleId === BURN)!;
    expect(burn).toMatchObject({ firedBy: 'streaming', severity: 'P1', threshold: 14.4 });
    expect((burn.detail as { events: Record<string, unknown> }).events).toMatchObject({ '1h': { total: 100, bad: 10 }, '5m': { total: 10, bad: 10 } });
    const routed = readFileSync(env.outboxPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxEntry);
    expect(routed.flatMap((e) => e.notifications.filter((n) => n.fingerprint === BURN).map((n) => `${e.channel}:${n.kind}`)).sort()).toEqual(['oncall-slack:firing', 'pagerduty:firing']);
  });

  it('the 11th pages the P0 too; the burn alert is not notified again', async () => {
    env.clock.set(at + 4_000);
    streaming.observe('b-10', [fail(at + 3_000)]);
    await streaming.idle();
    expect(await states()).toEqual({ [BURN]: 'firing', [WALLET_P0]: 'firing' });
    const routed = readFileSync(env.outboxPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxEntry);
    expect(routed.flatMap((e) => e.notifications.filter((n) => n.fingerprint === BURN)).length).toBe(2);
  });
});

/** The runner's own promises: ingest is never slowed or broken by it, and a burst is judged in few evaluations. */
describe('the streaming runner under load and failure', () => {
  let env: AlertEnv;
  beforeAll(async () => {
    env = await AlertEnv.open();
  });
  afterAll(async () => {
    await env.close();
  });
  const fail = (id: string, ts: number): MetricEvent => ({ id, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts, tags: {} });

  it('a burst of 50 messages is tallied in full and evaluated at most once a second (here: the first message, then the rest together)', async () => {
    const runtime = env.runtime();
    env.clock.set(T);
    const streaming = new StreamingAlerts({ plan: streamingPlan(runtime.rules), tallies: new MemoryTallyStore(), warehouse: () => Promise.resolve(env.warehouse), runtime: () => runtime, clock: env.clock, logger: env.logger });
    const evaluatedAt: number[] = [];
    const evaluate = streaming.evaluate.bind(streaming);
    streaming.evaluate = (nowMs: number) => (evaluatedAt.push(nowMs), evaluate(nowMs));
    for (let i = 0; i < 50; i++) streaming.observe(`load-${i}`, [fail(`load-${i}`, T - 5_000)]);
    await streaming.idle();
    expect(streaming.stats).toMatchObject({ tallied: 50, errors: 0, fired: 1 });
    expect(evaluatedAt.length).toBeGreaterThanOrEqual(1);
    expect(evaluatedAt.length).toBeLessThanOrEqual(2);
    for (let i = 1; i < evaluatedAt.length; i++) expect(evaluatedAt[i]! - evaluatedAt[i - 1]!).toBeGreaterThanOrEqual(1_000);
    await streaming.stop();
  });

  it('a failing tally store never throws into ingest: the failure is counted and logged, nothing fires, and the events are still stored', async () => {
    const runtime = env.runtime();
    env.clock.set(T + 60 * MIN);
    const broken: TallyStore = { add: () => Promise.reject(new Error('tally store unavailable')), read: () => Promise.reject(new Error('tally store unavailable')) };
    const streaming = new StreamingAlerts({ plan: streamingPlan(runtime.rules), tallies: broken, warehouse: () => Promise.resolve(env.warehouse), runtime: () => runtime, clock: env.clock, logger: env.logger });
    const ingest = new IngestHandler({ warehouse: env.warehouse, now: () => env.clock.now(), log: silentIngestLog, onStored: (id, events) => streaming.observe(id, events) });
    const data = JSON.stringify({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'test' }, events: Array.from({ length: 12 }, (_, i) => ({ id: `broken-${i}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts: T + 60 * MIN - 5_000, tags: {} })) });
    expect(await ingest.handle({ id: 'broken-msg', data })).toMatchObject({ stored: 12 });
    await streaming.idle();
    expect(streaming.stats).toMatchObject({ tallied: 0, fired: 0, errors: 1, lastError: expect.stringContaining('tally store unavailable') });
    expect(env.logger.lines.some((l) => l.includes('"level":"warn"') && l.includes('could not add tallies') && l.includes('tally store unavailable'))).toBe(true);
    await streaming.stop();
  });

  it('a metric no streaming rule reads is not tallied and triggers no evaluation', async () => {
    const runtime = env.runtime();
    const streaming = new StreamingAlerts({ plan: streamingPlan(runtime.rules), tallies: new MemoryTallyStore(), warehouse: () => Promise.resolve(env.warehouse), runtime: () => runtime, clock: env.clock, logger: env.logger });
    streaming.observe('payouts', [{ id: 'p1', name: 'product.wallet.payout.failed', kind: 'count', value: 1, ts: env.clock.now() - 1_000, tags: {} }]);
    await streaming.idle();
    expect(streaming.stats).toMatchObject({ tallied: 0, evaluations: 0, errors: 0 });
    await streaming.stop();
  });
});
