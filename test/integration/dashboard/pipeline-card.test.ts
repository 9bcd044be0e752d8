import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalApp } from '../../../app/local';
import { emittingPipelineMetrics, NO_PIPELINE_METRICS, type EmittingPipelineMetrics, type PipelineMetrics } from '../../../app/pipeline-metrics';
import { loadDashboard, type DashboardSources } from '../../../dashboard/dashboard-data';
import { createEmitter, type MetricsClient, type Transport } from '../../../emitter';
import { IngestHandler, type IngestBatchReport } from '../../../ingest/ingest-handler';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logger';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { Warehouse } from '../../../sql/warehouse';

/**
 * The dashboard's Pipeline card (dashboard/pipeline-card.ts) over the pipeline's own metrics as the
 * real pipeline produces them: ingest's onBatch and the job runners report to the local
 * assembly's sink, whose emitter hands every report back to the same ingest handler (as `obs
 * start` does, test/integration/app/pipeline-metrics.test.ts); the rollup job rolls them up; the
 * dashboard loads them from the rollups. Expected numbers come from what ingest and the jobs
 * returned, not from the warehouse.
 */

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const MINUTE = 60_000;

const message = (events: unknown[]) => JSON.stringify({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'test' }, events });
const spend = (id: string, ts: number) => ({ id, name: 'product.wallet.spend.success', kind: 'count', value: 1, ts, tags: { feature: 'chat' } });

interface Harness {
  readonly wh: DuckDbWarehouse;
  readonly clock: FakeClock;
  readonly app: ReturnType<typeof createLocalApp>;
  readonly sink: EmittingPipelineMetrics;
  /** Every batch ingest reported, in order. */
  readonly batches: IngestBatchReport[];
  publish(data: string): Promise<void>;
  dashboardAt(nowMs: number): ReturnType<typeof loadDashboard>;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-pipeline-card-'));
  const clock = new FakeClock(T0);
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  const batches: IngestBatchReport[] = [];
  let metrics: PipelineMetrics = NO_PIPELINE_METRICS; // the assembly's sink, once built
  const handler = new IngestHandler({
    warehouse: wh,
    now: () => clock.now(),
    log: silentIngestLog,
    onBatch: (batch) => {
      batches.push(batch);
      metrics.ingested(batch);
    },
  });
  let sequence = 0;
  const publish = async (data: Uint8Array | string) => void (await handler.handle({ id: `m${++sequence}`, data }));
  const transport: Transport = { name: 'in-process', publish, close: () => Promise.resolve() };
  // Only the test's explicit flushes publish: the emitter's own 1 s timer would otherwise, on a busy
  // machine, send the jobs' metrics in a message of their own before the test's flush.
  const emitter: MetricsClient = createEmitter({ transport, service: 'observability', environment: 'test', now: () => clock.now(), handleProcessSignals: false, flushIntervalMs: 3_600_000 });
  // A long interval: the test hands the totals over with flush(), as the stack's tick does.
  const sink = emittingPipelineMetrics(emitter, { reportIntervalMs: 3_600_000, now: () => clock.now() });
  const config = { ...loadConfig({}), environment: 'test' };
  const app = createLocalApp({ config, clock, warehouse: wh, logger: silentLogger, alerts: { outboxPath: join(dir, 'outbox.jsonl') }, longLivedAlerts: true, metrics: sink });
  metrics = app.metrics;
  const sources: DashboardSources = { warehouse: wh, probes: [], config };
  return {
    wh,
    clock,
    app,
    sink,
    batches,
    publish,
    dashboardAt: (nowMs) => loadDashboard(sources, nowMs),
    async close() {
      sink.close();
      app.close();
      await emitter.shutdown();
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A warehouse whose every statement fails: a job run on it throws (and is counted as a failure). */
function failingWarehouse(wh: Warehouse): Warehouse {
  const down = () => Promise.reject(new Error('warehouse unavailable'));
  return new Proxy(wh, { get: (target, key) => (key === 'query' || key === 'execute' || key === 'upsert' ? down : Reflect.get(target, key)) as unknown });
}

/** The exact nearest-rank quantile of a list. */
const nearestRank = (values: readonly number[], q: number) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1] as number;

describe('the dashboard\'s Pipeline card, over the pipeline\'s own metrics from ingest and the real rollups', () => {
  let h: Harness;
  /** What the card should count: the batches ingest reported before the last report was handed over. */
  let reported: IngestBatchReport[];
  /** The worst lag of each report interval (one infra.pipeline.ingest.lag_ms timing each). */
  let intervalLags: number[];
  let rollupDurationMs: number;
  let sloDurationMs: number;
  let deliveries: Map<string, number>;
  const NOW = T0 + 3 * MINUTE + 1_000;

  beforeAll(async () => {
    h = await harness();
    intervalLags = [];
    const lagOf = (batches: readonly IngestBatchReport[]) => Math.max(...batches.map((b) => b.maxLagMs ?? -1));

    // 10:00 — traffic: one batch sent twice (three duplicates, two rejected events each time), an
    // unusable message, and 20 failed spends that fire a P0 (its events 40 s late).
    const traffic = message([
      spend('e1', T0 - 5_000),
      spend('e2', T0 - 5_000),
      spend('e3', T0 - 3_000),
      { id: 'e4', name: 'product.wallet.nonexistent', kind: 'count', value: 1, ts: T0 - 5_000 },
      { id: 'e5', name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: T0 - 5_000, tags: { user_id: 'u1' } },
    ]);
    await h.publish(traffic);
    await h.publish(traffic);
    await h.publish('{ not json');
    await h.publish(message([{ id: 'f1', name: 'product.wallet.spend.failed', kind: 'count', value: 20, ts: T0 - 40_000, tags: { feature: 'chat', reason: 'declined' } }]));
    intervalLags.push(lagOf(h.batches));
    const firstReport = h.batches.length;
    h.clock.set(T0 + 30_000);
    await h.sink.flush();

    // 10:02 — the jobs: a rollup run that fails, then an aggregation and an alert evaluation that succeed.
    h.clock.set(T0 + 2 * MINUTE);
    await expect(h.app.jobs(failingWarehouse(h.wh)).runRollups(h.clock.now())).rejects.toThrow('warehouse unavailable');
    const jobs = h.app.jobs(h.wh);
    const aggregation = await jobs.runAggregation(h.clock.now());
    rollupDurationMs = aggregation.rollup.durationMs;
    sloDurationMs = aggregation.slo.durationMs;
    const evaluation = await jobs.runAlerts(h.clock.now());
    deliveries = new Map();
    for (const d of evaluation.deliveries) deliveries.set(`${d.channel} ${d.outcome}`, (deliveries.get(`${d.channel} ${d.outcome}`) ?? 0) + 1);
    // The second report: the ingest of the first report's events, and the jobs' metrics.
    intervalLags.push(lagOf(h.batches.slice(firstReport)));
    reported = [...h.batches];
    await h.sink.flush();

    // 10:03 — the rollups that fold the pipeline's own events into metric_rollups.
    h.clock.set(T0 + 3 * MINUTE);
    await jobs.runRollups(h.clock.now());
  });
  afterAll(() => h.close());

  it('counts messages, stored events, duplicates and dead letters by reason as ingest reported them', async () => {
    const { pipeline } = await h.dashboardAt(NOW);
    const sum = (field: 'messages' | 'stored' | 'duplicates' | 'retried') => reported.reduce((n, b) => n + b[field], 0);
    expect(pipeline.hasData).toBe(true);
    expect(pipeline.ingest).toMatchObject({ messages: sum('messages'), stored: sum('stored'), duplicates: 3, retries: 0, deadLetters: 5 });
    expect(pipeline.ingest.messages).toBe(5); // the four sent at 10:00, and the one that carried the first report
    expect(pipeline.ingest.deadLettersByReason).toEqual([
      { reason: 'tag_not_allowed', count: 2 },
      { reason: 'unknown_metric', count: 2 },
      { reason: 'invalid_json', count: 1 },
    ]);
  });

  it('shows the ingest lag p95 of the report intervals, within 1% (the worst lag was the late failed spends)', async () => {
    const { pipeline } = await h.dashboardAt(NOW);
    const exact = nearestRank(intervalLags, 0.95);
    expect(exact).toBe(40_000);
    expect(Math.abs((pipeline.ingest.lagP95Ms as number) - exact) / exact).toBeLessThanOrEqual(0.01);
  });

  it('shows the last rollup and SLO durations, the alert evaluation, the deliveries by channel and outcome, retry waiting and the failed job', async () => {
    const { pipeline } = await h.dashboardAt(NOW);
    expect(pipeline.jobs.rollup).toEqual({ runs: 1, lastDurationMs: rollupDurationMs, maxDurationMs: rollupDurationMs, lastRunMs: T0 + 2 * MINUTE });
    expect(pipeline.jobs.slo).toMatchObject({ runs: 1, lastDurationMs: sloDurationMs });
    expect(pipeline.jobs.alerts).toMatchObject({ runs: 1, lastRunMs: T0 + 2 * MINUTE });
    expect(deliveries.size).toBeGreaterThan(0);
    expect(pipeline.deliveries.map((d) => [`${d.channel} ${d.outcome}`, d.count])).toEqual([...deliveries.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(pipeline.retryWaiting).toBe(0);
    expect(pipeline.jobFailures).toEqual([{ job: 'rollup', count: 1 }]);
    expect(pipeline.rollupWatermarkLagMs).not.toBeNull();
  });

  it('reads the rollups, not the raw events: the card is the same with metric_events emptied', async () => {
    const before = (await h.dashboardAt(NOW)).pipeline;
    await h.wh.execute(defineQuery('test_forget_events', 'DELETE FROM {{metric_events}}'));
    expect((await h.dashboardAt(NOW)).pipeline).toEqual(before);
  });

  it('shows nothing once the metrics are more than an hour old, and nothing on an empty warehouse', async () => {
    const later = (await h.dashboardAt(T0 + 2 * MINUTE + 3_600_000 + MINUTE)).pipeline;
    expect(later).toMatchObject({ hasData: false, ingest: { messages: 0, deadLettersByReason: [], lagP95Ms: null }, jobs: { rollup: null, slo: null, alerts: null }, deliveries: [], retryWaiting: null, jobFailures: [] });
    const empty = await DuckDbWarehouse.open(':memory:');
    try {
      await empty.createSchema();
      const sources: DashboardSources = { warehouse: empty, probes: [], config: { ...loadConfig({}), environment: 'test' } };
      expect((await loadDashboard(sources, NOW)).pipeline.hasData).toBe(false);
    } finally {
      await empty.close();
    }
  });
});
