/**
 * `npm run bench -- ingest-file`: issue #13's import target, measured on this machine, side by
 * side in one run.
 *
 * A 1M-event NDJSON file (bare v1 events, one per line, the realistic mix of bench/ingest-workload.ts:
 * request latencies and counts, DB query latencies, queue depths, a few hundred tag sets, a fresh
 * UUID per event) is loaded into a fresh DuckDB file twice per round:
 *
 *   (a) `obs ingest --file` — the real command (cli/obs.ts `main`, in this process): sniff, file
 *       hash, decode, validate every line with the shared validator + PII guard, dedup by event id,
 *       dead letters, the change log;
 *   (b) DuckDB's own `CREATE TABLE t AS SELECT * FROM read_json(file, format='newline_delimited')`
 *       through @duckdb/node-api — parse and store, nothing checked.
 *
 * Target: (a) ≤ 2× (b). Reported for wall time and CPU time (user+system of the whole process,
 * every thread — DuckDB's and the import's workers included), with events/s, the peak RSS during
 * (a), and the machine's load averages (a shared 2-core machine: wall time moves with the load,
 * CPU time much less). Rounds alternate which side goes first.
 *
 * BENCH_EVENTS (default 1,000,000) and BENCH_ROUNDS (default 2) change the size.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../cli/obs';
import { makeMessages } from './ingest-workload';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET_RATIO = 2;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Cost {
  wallMs: number;
  cpuMs: number;
  peakRssMb?: number;
}

/** Writes `events` bare events, one per line, as an import file would hold them. */
async function writeFile(path: string, events: number): Promise<void> {
  const out = createWriteStream(path);
  const perMessage = 1_000;
  const now = Date.now();
  for (let done = 0, m = 0; done < events; m++) {
    const count = Math.min(perMessage, events - done);
    const [message] = makeMessages(1, count, `f${m}`, now);
    const parsed = JSON.parse(message?.data as string) as { events: unknown[] };
    const text = parsed.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    if (!out.write(text)) await once(out, 'drain');
    done += count;
  }
  out.end();
  await once(out, 'finish');
}

async function measure(work: () => Promise<void>, sampleRss = false): Promise<Cost> {
  global.gc?.();
  let peak = process.memoryUsage.rss();
  const sampler = sampleRss ? setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100) : undefined;
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  try {
    await work();
  } finally {
    if (sampler) clearInterval(sampler);
  }
  const cost: Cost = { wallMs: performance.now() - wall0, cpuMs: cpuMs() - cpu0 };
  if (sampleRss) cost.peakRssMb = Math.max(peak, process.memoryUsage.rss()) / 1e6;
  return cost;
}

async function obsIngest(file: string, dbPath: string): Promise<void> {
  process.env.OBS_WAREHOUSE = 'duckdb';
  process.env.OBS_DUCKDB_PATH = dbPath;
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t + '\n'), err: (t: string) => void (stderr += t + '\n') };
  const code = await main(['ingest', '--file', file, '--service', 'bench', '--environment', 'bench', '--json'], io);
  if (code !== 0) throw new Error(`obs ingest exited ${code}: ${stderr}`);
  const result = JSON.parse(stdout) as { stored: number; deadLettered: number };
  if (result.stored !== EVENTS || result.deadLettered !== 0) throw new Error(`obs ingest stored ${result.stored}, dead-lettered ${result.deadLettered}`);
}

async function duckdbReadJson(file: string, dbPath: string): Promise<void> {
  const instance = await DuckDBInstance.create(dbPath);
  const connection = await instance.connect();
  try {
    const quoted = file.replace(/'/g, "''");
    await connection.run(`CREATE TABLE t AS SELECT * FROM read_json('${quoted}', format = 'newline_delimited')`);
    const rows = Number((await connection.runAndReadAll('SELECT count(*) FROM t')).getRows()[0]?.[0]);
    if (rows !== EVENTS) throw new Error(`read_json stored ${rows} rows`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-file-'));
  try {
    const file = join(dir, 'events.ndjson');
    const t0 = performance.now();
    await writeFile(file, EVENTS);
    process.stdout.write(
      `File: ${fmt(EVENTS, 0)} events, ${fmt(statSync(file).size / 1e6, 1)} MB (written in ${fmt((performance.now() - t0) / 1000, 1)} s); ` +
        `${cpus().length} CPU(s), Node ${process.version}\n`,
    );
    const loadStart = loadavg();
    const obs: Cost[] = [];
    const duck: Cost[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const runObs = async () => obs.push(await measure(() => obsIngest(file, join(dir, `obs-${round}.duckdb`)), true));
      const runDuck = async () => duck.push(await measure(() => duckdbReadJson(file, join(dir, `duck-${round}.duckdb`))));
      if (round % 2 === 0) {
        await runObs();
        await runDuck();
      } else {
        await runDuck();
        await runObs();
      }
      const o = obs[round] as Cost;
      const d = duck[round] as Cost;
      process.stdout.write(
        `  round ${round + 1}: obs ingest --file ${fmt(o.wallMs / 1000)} s wall, ${fmt(o.cpuMs / 1000)} s CPU, peak RSS ${fmt(o.peakRssMb ?? 0, 0)} MB; ` +
          `read_json ${fmt(d.wallMs / 1000)} s wall, ${fmt(d.cpuMs / 1000)} s CPU\n`,
      );
      rmSync(join(dir, `obs-${round}.duckdb`), { force: true });
      rmSync(join(dir, `duck-${round}.duckdb`), { force: true });
    }
    const loadEnd = loadavg();
    const row = (name: string, costs: Cost[]) => {
      const wall = median(costs.map((c) => c.wallMs));
      const cpu = median(costs.map((c) => c.cpuMs));
      return { name, wall, cpu, text: `  ${name.padEnd(40)} ${fmt(wall / 1000).padStart(8)} s ${fmt(cpu / 1000).padStart(8)} s ${fmt(EVENTS / (wall / 1000), 0).padStart(12)}` };
    };
    const a = row('(a) obs ingest --file', obs);
    const b = row("(b) DuckDB read_json → CREATE TABLE", duck);
    process.stdout.write(`\nMedian of ${ROUNDS} round(s), ${fmt(EVENTS, 0)} events, into fresh DuckDB files:\n`);
    process.stdout.write(`  ${''.padEnd(40)} ${'wall'.padStart(10)} ${'CPU'.padStart(10)} ${'events/s'.padStart(12)}\n`);
    process.stdout.write(`${a.text}\n${b.text}\n`);
    const ratioWall = a.wall / b.wall;
    const ratioCpu = a.cpu / b.cpu;
    process.stdout.write(
      `  ratio (a)/(b): wall ${fmt(ratioWall)}×, CPU ${fmt(ratioCpu)}× (target ≤ ${TARGET_RATIO}×: wall ${ratioWall <= TARGET_RATIO ? 'met' : 'NOT met'})\n` +
        `  peak RSS during (a): ${fmt(Math.max(...obs.map((c) => c.peakRssMb ?? 0)), 0)} MB\n` +
        `  load averages (1/5/15 min): start ${loadStart.map((l) => fmt(l)).join(' / ')}, end ${loadEnd.map((l) => fmt(l)).join(' / ')}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
