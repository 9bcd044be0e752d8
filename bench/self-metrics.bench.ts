/**
 * `npm run bench -- self-metrics`: what the pipeline's own metrics (issue 11 §2,
 * app/pipeline-metrics.ts) cost ingest, side by side in one run: the same IngestHandler without
 * `onBatch`, and with it wired as the assemblies wire it — the sink summing each batch, recording
 * through an emitter whose in-process transport hands its messages back to the same handler (the
 * feedback the pipeline really has: its reports are ingested too), one report handed over and
 * flushed per round (inside the measured time; the default interval is 10 s, so this is more
 * often than production). Both sides write to one DuckDB (so neither has a smaller table or a
 * quieter instance); rounds alternate which side goes first.
 *
 * Two shapes of traffic:
 *   1. stream: handleBatch of 10 emitter-sized messages (1,000 events each) — the local stack's subscriber;
 *   2. push: handle() of one 100-event message at a time — the ingest function, one batch per
 *      message, where a per-batch cost weighs the most.
 * Median of rounds 2… (round 1 warms the JIT). CPU µs per event (user + system) and events/s of
 * wall time. Target: with self-metrics within 5% of without.
 */
import { createEmitter, type Transport } from '../emitter';
import { emittingPipelineMetrics, type EmittingPipelineMetrics } from '../app/pipeline-metrics';
import { IngestHandler } from '../ingest/ingest-handler';
import { silentIngestLog } from '../ingest/ingest-log';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { makeMessages, type BenchMessage } from './ingest-workload';

const ROUNDS = 9;
const TARGET_OVERHEAD = 0.05;
const SHAPES = [
  { label: 'stream: 6 × handleBatch(10 × 1,000 events)', messages: 60, eventsPerMessage: 1_000, perWrite: 10 },
  { label: 'push: 300 × handle(1 × 100 events)', messages: 300, eventsPerMessage: 100, perWrite: 1 },
] as const;

interface Side {
  readonly label: string;
  readonly handler: IngestHandler;
  readonly sink: EmittingPipelineMetrics | undefined;
  close(): Promise<void>;
}

function openSide(wh: DuckDbWarehouse, withMetrics: boolean): Side {
  let sink: EmittingPipelineMetrics | undefined;
  const handler = new IngestHandler({ warehouse: wh, log: silentIngestLog, ...(withMetrics ? { onBatch: (batch) => sink?.ingested(batch) } : {}) });
  let sequence = 0;
  const transport: Transport = { name: 'in-process', publish: async (data) => void (await handler.handle({ id: `self-${++sequence}`, data })), close: () => Promise.resolve() };
  const emitter = createEmitter({ transport, service: 'bench', environment: 'bench', handleProcessSignals: false });
  if (withMetrics) sink = emittingPipelineMetrics(emitter);
  return {
    label: withMetrics ? 'with self-metrics' : 'without',
    handler,
    sink,
    async close() {
      sink?.close();
      await emitter.shutdown();
    },
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function round(side: Side, messages: readonly BenchMessage[], perWrite: number): Promise<{ cpuUs: number; eventsPerSecond: number; stored: number }> {
  global.gc?.();
  const events = messages.length * SHAPES.find((s) => s.perWrite === perWrite)!.eventsPerMessage;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  let stored = 0;
  for (let i = 0; i < messages.length; i += perWrite) {
    if (perWrite === 1) stored += (await side.handler.handle(messages[i] as BenchMessage)).stored;
    else stored += (await side.handler.handleBatch(messages.slice(i, i + perWrite))).stored;
  }
  await side.sink?.flush(); // one report per round, ingested by the same handler
  const wallMs = performance.now() - wall0;
  return { cpuUs: ((cpuMs() - cpu0) * 1000) / events, eventsPerSecond: (events * 1000) / wallMs, stored };
}

async function main(): Promise<void> {
  const wh = await DuckDbWarehouse.open(':memory:');
  await wh.createSchema();
  const without = openSide(wh, false);
  const withMetrics = openSide(wh, true);
  let worst = 0;
  try {
    for (const shape of SHAPES) {
      const costs = new Map<string, { cpuUs: number[]; eps: number[] }>([
        [without.label, { cpuUs: [], eps: [] }],
        [withMetrics.label, { cpuUs: [], eps: [] }],
      ]);
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? [without, withMetrics] : [withMetrics, without];
        for (const side of order) {
          const messages = makeMessages(shape.messages, shape.eventsPerMessage, `${shape.perWrite}-${side.label}-${r}`);
          const cost = await round(side, messages, shape.perWrite);
          if (cost.stored !== shape.messages * shape.eventsPerMessage) throw new Error(`${side.label} stored ${cost.stored} of ${shape.messages * shape.eventsPerMessage} events`);
          if (r === 0) continue;
          costs.get(side.label)!.cpuUs.push(cost.cpuUs);
          costs.get(side.label)!.eps.push(cost.eventsPerSecond);
        }
      }
      const base = costs.get(without.label)!;
      const other = costs.get(withMetrics.label)!;
      const cpuRatio = median(other.cpuUs) / median(base.cpuUs);
      const wallRatio = median(base.eps) / median(other.eps);
      worst = Math.max(worst, cpuRatio, wallRatio);
      process.stdout.write(`\n${shape.label} — median of rounds 2–${ROUNDS}\n`);
      process.stdout.write(`  ${'side'.padEnd(20)} ${'CPU µs/event'.padStart(13)} ${'events/s'.padStart(12)}\n`);
      for (const [label, c] of [[without.label, base], [withMetrics.label, other]] as const) {
        process.stdout.write(`  ${label.padEnd(20)} ${fmt(median(c.cpuUs)).padStart(13)} ${fmt(median(c.eps), 0).padStart(12)}\n`);
      }
      process.stdout.write(`  with / without: CPU ${fmt(cpuRatio, 3)}×, wall time ${fmt(wallRatio, 3)}×\n`);
    }
  } finally {
    await without.close();
    await withMetrics.close();
    await wh.close();
  }
  const ok = worst <= 1 + TARGET_OVERHEAD;
  process.stdout.write(`\nworst ratio ${fmt(worst, 3)}× (target ≤ ${fmt(1 + TARGET_OVERHEAD, 2)}×): ${ok ? 'ok' : 'OVER TARGET'}\n`);
  process.exitCode = ok ? 0 : 1;
}

void main();
