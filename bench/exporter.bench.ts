/**
 * `npm run bench -- exporter`: issue #14's target — exporting 10,000 series per minute takes
 * under 10% of a minute of CPU (6 s), side by side with the rollup job on the same data.
 *
 * One minute of traffic over 10,000 series (7,000 counts, 1,000 gauges, 2,000 timings with five
 * observations each: 18,000 events) is written through the warehouse port into a DuckDB file
 * and rolled up (the rollup job, CPU measured). Then the exporter stage sends that closed minute
 * to each provider, from a fresh cursor, CPU measured the same way (process.cpuUsage: every thread
 * of this process, DuckDB's included):
 * - Datadog: the official client to a local stand-in answering 202 (500 series per request);
 * - Cloud Monitoring: @google-cloud/monitoring over its REST fallback to a local stand-in answering
 *   {} (200 series per request, descriptors created first);
 * - Prometheus: the snapshot pushed to the real prometheus-pushgateway when installed (a separate
 *   process: its CPU is not counted), else to a stand-in answering 200.
 * The stand-ins run in this process and only drain the bodies, so their socket work is counted
 * against the exporters: the figures are upper bounds. Request pacing (rate limits) waits without
 * CPU, so wall time is shown too but is not the target.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThroughClient } from 'google-auth-library';
import { runRollupJob } from '../aggregator/rollup-job';
import { createDatadogExporter } from '../exporters/datadog-exporter';
import { runExportJob } from '../exporters/export-job';
import { createGcmExporter } from '../exporters/gcm-exporter';
import { createPushgatewayExporter } from '../exporters/prometheus-exporter';
import { readMinutes } from '../exporters/read-minutes';
import type { Exporter } from '../exporters/types';
import { systemClock } from '../shared/clock';
import { seriesKey } from '../shared/series-key';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../sql/warehouse';

const MINUTE_MS = 60_000;
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const SERIES = { count: 7_000, gauge: 1_000, timing: 2_000 };
const TARGET_CPU_MS = 0.1 * MINUTE_MS;

const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

function minuteOfTraffic(): EventRow[] {
  const rows: EventRow[] = [];
  let id = 0;
  const add = (name: string, kind: 'count' | 'gauge' | 'timing', value: number, tags: Record<string, string>, offsetMs: number) =>
    rows.push({ event_id: `b${id++}`, name, kind, value, event_ts_ms: T0 + offsetMs, ingest_ts_ms: T0 + offsetMs + 1_000, series_key: seriesKey(tags), tags: JSON.stringify(tags), service: 'bench', environment: 'bench', message_id: null });
  for (let i = 0; i < SERIES.count; i++) add('infra.http.request.count', 'count', 1 + (i % 3), { endpoint: `/api/e${i % 700}`, status_class: `${2 + (i % 3)}xx`, tier: `t${Math.floor(i / 2100)}` }, (i * 7) % 59_000);
  for (let i = 0; i < SERIES.gauge; i++) add('infra.queue.depth', 'gauge', i % 1000, { queue: `q${i}` }, (i * 13) % 59_000);
  for (let i = 0; i < SERIES.timing; i++) {
    for (let k = 0; k < 5; k++) add('infra.http.request.latency_ms', 'timing', 20 + ((i * 37 + k * 101) % 900), { endpoint: `/api/e${i}` }, (i * 11 + k * 1000) % 59_000);
  }
  return rows;
}

/** A local server that drains each request and answers `answer(path)`. */
async function drainServer(answer: (path: string) => { status: number; body: string }): Promise<{ server: Server; port: number; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const a = answer(req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests: () => requests };
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-bench-export-'));
  const wh = await DuckDbWarehouse.open(join(dir, 'bench.duckdb'));
  await wh.createSchema();
  const rows = minuteOfTraffic();
  await wh.insertEvents(rows);
  const nowMs = T0 + 3 * MINUTE_MS;

  const rollupCpu = process.cpuUsage();
  const rollupStarted = performance.now();
  const rollup = await runRollupJob(wh, { nowMs });
  const rollupCpuMs = cpuMsSince(rollupCpu);
  const rollupWallMs = performance.now() - rollupStarted;
  const series = (await readMinutes(wh, T0, T0 + MINUTE_MS)).get(T0)?.length ?? 0;

  const datadog = await drainServer(() => ({ status: 202, body: '{"errors":[]}' }));
  const gcm = await drainServer(() => ({ status: 200, body: '{}' }));
  let pushgatewayUrl: string;
  let stopPushgateway = () => undefined as void;
  let pushgatewayKind = 'the real prometheus-pushgateway';
  if (existsSync('/usr/bin/prometheus-pushgateway')) {
    const probe = await drainServer(() => ({ status: 200, body: '' }));
    const port = probe.port;
    await new Promise((resolve) => probe.server.close(resolve));
    const child = spawn('/usr/bin/prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    stopPushgateway = () => void child.kill('SIGTERM');
    pushgatewayUrl = `http://127.0.0.1:${port}`;
    await waitReady(`${pushgatewayUrl}/-/ready`);
  } else {
    const stand = await drainServer(() => ({ status: 200, body: '' }));
    pushgatewayUrl = `http://127.0.0.1:${stand.port}`;
    pushgatewayKind = 'a stand-in (prometheus-pushgateway is not installed)';
  }

  const exporters: Array<[string, () => Exporter, () => string]> = [
    ['datadog', () => createDatadogExporter({ apiKey: 'bench-key', site: 'datadoghq.com', endpoint: `http://127.0.0.1:${datadog.port}`, clock: systemClock }), () => `${datadog.requests()} requests to a local stand-in`],
    ['gcp', () => createGcmExporter({ projectId: 'obs-bench', clientOptions: { fallback: true, apiEndpoint: '127.0.0.1', port: gcm.port, protocol: 'http', authClient: new PassThroughClient() } as never }), () => `${gcm.requests()} requests (descriptors included) to a local stand-in`],
    ['prometheus', () => createPushgatewayExporter({ url: pushgatewayUrl, clock: systemClock, history: (from, to) => readMinutes(wh, from, to) }), () => `one push to ${pushgatewayKind}`],
  ];
  const results: Array<{ name: string; cpuMs: number; wallMs: number; points: number; requests: number; note: string; error: string | null }> = [];
  for (const [name, build, note] of exporters) {
    const exporter = build();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const run = await runExportJob(wh, [exporter], { nowMs, clock: systemClock, startAtMs: T0 });
    const cpuMs = cpuMsSince(cpu);
    const wallMs = performance.now() - started;
    await exporter.close?.();
    const r = run.exporters[0]!;
    results.push({ name, cpuMs, wallMs, points: r.points, requests: r.requests, note: note(), error: r.error });
  }

  const lines = [
    `one minute: ${rows.length} events over ${series} series (${SERIES.count} counts, ${SERIES.gauge} gauges, ${SERIES.timing} timings); rolled up: ${rollup.changedMinutes} minute(s)`,
    '',
    '| job | CPU | wall | share of a minute (CPU) | CPU ÷ rollup job | points / series sent | note |',
    '|---|---|---|---|---|---|---|',
    `| rollup job (the same minute) | ${rollupCpuMs.toFixed(0)} ms | ${rollupWallMs.toFixed(0)} ms | ${((100 * rollupCpuMs) / MINUTE_MS).toFixed(2)} % | 1.00 | — | DuckDB, every thread |`,
    ...results.map((r) => `| export → ${r.name} | ${r.cpuMs.toFixed(0)} ms | ${r.wallMs.toFixed(0)} ms | ${((100 * r.cpuMs) / MINUTE_MS).toFixed(2)} % | ${(r.cpuMs / rollupCpuMs).toFixed(2)} | ${r.points} | ${r.note}${r.error ? `; ERROR ${r.error}` : ''} |`),
    '',
  ];
  const failed = results.filter((r) => r.error !== null || r.cpuMs >= TARGET_CPU_MS);
  lines.push(failed.length === 0 ? `target met: every exporter under ${TARGET_CPU_MS} ms of CPU (10% of a minute) for ${series} series` : `TARGET MISSED: ${failed.map((r) => r.name).join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');

  datadog.server.close();
  gcm.server.close();
  stopPushgateway();
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = failed.length === 0 ? 0 : 1;
}

void main();
