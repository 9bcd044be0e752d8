/**
 * Issue #13, "a change log instead of a scan": bytes scanned by the incremental rollup's change
 * detection with 1M and 10M stored events — the old query (a scan of metric_events,
 * `rollup_changed_spans_scan`) and the new one (the change log, `rollup_changed_spans`), side by
 * side, as ratios. Goal: new(10M) / new(1M) ≤ 1.1.
 *
 * The scenario: N events stored over the seven days before today (the table grows tenfold between
 * the two sizes, all of it inside the old query's late-data horizon), the same hour of today's
 * traffic (1,000 events a minute, up to three minutes before the run), and the same new minute — two ingest writes of 500 events
 * through the real path (`insertEvents`, which writes the change log). The run is the one the job
 * makes a minute later: (after, upto] = (watermark − 60 s, now − 10 s], horizon = upto − 7 days.
 * History goes in with INSERT … SELECT FROM range() (and its log rows likewise, one per 500
 * events, as ingest would have written them), not through ingest.
 *
 * Two measures, neither of them a real BigQuery bill (no BigQuery here):
 *  1. BigQuery's on-demand billing model: a query is billed for every column it references, over
 *     every row of the partitions its partition filter keeps (columns × rows × bytes per value:
 *     8 for TIMESTAMP and INT64), at least 10 MB per table referenced. The old query filters
 *     metric_events (partitioned by DATE(event_ts)) on event_ts ≥ horizon: it keeps every
 *     partition from the horizon's day on. The new one filters ingest_batches (partitioned by
 *     DATE(ingest_ts)) on (after, upto]: it keeps that one day (two across midnight). Clustering
 *     (ingest_batches is clustered by ingest_ts) can only lower the new figure: not counted.
 *     The columns are the table's columns named in the query text (printed).
 *  2. DuckDB, measured: rows its table scans read (profiling's operator_rows_scanned), after its
 *     zone maps skip row groups. DuckDB has no partitions; metric_events is stored in ingest
 *     order, so its ingest_ts min/max per row group already let the old query skip most of it —
 *     the cost problem was BigQuery's, whose partitions are by event time.
 *
 * Run: `npm run bench -- rollup-change-log` (BENCH_SIZES=1000000,10000000 by default).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertBulkEvents, minuteOfEvents } from './aggregator-data';
import { DUCKDB_COMPAT_MACROS, defineQuery, renderSql, type SqlQuery } from '../sql/dialect';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { rollupChangedSpans, rollupChangedSpansScan } from '../sql/queries/rollup-incremental';
import { TABLES, type TableName } from '../sql/tables';

const DAY = 86_400_000;
const MINUTE = 60_000;
const TODAY = Date.UTC(2026, 10, 26);
const NOW = TODAY + 3_600_000; // 01:00: an hour of today's traffic before the run
const BATCH = 500; // events per ingest write, history and today
const TODAY_PER_MINUTE = 1_000;
const MIN_BILLED_BYTES = 10 * 1024 * 1024;

const sizes = (process.env.BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);

/** The run's parameters, as aggregator/rollup-plan.ts ingestRange gives them a minute after the previous run. */
const watermarkMs = NOW - 60_000 - 10_000;
const afterMs = watermarkMs - 60_000;
const uptoMs = NOW - 10_000;
const horizonMs = uptoMs - 7 * DAY;

interface Measure {
  columns: string[];
  rows: number;
  modelBytes: number;
  billedBytes: number;
  duckdbRowsScanned: number;
  ms: number;
  spans: unknown[];
}

/** Log rows for `count` events at startMs + i × spacingMs, written in batches of BATCH (one row each, as ingest logs them). */
async function insertLogRows(wh: DuckDbWarehouse, count: number, startMs: number, spacingMs: number): Promise<void> {
  await wh.execute(
    defineQuery(
      'bench_log_rows',
      `INSERT INTO ingest_batches (ingest_ts, message_id, messages, min_event_ts, max_event_ts, events)
SELECT make_timestamp(CAST((${startMs} + last_i * ${spacingMs} + 2000) * 1000 AS BIGINT)), 'bench-' || CAST(b AS VARCHAR), 1,
  make_timestamp(CAST((${startMs} + first_i * ${spacingMs}) * 1000 AS BIGINT)), make_timestamp(CAST((${startMs} + last_i * ${spacingMs}) * 1000 AS BIGINT)), last_i - first_i + 1
FROM (SELECT b, b * ${BATCH} AS first_i, LEAST(b * ${BATCH} + ${BATCH} - 1, ${count - 1}) AS last_i FROM range(${Math.ceil(count / BATCH)}) AS r(b))`,
    ),
  );
}

async function build(path: string, history: number): Promise<number> {
  const wh = await DuckDbWarehouse.open(path, { memoryLimit: '6GB', threads: 2 });
  try {
    await wh.createSchema();
    // History: N events over the seven days before today, and their log rows.
    const spacing = (7 * DAY) / history;
    await insertBulkEvents(wh, { count: history, startMs: TODAY - 7 * DAY, spacingMs: spacing, prefix: 'h' });
    await insertLogRows(wh, history, TODAY - 7 * DAY, spacing);
    // Today so far: the same hour of traffic for every size, up to three minutes before the run, so
    // that all of it was ingested before the run's range (its generated rows, unlike ingest's, do
    // not share one ingest time per write: near the range's edge a log row and its events would disagree).
    const today = ((NOW - 3 * MINUTE - TODAY) / MINUTE) * TODAY_PER_MINUTE;
    await insertBulkEvents(wh, { count: today, startMs: TODAY, spacingMs: MINUTE / TODAY_PER_MINUTE, prefix: 't' });
    await insertLogRows(wh, today, TODAY, MINUTE / TODAY_PER_MINUTE);
    // The new minute, through the ingest path (which writes its log rows).
    const minute = minuteOfEvents(NOW - MINUTE, TODAY_PER_MINUTE, NOW - 15_000, 'n');
    for (let i = 0; i < minute.length; i += BATCH) await wh.insertEvents(minute.slice(i, i + BATCH));
    await wh.checkpoint();
    return history + today + minute.length;
  } finally {
    await wh.close();
  }
}

/** The table a query reads, and the columns of it the query names. */
function referenced(query: SqlQuery): { table: TableName; columns: string[] } {
  const table = (Object.keys(TABLES) as TableName[]).find((t) => query.text.includes(`{{${t}}}`));
  if (!table) throw new Error(`${query.name} reads no known table`);
  const columns = TABLES[table].columns.filter((c) => new RegExp(`\\b${c.name}\\b`).test(query.text));
  for (const c of columns) if (c.type !== 'TIMESTAMP' && c.type !== 'INT64') throw new Error(`the model only sizes 8-byte columns; ${query.name} reads ${c.name} (${c.type})`);
  return { table, columns: columns.map((c) => c.name) };
}

async function measure(path: string, query: SqlQuery, params: Record<string, number>, partitionRows: string): Promise<Measure> {
  const instance = await DuckDBInstance.create(path, { threads: '2', memory_limit: '4GB' });
  const c = await instance.connect();
  try {
    for (const macro of DUCKDB_COMPAT_MACROS) await c.run(macro);
    const rows = Number((await c.runAndReadAll(partitionRows)).getRows()[0]?.[0] ?? 0);
    const { columns } = referenced(query);
    const modelBytes = rows * columns.length * 8;
    const profile = join(tmpdir(), `rollup-change-log-${process.pid}.json`);
    await c.run("SET enable_profiling = 'json'");
    await c.run(`SET profiling_output = '${profile}'`);
    await c.run(`SET custom_profiling_settings = '{"OPERATOR_ROWS_SCANNED": "true", "OPERATOR_TYPE": "true"}'`);
    const started = performance.now();
    const result = await c.runAndReadAll(renderSql(query.text, 'duckdb'), params);
    const ms = performance.now() - started;
    await c.run("SET enable_profiling = 'no_output'");
    const scanned = sumScans(JSON.parse(readFileSync(profile, 'utf8')) as ProfileNode);
    rmSync(profile, { force: true });
    const spans = result.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
    return { columns, rows, modelBytes, billedBytes: Math.max(MIN_BILLED_BYTES, modelBytes), duckdbRowsScanned: scanned, ms, spans };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

interface ProfileNode {
  operator_type?: string;
  operator_rows_scanned?: number;
  children?: ProfileNode[];
}
const sumScans = (node: ProfileNode): number =>
  (node.operator_type === 'TABLE_SCAN' ? (node.operator_rows_scanned ?? 0) : 0) + (node.children ?? []).reduce((n, child) => n + sumScans(child), 0);

const dayOf = (ms: number) => Math.floor(ms / DAY) * DAY;
const ts = (ms: number) => `make_timestamp(${ms}::BIGINT * 1000)`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-change-log-'));
  const results: Array<{ history: number; stored: number; buildS: number; old: Measure; log: Measure }> = [];
  try {
    for (const history of sizes) {
      const path = join(dir, `events-${history}.duckdb`);
      const started = performance.now();
      const stored = await build(path, history);
      const buildS = (performance.now() - started) / 1000;
      process.stdout.write(`built ${stored.toLocaleString('en')} stored events (${history.toLocaleString('en')} history) in ${buildS.toFixed(1)} s\n`);
      // Rows in the partitions each query's partition filter keeps (BigQuery's day partitions).
      const old = await measure(path, rollupChangedSpansScan, { horizon_ms: horizonMs, after_ms: afterMs, upto_ms: uptoMs }, `SELECT COUNT(*) FROM metric_events WHERE event_ts >= ${ts(dayOf(horizonMs))}`);
      const log = await measure(path, rollupChangedSpans, { after_ms: afterMs, upto_ms: uptoMs }, `SELECT COUNT(*) FROM ingest_batches WHERE ingest_ts >= ${ts(dayOf(afterMs))} AND ingest_ts < ${ts(dayOf(uptoMs) + DAY)}`);
      if (JSON.stringify(old.spans) !== JSON.stringify(log.spans)) throw new Error(`the two queries found different spans: ${JSON.stringify(old.spans)} vs ${JSON.stringify(log.spans)}`);
      results.push({ history, stored, buildS, old, log });
      rmSync(path, { force: true });
      rmSync(`${path}.wal`, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
  const [small, large] = [results[0], results.at(-1)];
  process.stdout.write(`\nchange detection of one incremental run; spans found identical by both queries (${JSON.stringify(results[0]?.log.spans)})\n`);
  process.stdout.write(`old: ${rollupChangedSpansScan.name} reads metric_events (${results[0]?.old.columns.join(', ')}); new: ${rollupChangedSpans.name} reads ingest_batches (${results[0]?.log.columns.join(', ')})\n\n`);
  const header = ['stored events', 'query', 'rows in kept partitions', 'BigQuery model bytes', 'billed (≥ 10 MB)', 'DuckDB rows scanned', 'DuckDB ms'];
  const table: string[][] = [];
  for (const r of results) {
    for (const [label, m] of [['old (scan)', r.old], ['new (log)', r.log]] as const) {
      table.push([r.stored.toLocaleString('en'), label, m.rows.toLocaleString('en'), mb(m.modelBytes), mb(m.billedBytes), m.duckdbRowsScanned.toLocaleString('en'), m.ms.toFixed(1)]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  process.stdout.write([line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n') + '\n\n');
  if (small && large && small !== large) {
    const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(3));
    const k = `${(large.stored / small.stored).toFixed(1)}× the stored events`;
    process.stdout.write(`ratios, ${large.history.toLocaleString('en')} vs ${small.history.toLocaleString('en')} history (${k}):\n`);
    process.stdout.write(`  BigQuery model bytes   old ${ratio(large.old.modelBytes, small.old.modelBytes)}   new ${ratio(large.log.modelBytes, small.log.modelBytes)}   (goal: new ≤ 1.1)\n`);
    process.stdout.write(`  BigQuery billed bytes  old ${ratio(large.old.billedBytes, small.old.billedBytes)}   new ${ratio(large.log.billedBytes, small.log.billedBytes)}\n`);
    process.stdout.write(`  DuckDB rows scanned    old ${ratio(large.old.duckdbRowsScanned, small.old.duckdbRowsScanned)}   new ${ratio(large.log.duckdbRowsScanned, small.log.duckdbRowsScanned)}\n`);
    process.stdout.write(`  old / new, BigQuery model bytes: ${ratio(small.old.modelBytes, small.log.modelBytes)} at ${small.stored.toLocaleString('en')}, ${ratio(large.old.modelBytes, large.log.modelBytes)} at ${large.stored.toLocaleString('en')}\n`);
    const met = large.log.modelBytes / small.log.modelBytes <= 1.1;
    process.stdout.write(`  ${met ? 'MET' : 'NOT MET'}: new query's bytes ratio ≤ 1.1\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
