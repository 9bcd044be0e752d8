/**
 * Issue #17's cardinality bomb: 1,000,000 events of one metric, each with a distinct `endpoint`.
 *
 *  1. Ingest: through IngestHandler with the cardinality limiter (default 2,000 series per metric
 *     per day) into a DuckDB file; events per second, events folded.
 *  2. Each job (rollup, SLO, alerts) on a copy of that file, in a process of its own: its peak RSS
 *     (process.resourceUsage().maxRSS). Target < 500 MB each.
 *  3. The local stack (startStack, no demo, in-process transport) on the file, while
 *     bench/health-load.ts drives GET /health/public from another process and the stack runs its
 *     scheduled work (rollup of the million events, SLOs, alerts) back to back: /health/public
 *     p99. Target < 50 ms.
 *
 * CARDINALITY_BOMB_EVENTS overrides the event count.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../cli/local/stack';
import { CardinalityLimiter } from '../ingest/cardinality-limiter';
import { loadConfig } from '../shared/config';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { ingestBomb, runJobProcess } from '../test/integration/cardinality/bomb-workload';
import type { LoadResult } from './health-load';

const EVENTS = Number(process.env.CARDINALITY_BOMB_EVENTS ?? 1_000_000);
const LOAD_RATE = 200;
const LOAD_SECONDS = 20;
const LOAD_CONNECTIONS = 4;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function drive(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'health-load.ts'), url, String(LOAD_RATE), String(LOAD_SECONDS), String(LOAD_CONNECTIONS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`health-load exited with ${String(code)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult);
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-cardinality-bench-'));
  const path = join(dir, 'bomb.duckdb');
  const nowMs = Date.now();
  try {
    // 1. Ingest.
    const warehouse = await DuckDbWarehouse.open(path);
    await warehouse.createSchema();
    const limiter = new CardinalityLimiter();
    const ingest = await ingestBomb(warehouse, EVENTS, nowMs, limiter);
    await warehouse.close();
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`ingest: ${ingest.events.toLocaleString('en')} events (${ingest.stored.toLocaleString('en')} stored, ${ingest.folded.toLocaleString('en')} folded into overflow series) in ${(ingest.durationMs / 1000).toFixed(1)} s = ${Math.round(ingest.events / (ingest.durationMs / 1000)).toLocaleString('en')} events/s; ingest process peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);

    // 2. Each job alone on a copy, peak RSS.
    const copy = join(dir, 'copy.duckdb');
    copyFileSync(path, copy);
    out('\n| job | peak RSS | target | wall |\n|---|---|---|---|');
    for (const job of ['rollup', 'slo', 'alerts'] as const) {
      const m = await runJobProcess(copy, job, nowMs + 60_000);
      out(`| ${job} | ${m.maxRssMb} MB | < 500 MB ${m.maxRssMb < 500 ? 'ok' : 'MISSED'} | ${m.durationMs} ms |`);
    }

    // 3. The stack serving /health/public while its jobs run on the million events.
    const port = await freePort();
    const config = { ...loadConfig({ ...process.env, OBS_DUCKDB_PATH: path, PORT: String(port) }), warehouse: 'duckdb' as const };
    const stack = await startStack({
      config,
      demo: false,
      useEmulator: false,
      schedulerIntervalMs: 3_600_000,
      outboxPath: join(dir, 'outbox.jsonl'),
      runCommand: () => Promise.resolve(2),
      log: () => undefined,
      progress: () => undefined,
    });
    let ticks = 0;
    let loading = true;
    const load = drive(`${stack.url}/health/public`).finally(() => (loading = false));
    const tickMs: number[] = [];
    while (loading) {
      const started = performance.now();
      await stack.tick();
      tickMs.push(Math.round(performance.now() - started));
      ticks++;
    }
    const result = await load;
    await stack.stop();
    out(`\n/health/public under ${LOAD_RATE} req/s for ${LOAD_SECONDS} s while the stack ran ${ticks} ticks (rollup + SLO + alerts; first ${tickMs[0]} ms, then median ${tickMs.sort((a, b) => a - b)[Math.floor(tickMs.length / 2)]} ms):`);
    out(`  p50 ${result.exact.p50.toFixed(2)} ms, p99 ${result.exact.p99.toFixed(2)} ms (target < 50 ms ${result.exact.p99 < 50 ? 'ok' : 'MISSED'}), max ${result.exact.max.toFixed(1)} ms, errors ${result.errors}`);
    out(`  stack process peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (includes the ingest above)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`cardinality bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
