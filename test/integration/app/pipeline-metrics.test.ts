import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalApp } from '../../../app/local';
import { emittingPipelineMetrics, NO_PIPELINE_METRICS, type EmittingPipelineMetrics, type PipelineMetrics } from '../../../app/pipeline-metrics';
import { createEmitter, type MetricsClient, type Transport } from '../../../emitter';
import { IngestHandler } from '../../../ingest/ingest-handler';
import { silentIngestLog } from '../../../ingest/ingest-log';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/logger';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';

/**
 * Issue 11 §2: the pipeline's own metrics, through the local assembly (app/local.ts) wired as the
 * local stack wires it (cli/local/stack.ts): ingest's onBatch and the job runners report to a sink
 * recording through an emitter whose in-process transport hands each message to the same ingest
 * handler, so the infra.pipeline.* events are ingested and stored like any other.
 */

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const MINUTE = 60_000;

const pipelineEvents = defineQuery(
  'test_pipeline_events',
  // Calls, whatever the emitter's shape: one event per call, or merged (issue #18, docs/ANALYSTS.md).
  `SELECT name, kind, tags, SUM(COALESCE(value_sum, value)) AS total, MAX(COALESCE(value_max, value)) AS max_value, SUM(COALESCE(call_count, 1)) AS events
FROM {{metric_events}}
WHERE name LIKE 'infra.pipeline.%' AND event_ts >= TIMESTAMP_MILLIS(@from_ms)
GROUP BY name, kind, tags
ORDER BY name, tags`,
);

interface Harness {
  readonly wh: DuckDbWarehouse;
  readonly clock: FakeClock;
  readonly app: ReturnType<typeof createLocalApp>;
  readonly emitter: MetricsClient;
  readonly outbox: string;
  /** Publishes raw message data straight to ingest, as the stack's in-process transport does. */
  publish(data: string): Promise<void>;
  rows(): Promise<Array<{ name: string; kind: string; tags: Record<string, string>; total: number; max_value: number; events: number }>>;
  close(): Promise<void>;
}

async function harness(withMetrics: boolean): Promise<Harness & { sink: EmittingPipelineMetrics | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-self-metrics-'));
  const outbox = join(dir, 'outbox.jsonl');
  const clock = new FakeClock(T0);
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  let metrics: PipelineMetrics = NO_PIPELINE_METRICS;
  const handler = new IngestHandler({ warehouse: wh, now: () => clock.now(), log: silentIngestLog, onBatch: (batch) => metrics.ingested(batch) });
  let sequence = 0;
  const publish = async (data: Uint8Array | string) => void (await handler.handle({ id: `m${++sequence}`, data }));
  const transport: Transport = { name: 'in-process', publish, close: () => Promise.resolve() };
  const emitter = createEmitter({ transport, service: 'observability', environment: 'test', now: () => clock.now(), handleProcessSignals: false, flushIntervalMs: 3_600_000 }); // only the test's flushes publish
  // A long interval: the test hands the totals over with flush(), as the stack's tick does.
  const sink = withMetrics ? emittingPipelineMetrics(emitter, { reportIntervalMs: 3_600_000, now: () => clock.now() }) : undefined;
  const app = createLocalApp({ config: { ...loadConfig({}), environment: 'test' }, clock, warehouse: wh, logger: silentLogger, alerts: { outboxPath: outbox }, longLivedAlerts: true, ...(sink ? { metrics: sink } : {}) });
  metrics = app.metrics;
  return {
    wh,
    clock,
    app,
    emitter,
    outbox,
    sink,
    publish,
    rows: async () => (await wh.query<{ name: string; kind: string; tags: string; total: number; max_value: number; events: number }>(pipelineEvents, { from_ms: T0 - 60 * MINUTE })).map((r) => ({ ...r, tags: JSON.parse(r.tags) as Record<string, string>, total: Number(r.total), max_value: Number(r.max_value), events: Number(r.events) })),
    async close() {
      sink?.close();
      app.close();
      await emitter.shutdown();
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const message = (events: unknown[]) => JSON.stringify({ schema: 'metrics.v1', source: { service: 'wallet', environment: 'test' }, events });
const spend = (id: string, ts: number, value = 1) => ({ id, name: 'product.wallet.spend.success', kind: 'count', value, ts, tags: { feature: 'chat' } });

describe('the pipeline\'s own metrics (infra.pipeline.*) through the local assembly', () => {
  it('a batch with duplicates and dead letters lands in metric_events with the right counts, reason tags and lag', async () => {
    const h = await harness(true);
    try {
      const ts = T0 - 5_000; // ingested 5 s after the fact
      const batch = message([
        spend('e1', ts),
        spend('e2', ts),
        spend('e3', ts + 2_000),
        { id: 'e4', name: 'product.wallet.nonexistent', kind: 'count', value: 1, ts },
        { id: 'e5', name: 'product.wallet.spend.success', kind: 'count', value: 1, ts, tags: { user_id: 'u1' } },
      ]);
      await h.publish(batch);
      await h.publish(batch); // the same events again: three duplicates, the same two rejections
      await h.publish('{ not json');
      await h.sink!.flush();

      const rows = await h.rows();
      const total = (name: string, tags: Record<string, string> = {}) => rows.filter((r) => r.name === name && JSON.stringify(r.tags) === JSON.stringify(tags)).reduce((n, r) => n + r.total, 0);
      expect(total('infra.pipeline.ingest.message.count')).toBe(3);
      expect(total('infra.pipeline.ingest.stored.count')).toBe(3);
      expect(total('infra.pipeline.ingest.duplicate.count')).toBe(3);
      expect(total('infra.pipeline.ingest.dead_letter.count', { reason: 'unknown_metric' })).toBe(2);
      expect(total('infra.pipeline.ingest.dead_letter.count', { reason: 'tag_not_allowed' })).toBe(2);
      expect(total('infra.pipeline.ingest.dead_letter.count', { reason: 'invalid_json' })).toBe(1);
      // The dead-letter counts agree with the dead_letters table.
      const deadLetters = await h.wh.query<{ n: number }>(defineQuery('test_dead_letter_count', 'SELECT COUNT(*) AS n FROM {{dead_letters}} WHERE received_at >= TIMESTAMP_MILLIS(@from_ms)'), { from_ms: T0 - MINUTE });
      expect(Number(deadLetters[0]?.n)).toBe(5);
      const lag = rows.find((r) => r.name === 'infra.pipeline.ingest.lag_ms');
      expect(lag).toMatchObject({ kind: 'timing', max_value: 5_000, events: 1 }); // one timing per report: the worst lag
      // A handful of events for the whole report, not one per event or per message.
      expect(rows.reduce((n, r) => n + r.events, 0)).toBe(7);
    } finally {
      await h.close();
    }
  });

  it('the ingest of its own reports stays bounded: every quiet flush reports the same few events', async () => {
    const h = await harness(true);
    try {
      await h.publish(message([spend('e1', T0)]));
      const perFlush: number[] = [];
      let before = 0;
      for (let i = 0; i < 5; i++) {
        h.clock.set(T0 + (i + 1) * 1_000);
        await h.sink!.flush();
        const now = (await h.rows()).reduce((n, r) => n + r.events, 0);
        perFlush.push(now - before);
        before = now;
      }
      // From the second flush on, each report describes only the ingest of the one before: one
      // message of three events (messages, stored, lag) — constant, never growing.
      expect(perFlush.slice(1)).toEqual([3, 3, 3, 3]);
    } finally {
      await h.close();
    }
  });

  it('rollup, SLO and alert runs record their durations, the transitions and the outbox deliveries', async () => {
    const h = await harness(true);
    try {
      // 20 failed spends fire wallet-spend-failures-critical (P0, > 10 in 10 min), delivered to the outbox.
      await h.publish(message([{ id: 'f1', name: 'product.wallet.spend.failed', kind: 'count', value: 20, ts: T0 - 30_000, tags: { feature: 'chat', reason: 'declined' } }]));
      h.clock.set(T0 + 2 * MINUTE);
      const jobs = h.app.jobs(h.wh);
      const aggregation = await jobs.runAggregation(h.clock.now());
      const report = await jobs.runAlerts(h.clock.now());
      await h.sink!.flush();
      expect(report.transitions.some((t) => t.ruleId === 'wallet-spend-failures-critical' && t.to === 'firing')).toBe(true);
      const delivered = report.deliveries.filter((d) => d.outcome === 'delivered');
      expect(delivered.length).toBeGreaterThan(0);
      expect(readFileSync(h.outbox, 'utf8')).toContain('wallet-spend-failures-critical');

      const rows = await h.rows();
      const one = (name: string) => rows.filter((r) => r.name === name);
      expect(one('infra.pipeline.rollup.duration_ms')).toEqual([expect.objectContaining({ kind: 'timing', events: 1, max_value: aggregation.rollup.durationMs })]);
      expect(one('infra.pipeline.rollup.watermark_lag_ms')).toEqual([expect.objectContaining({ kind: 'gauge', max_value: aggregation.rollup.nowMs - aggregation.rollup.watermarkMs })]);
      expect(one('infra.pipeline.rollup.changed_minutes.count')[0]?.total).toBe(aggregation.rollup.changedMinutes);
      expect(one('infra.pipeline.slo.duration_ms')).toEqual([expect.objectContaining({ kind: 'timing', events: 1, max_value: aggregation.slo.durationMs })]);
      expect(one('infra.pipeline.alerts.evaluation.duration_ms')).toEqual([expect.objectContaining({ kind: 'timing', events: 1 })]);
      expect(one('infra.pipeline.alerts.transition.count')).toContainEqual(expect.objectContaining({ tags: { severity: 'P0', to_state: 'firing' } }));
      const byChannel = new Map<string, number>();
      for (const d of delivered) byChannel.set(d.channel, (byChannel.get(d.channel) ?? 0) + 1);
      for (const [channel, n] of byChannel) {
        expect(one('infra.pipeline.alerts.delivery.count')).toContainEqual(expect.objectContaining({ tags: { channel, outcome: 'delivered' }, total: n }));
      }
      expect(one('infra.pipeline.alerts.retry_waiting')).toEqual([expect.objectContaining({ kind: 'gauge', max_value: 0 })]);
    } finally {
      await h.close();
    }
  });

  it('records nothing when the assembly\'s sink is NO_PIPELINE_METRICS', async () => {
    const h = await harness(false);
    try {
      expect(h.app.metrics).toBe(NO_PIPELINE_METRICS);
      await h.publish(message([spend('e1', T0), { id: 'e2', name: 'nope', kind: 'count', value: 1, ts: T0 }]));
      h.clock.set(T0 + 2 * MINUTE);
      const jobs = h.app.jobs(h.wh);
      await jobs.runAggregation(h.clock.now());
      await jobs.runAlerts(h.clock.now());
      await h.emitter.flush();
      expect(await h.rows()).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
