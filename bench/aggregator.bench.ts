/**
 * `npm run bench -- aggregator`: the three performance targets of issue #5, on DuckDB files.
 *
 * 1. Incremental cost follows new data: one new minute of events after 1M and after 10M stored
 *    events (same traffic rate, so 10M is ten times the history); median run time, ratio ≤ 1.5.
 * 2. A full rebuild rolls up ≥ 2M events/s (the 10M store, from scratch: minutes, hours, days,
 *    histograms). Measured on the schema as createSchema makes it (metric_rollups and
 *    metric_histograms without a DuckDB PRIMARY KEY: sql/tables.ts `duckdbIndexKey`), and again,
 *    for comparison, with the two tables recreated with the key, as DuckDB files created by
 *    earlier versions still have them: maintaining those ART indexes was most of the rebuild.
 * 3. The SLO job for all seven SLOs over 30 days of 1-minute rollups (the 10M store spans 30
 *    days) in under a second (median).
 *
 * Bulk history is generated inside DuckDB (bench/aggregator-data.ts); the new minutes go through
 * the warehouse port's insertEvents, as ingest would write them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJobState, ROLLUP_JOB } from '../sql/job-state';
import { runRebuild } from '../aggregator/rebuild';
import { runRollupJob } from '../aggregator/rollup-job';
import { runSloJob } from '../aggregator/slo-job';
import { renderCreateTable } from '../sql/ddl';
import { defineQuery } from '../sql/dialect';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { TABLES } from '../sql/tables';
import { insertBulkEvents, minuteOfEvents } from './aggregator-data';

const EVENTS_PER_MINUTE = 230; // 10M events ≈ 30.2 days of history
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const END_MS = Date.UTC(2026, 10, 26, 0, 0, 0);
const INCREMENTAL_RUNS = 7;
const SLO_RUNS = 7;

const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

interface StoreResult {
  events: number;
  rebuildMs: number;
  /** CPU time of this process (every DuckDB thread) during the rebuild: wall time grows with the machine's other load, this much less. */
  rebuildCpuMs: number;
  rebuildIndexedMs: number | null;
  incrementalMs: number[];
  sloMs: number[];
  rollupRows: number;
  histogramRows: number;
}

/** Swaps the projection tables for empty copies with the primary key older versions created (bench only). */
async function restoreProjectionKeys(warehouse: DuckDbWarehouse): Promise<void> {
  for (const table of ['metric_rollups', 'metric_histograms'] as const) {
    await warehouse.execute(defineQuery('bench_swap', `ALTER TABLE ${table} RENAME TO ${table}_unindexed`));
    await warehouse.execute(defineQuery('bench_swap', renderCreateTable({ ...TABLES[table], duckdbIndexKey: undefined }, 'duckdb')));
  }
}

async function measureStore(events: number, dir: string, measureSlo: boolean): Promise<StoreResult> {
  const warehouse = await DuckDbWarehouse.open(join(dir, `store-${events}.duckdb`));
  try {
    await warehouse.createSchema();
    const spacingMs = MINUTE_MS / EVENTS_PER_MINUTE;
    const startMs = END_MS - events * spacingMs;
    let t = performance.now();
    await insertBulkEvents(warehouse, { count: events, startMs, spacingMs, prefix: 'b' });
    process.stdout.write(`  ${events.toLocaleString('en')} events generated in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    t = performance.now();
    const cpu = process.cpuUsage();
    await runRebuild(warehouse, { fromMs: startMs, toMs: END_MS, nowMs: END_MS });
    const rebuildMs = performance.now() - t;
    const rebuildCpuMs = cpuMsSince(cpu);
    await writeJobState(warehouse, ROLLUP_JOB, { watermarkMs: END_MS, lastRunMs: END_MS, lastResult: { bench: true } });
    const [counts] = await warehouse.query(
      defineQuery('bench_counts', 'SELECT (SELECT COUNT(*) FROM metric_rollups) AS r, (SELECT COUNT(*) FROM metric_histograms) AS h'),
    );

    const incrementalMs: number[] = [];
    for (let k = 0; k < INCREMENTAL_RUNS; k++) {
      const minuteMs = END_MS + k * MINUTE_MS;
      const ingestMs = minuteMs + MINUTE_MS - 1_000;
      await warehouse.insertEvents(minuteOfEvents(minuteMs, EVENTS_PER_MINUTE, ingestMs, `n${k}-`));
      const nowMs = minuteMs + MINUTE_MS + 15_000;
      t = performance.now();
      const result = await runRollupJob(warehouse, { nowMs });
      incrementalMs.push(performance.now() - t);
      if (result.newEvents < EVENTS_PER_MINUTE) throw new Error(`run ${k} saw ${result.newEvents} new events`);
    }

    const sloMs: number[] = [];
    if (measureSlo) {
      for (let k = 0; k < SLO_RUNS; k++) {
        t = performance.now();
        const result = await runSloJob(warehouse, { nowMs: END_MS + INCREMENTAL_RUNS * MINUTE_MS + k * 1_000, write: true });
        sloMs.push(performance.now() - t);
        if (result.statuses.length !== 7) throw new Error('expected seven SLOs');
      }
    }
    let rebuildIndexedMs: number | null = null;
    if (measureSlo) {
      await restoreProjectionKeys(warehouse);
      t = performance.now();
      await runRebuild(warehouse, { fromMs: startMs, toMs: END_MS + INCREMENTAL_RUNS * MINUTE_MS, nowMs: END_MS + DAY_MS });
      rebuildIndexedMs = performance.now() - t;
    }
    return { events, rebuildMs, rebuildCpuMs, rebuildIndexedMs, incrementalMs, sloMs, rollupRows: Number(counts?.r), histogramRows: Number(counts?.h) };
  } finally {
    await warehouse.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-agg-bench-'));
  try {
    process.stdout.write(`aggregator benchmark: ${EVENTS_PER_MINUTE} events/min of synthetic traffic (DuckDB files in ${dir})\n`);
    const small = await measureStore(1_000_000, dir, false);
    const large = await measureStore(10_000_000, dir, true);

    const ratio = median(large.incrementalMs) / median(small.incrementalMs);
    const rebuildRate = large.events / (large.rebuildMs / 1000);
    const slo = median(large.sloMs);
    const rows = [
      ['incremental run, 1 new minute, after 1M events', fmt(median(small.incrementalMs)), `runs: ${small.incrementalMs.map((x) => x.toFixed(0)).join(', ')} ms`],
      ['incremental run, 1 new minute, after 10M events', fmt(median(large.incrementalMs)), `runs: ${large.incrementalMs.map((x) => x.toFixed(0)).join(', ')} ms`],
      ['  ratio 10M / 1M (target ≤ 1.5)', ratio.toFixed(2), ratio <= 1.5 ? 'PASS' : 'FAIL'],
      [
        'full rebuild of 10M events',
        `${(large.rebuildMs / 1000).toFixed(2)} s`,
        `${large.rollupRows.toLocaleString('en')} rollup rows, ${large.histogramRows.toLocaleString('en')} histogram rows; ${(large.rebuildCpuMs / 1000).toFixed(2)} CPU s, load average ${loadavg()[0]?.toFixed(2)}`,
      ],
      ['  rebuild rate (target ≥ 2M events/s)', `${(rebuildRate / 1e6).toFixed(2)}M events/s`, rebuildRate >= 2e6 ? 'PASS' : 'FAIL'],
      ['  (rebuild of 1M events)', `${(small.rebuildMs / 1000).toFixed(2)} s`, `${(small.events / (small.rebuildMs / 1000) / 1e6).toFixed(2)}M events/s`],
      [
        '  (same rebuild, rollup tables with the DuckDB PK of older files)',
        large.rebuildIndexedMs === null ? '—' : `${(large.rebuildIndexedMs / 1000).toFixed(2)} s`,
        large.rebuildIndexedMs === null ? '' : `${(large.events / (large.rebuildIndexedMs / 1000) / 1e6).toFixed(2)}M events/s (informational)`,
      ],
      ['SLO job, 7 SLOs, 30 days of rollups (target < 1 s)', fmt(slo), slo < 1000 ? 'PASS' : 'FAIL'],
    ];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] as string).length)));
    process.stdout.write('\n' + rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ')).join('\n') + '\n');
    if (ratio > 1.5 || rebuildRate < 2e6 || slo >= 1000) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
