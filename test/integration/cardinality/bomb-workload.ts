import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CardinalityLimiter } from '../../../ingest/cardinality-limiter';
import { IngestHandler } from '../../../ingest/ingest-handler';
import { silentIngestLog } from '../../../ingest/ingest-log';
import type { Warehouse } from '../../../sql/warehouse';

/**
 * The cardinality bomb of issue #17, shared by the integration test and the bench: `total` events
 * of infra.http.request.count, each with a distinct `endpoint`, through IngestHandler (with a
 * cardinality limiter) into a warehouse, in messages of 1,000 events, several messages per write.
 */
export const BOMB_METRIC = 'infra.http.request.count';
export const EVENTS_PER_MESSAGE = 1_000;
const MESSAGES_PER_BATCH = 20;

export interface BombResult {
  readonly events: number;
  readonly stored: number;
  readonly folded: number;
  readonly durationMs: number;
}

export async function ingestBomb(warehouse: Warehouse, total: number, nowMs: number, limiter: CardinalityLimiter): Promise<BombResult> {
  const handler = new IngestHandler({ warehouse, now: () => nowMs, log: silentIngestLog, cardinality: limiter });
  const started = performance.now();
  let stored = 0;
  let n = 0;
  while (n < total) {
    const messages = [];
    for (let m = 0; m < MESSAGES_PER_BATCH && n < total; m++) {
      const events = [];
      for (let e = 0; e < EVENTS_PER_MESSAGE && n < total; e++, n++) {
        events.push({
          id: `bomb-${n}`,
          name: BOMB_METRIC,
          kind: 'count',
          value: 1,
          // Spread over the hour before now, so rollups have many minutes to fill.
          ts: nowMs - 3_600_000 + (n % 3_540) * 1_000,
          tags: { tier: n % 4 === 0 ? 'secondary' : 'core', status_class: n % 50 === 0 ? '5xx' : '2xx', endpoint: `/api/item/${n.toString(36)}` },
        });
      }
      messages.push({ id: `msg-${n}`, data: JSON.stringify({ schema: 'metrics.v1', source: { service: 'bomb', environment: 'test' }, events }) });
    }
    const outcome = await handler.handleBatch(messages);
    if (outcome.retry.length > 0) throw new Error(`ingest failed: ${String(outcome.error)}`);
    stored += outcome.stored;
  }
  return { events: n, stored, folded: limiter.stats.foldedEvents, durationMs: Math.round(performance.now() - started) };
}

export interface JobMeasure {
  readonly job: string;
  readonly maxRssMb: number;
  readonly durationMs: number;
  readonly detail: unknown;
}

/** Runs one job in a child process (test/integration/cardinality/job-process.ts) and returns its peak RSS. */
export function runJobProcess(duckdbPath: string, job: 'rollup' | 'slo' | 'alerts', nowMs: number): Promise<JobMeasure> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'job-process.ts'), duckdbPath, job, String(nowMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`job ${job} exited ${String(code)}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() as string) as JobMeasure);
      } catch (error) {
        reject(new Error(`job ${job}: unreadable output ${JSON.stringify(out)}`, { cause: error }));
      }
    });
  });
}
