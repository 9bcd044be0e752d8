/**
 * The peer of `npm run bench -- anomaly`: Prometheus's own smoothing, `holt_winters` (2.x; renamed
 * `double_exponential_smoothing` in 3.x), run by a real Prometheus server on a TSDB backfilled
 * with `promtool tsdb create-blocks-from openmetrics` from the same data. One `query_range` at a
 * 1-minute step returns, per series and minute, the residual against the smoothed value of the
 * minutes before it in units of their standard deviation:
 *
 *   abs(x - holt_winters(x[W] offset 1m, sf, tf)) / clamp_min(stddev_over_time(x[W] offset O), 1)
 *
 * — the alerting rule `… > z` with the band z·σ; the bench applies z and the same N-minutes-in-a-
 * row firing rule to both detectors.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { START_MS, type BenchSeries } from './anomaly-data';

export interface HoltWintersQuery {
  readonly smoothing: number;
  readonly trend: number;
  readonly windowMinutes: number;
  /** The minutes before each point the σ window ends (1: right before it; more keeps an anomaly's first minutes out of σ). */
  readonly sigmaOffsetMinutes: number;
}

export interface PrometheusRun {
  /** Per series id: the score of each minute of [fromMinute, toMinute), NaN where Prometheus returned none. */
  readonly expr: string;
  readonly scores: Map<string, Float64Array>;
  readonly version: string;
  readonly backfillMs: number;
  readonly queryMs: number;
}

const METRIC = 'anomaly_bench_events';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function openMetrics(series: readonly BenchSeries[], fromMinute: number, toMinute: number): string {
  const lines = [`# TYPE ${METRIC} gauge`];
  for (const s of series) {
    for (let m = fromMinute; m < toMinute; m++) lines.push(`${METRIC}{series="${s.id}"} ${s.values[m]} ${(START_MS + m * 60_000) / 1000}`);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('prometheus did not become ready in 120 s');
}

/**
 * Backfills [fromMinute − the window − 2, toMinute) of every series, starts Prometheus on it, and
 * returns the scores of [fromMinute, toMinute) for each query.
 */
export async function runPrometheus(series: readonly BenchSeries[], fromMinute: number, toMinute: number, queries: readonly HoltWintersQuery[]): Promise<Array<PrometheusRun>> {
  const dir = mkdtempSync(join(tmpdir(), 'anomaly-bench-prom-'));
  let child: ChildProcess | undefined;
  try {
    const version = spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'unknown';
    const lookback = Math.max(...queries.map((q) => q.windowMinutes + q.sigmaOffsetMinutes)) + 2;
    const file = join(dir, 'data.om');
    writeFileSync(file, openMetrics(series, fromMinute - lookback, toMinute));
    const startedBackfill = Date.now();
    const backfill = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, join(dir, 'tsdb')], { encoding: 'utf8' });
    if (backfill.status !== 0) throw new Error(`promtool backfill failed: ${backfill.stderr}`);
    const backfillMs = Date.now() - startedBackfill;
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n');
    const port = await freePort();
    child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--query.max-samples=200000000',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
    await waitReady(port, child).catch((e: Error) => {
      throw new Error(`${e.message}\n${stderr}`);
    });
    const runs: PrometheusRun[] = [];
    for (const q of queries) {
      const x = METRIC;
      const range = `[${q.windowMinutes}m] offset 1m`;
      const sigmaRange = `[${q.windowMinutes}m] offset ${q.sigmaOffsetMinutes}m`;
      const expr = `abs(${x} - holt_winters(${x}${range}, ${q.smoothing}, ${q.trend})) / clamp_min(stddev_over_time(${x}${sigmaRange}), 1)`;
      const params = new URLSearchParams({
        query: expr,
        start: String((START_MS + fromMinute * 60_000) / 1000),
        end: String((START_MS + (toMinute - 1) * 60_000) / 1000),
        step: '60',
      });
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query_range`, { method: 'POST', body: params });
      const body = (await res.json()) as { status: string; error?: string; data?: { result: Array<{ metric: { series: string }; values: Array<[number, string]> }> } };
      if (body.status !== 'success' || !body.data) throw new Error(`query_range failed: ${body.error ?? res.status}`);
      const queryMs = Date.now() - started;
      const scores = new Map<string, Float64Array>();
      for (const s of series) scores.set(s.id, new Float64Array(toMinute - fromMinute).fill(Number.NaN));
      for (const r of body.data.result) {
        const out = scores.get(r.metric.series);
        if (!out) continue;
        for (const [t, v] of r.values) out[Math.round((t * 1000 - START_MS) / 60_000) - fromMinute] = Number(v);
      }
      runs.push({ expr, scores, version, backfillMs, queryMs });
    }
    return runs;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
