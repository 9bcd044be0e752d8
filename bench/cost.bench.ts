/**
 * Issue #13, cost analytics: what a million application calls cost through the whole path —
 * Pub/Sub, the BigQuery write, storage for the retention period, the scheduled jobs' scans — for
 * the realistic traffic profile, through insertAll and through the Storage Write API, side by side,
 * computed by the code `obs cost` uses (aggregator/cost/: costReport on the warehouse the events
 * were ingested into, priceUsage on the same usage).
 *
 * The path, for real: the emitter (its default aggregation, issue #18) receives the profile's calls
 * (cli/local/demo/traffic-profile.ts, one call per occurrence, as bench/emitter-aggregation.bench.ts
 * makes them) at a per-instance rate, flushing each simulated second; every message it publishes
 * is counted (the bytes Pub/Sub would bill) and handed to ingest (IngestHandler) into a DuckDB
 * warehouse; `obs cost`'s report then reads the warehouse. Reference row: one event per call
 * (`aggregation: 'none'`), as before issue #18.
 *
 * Per million calls, at list prices (no free tiers: the marginal cost):
 *   Pub/Sub    the bytes published — measured at the sink, and as obs cost estimates them from the
 *              stored rows (both shown) — each message at least 1,000 B, billed on publish and on
 *              delivery to ingest;
 *   ingest     insertAll: each row ≥ 1 KB; Storage Write API: the rows' data size;
 *   storage    metric_events' rows for their whole retention (OBS_RETENTION_EVENTS_DAYS, 90 days)
 *              at the active rate;
 *   scans      the minute recompute's one read of metric_events' partitions so far, in the columns
 *              it reads (hourly: the DDL this build creates), and its MERGEs' reads of the temporary
 *              table (aggregator/cost/scan-estimate.ts), the traffic taken to arrive evenly all day;
 *              the same with day partitions (a deployment not yet migrated) beside it.
 * Fixed, whatever the volume (reported apart, per month): the scans' 10 MB-per-table minimum of the
 * jobs that run every minute, and the rollup tables' storage (per series and minute, not per call).
 *
 * Goal (issue #13): ≤ $0.005 per million events with the Write API.
 * Run: `npm run bench -- cost` (BENCH_CALLS=300000 by default).
 */
import { cpus, loadavg } from 'node:os';
import { runRollupJob } from '../aggregator/rollup-job';
import { componentUsd, priceUsage, PUBSUB_MIN_REQUEST_BYTES, pubsubMessageBytes, type CostUsage, type PricedUsage } from '../aggregator/cost/cost-model';
import { costReport, type CostReport } from '../aggregator/cost/cost-report';
import { estimateScans, EVENTS_PARTITION_MINUTES, recomputeReadsPerDay, RUNS_PER_DAY } from '../aggregator/cost/scan-estimate';
import { seededRandom } from '../cli/local/demo/random';
import { HEALTHY_TRAFFIC } from '../cli/local/demo/traffic-profile';
import { createEmitter, type AggregationChoice, type Transport } from '../emitter';
import { IngestHandler } from '../ingest';
import { silentIngestLog } from '../ingest/ingest-log';
import { loadConfig } from '../shared';
import { PRICES } from '../shared/prices';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { realisticSecond } from './realistic-calls';

const CALLS = Number(process.env.BENCH_CALLS ?? 300_000);
const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const SECOND = 1_000;
const GOAL_USD = 0.005;
const retention = loadConfig({}).retention;
/** Months a row is stored: its retention in days over the mean month. */
const RETENTION_MONTHS = retention.eventsDays / (365.25 / 12);

interface Run {
  label: string;
  calls: number;
  seconds: number;
  /** Pub/Sub as measured at the sink: messages, bytes as billed (data + timestamp + id), each ≥ 1,000 B. */
  messages: number;
  measuredMessageBytes: number;
  measuredBilledBytes: number;
  report: CostReport;
  rollupBytes: number;
  rollupSeriesMinutes: number;
}

/** The profile's calls through the emitter, the sink and ingest into a fresh DuckDB; then obs cost's report. */
async function run(label: string, aggregation: AggregationChoice, scale: number, calls: number): Promise<Run> {
  const warehouse = await DuckDbWarehouse.open(':memory:');
  await warehouse.createSchema();
  let now = T0;
  const handler = new IngestHandler({ warehouse, log: silentIngestLog, now: () => now });
  const published: Array<{ id: string; data: Buffer }> = [];
  let messages = 0;
  let measuredMessageBytes = 0;
  let measuredBilledBytes = 0;
  const sink: Transport = {
    name: 'sink',
    publish: (data) => {
      const id = String(10_000_000_000_000_000n + BigInt(messages++)); // a Pub/Sub message id: 17 digits
      const billed = pubsubMessageBytes(data.length, id.length);
      measuredMessageBytes += billed;
      measuredBilledBytes += Math.max(PUBSUB_MIN_REQUEST_BYTES, billed);
      published.push({ id, data: Buffer.from(data) });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const emitter = createEmitter({
    transport: sink,
    aggregation,
    service: 'wallet-api',
    environment: 'production',
    now: () => now,
    flushIntervalMs: 3_600_000, // flushed by hand at each simulated second
    ...(aggregation === 'none' ? { maxBufferedEvents: 1_000_000, maxBufferedBytes: 400_000_000 } : {}),
    selfMetricsIntervalMs: 0,
    handleProcessSignals: false,
  });
  const random = seededRandom(13);
  let made = 0;
  let k = 0;
  const drain = async () => {
    const batch = published.splice(0);
    for (let i = 0; i < batch.length; i += 50) {
      const summary = await handler.handleBatch(batch.slice(i, i + 50));
      if (summary.retry.length > 0) throw new Error(`${label}: ingest failed: ${String(summary.error)}`);
    }
  };
  while (made < calls) {
    const startMs = T0 + k * SECOND;
    for (const call of realisticSecond(random, scale, startMs)) {
      if (made === calls) break;
      now = call.at;
      call.emit(emitter);
      made++;
    }
    now = startMs + SECOND;
    k++;
    await emitter.flush();
    await drain();
  }
  await emitter.shutdown();
  await drain();
  if (emitter.stats().dropped > 0) throw new Error(`${label}: the emitter dropped ${emitter.stats().dropped} calls`);
  // The rollup job over what was stored, for the rollup tables' size per series and minute.
  await runRollupJob(warehouse, { nowMs: now + 120_000 });
  const report = await costReport(warehouse, { month: '2026-11', nowMs: Date.UTC(2026, 11, 1), writeApi: 'storage', retention, prices: PRICES });
  const rollups = report.storage.filter((t) => t.table === 'metric_rollups' || t.table === 'metric_histograms').reduce((s, t) => s + t.bytes, 0);
  const [minutes] = await warehouse.query<{ n: number }>({ name: 'bench_series_minutes', text: 'SELECT COUNT(*) AS n FROM metric_rollups WHERE window_seconds = 60' });
  await warehouse.close();
  if (report.usage.calls !== made) throw new Error(`${label}: obs cost counts ${report.usage.calls} calls, ${made} were made`);
  return { label, calls: made, seconds: k, messages, measuredMessageBytes, measuredBilledBytes, report, rollupBytes: rollups, rollupSeriesMinutes: Number(minutes?.n ?? 0) };
}

/** The usage of `r` for its calls, with storage for the whole retention and the recompute scans of a day of such traffic. */
function perRunUsage(r: Run): CostUsage {
  const u = r.report.usage;
  // A day of this traffic: the recompute's columns of its rows read (RUNS_PER_DAY + 1) / 2 times,
  // and the temporary table's reads; scaled back to these calls.
  const daily = estimateScans([{ bytes: r.report.scans.recomputeColumnBytes, runs: RUNS_PER_DAY }], 0);
  return {
    ...u,
    messages: r.messages,
    messageBytes: r.measuredMessageBytes,
    messageBilledBytes: r.measuredBilledBytes,
    activeStorageByteMonths: u.rowBytes * RETENTION_MONTHS,
    longTermStorageByteMonths: 0,
    scannedBytes: daily.recomputeBytes,
    scanFloorBytes: 0,
  };
}

const money = (x: number) => `$${x.toFixed(5)}`;
const perM = (usd: number, calls: number) => (usd / calls) * 1e6;

async function main(): Promise<void> {
  const runs = [await run('realistic ×100, aggregating (default)', 'series', 100, CALLS), await run('realistic ×10, aggregating (default)', 'series', 10, Math.round(CALLS / 3)), await run('realistic ×100, one event per call', 'none', 100, Math.round(CALLS / 3))];
  const header = ['profile (per-instance rate)', 'write path', 'calls/s', 'rows/M calls', 'B/row', 'Pub/Sub', 'ingest', 'storage (90 d)', 'scans', 'total /M calls', 'goal ≤ $0.005'];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const r of runs) {
    const usage = perRunUsage(r);
    const paths: PricedUsage[] = [priceUsage(usage, PRICES, 'insert-all'), priceUsage(usage, PRICES, 'storage')];
    for (const p of paths) {
      const total = perM(p.listUsd, r.calls);
      rows.push([
        r.label,
        p.writeApi,
        (r.calls / r.seconds).toFixed(0),
        perM(usage.events, r.calls).toFixed(0),
        (usage.rowBytes / usage.events).toFixed(0),
        money(perM(componentUsd(p, 'pubsub'), r.calls)),
        money(perM(componentUsd(p, 'ingest'), r.calls)),
        money(perM(componentUsd(p, 'storage'), r.calls)),
        money(perM(componentUsd(p, 'scans'), r.calls)),
        money(total),
        p.writeApi === 'storage' ? (total <= GOAL_USD ? 'MET' : 'NOT MET') : '',
      ]);
    }
    const noScans = perM(paths[1]!.listUsd - componentUsd(paths[1]!, 'scans'), r.calls);
    const est = r.report.usage;
    notes.push(
      `${r.label}: ${r.messages} messages (${(r.measuredMessageBytes / r.messages).toFixed(0)} B each as Pub/Sub counts them; obs cost's estimate from the stored rows ${(est.messageBytes / est.messages).toFixed(0)} B, ` +
        `${((est.messageBytes / r.measuredMessageBytes - 1) * 100).toFixed(1)}%); Storage Write API without the scans ${money(noScans)} per million calls; ` +
        `insertAll / Storage Write API ingest ${(componentUsd(paths[0]!, 'ingest') / componentUsd(paths[1]!, 'ingest')).toFixed(1)}×, whole path ${(paths[0]!.listUsd / paths[1]!.listUsd).toFixed(2)}×`,
    );
  }
  // The same runs with metric_events partitioned by day (a deployment not yet migrated, docs/DEPLOYMENT.md).
  const dayPartitionNotes = runs.map((r) => {
    const usage = perRunUsage(r);
    const dayScans = estimateScans([{ bytes: r.report.scans.recomputeColumnBytes, runs: RUNS_PER_DAY }], 0, 1_440).recomputeBytes;
    const withDayPartitions = priceUsage({ ...usage, scannedBytes: dayScans }, PRICES, 'storage');
    return `  with day partitions instead: ${r.label}, Storage Write API ${money(perM(withDayPartitions.listUsd, r.calls))} per million calls (scans ${money(perM(componentUsd(withDayPartitions, 'scans'), r.calls))})`;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const first = runs[0]!;
  const floor = estimateScans([], 30 * RUNS_PER_DAY);
  const floorUsd = (floor.floorBytes / 1024 ** 4) * PRICES.bq_on_demand_query.usd;
  const rollupPerSeriesMinute = first.rollupBytes / first.rollupSeriesMinutes;
  const series = new Set(HEALTHY_TRAFFIC.map((s) => `${s.metric}|${JSON.stringify(s.tags)}`)).size;
  // Minute rows kept 35 days, hour and day rows 397 (a minute row's size taken for all: an upper bound for the few hour/day rows).
  const rollupMonthBytes = rollupPerSeriesMinute * series * (retention.minuteRollupsDays * 1440 + retention.rollupsDays * 25);
  const out = [
    `Cost per million application calls through the whole path, list prices of shared/prices.ts (recorded ${PRICES.bq_storage_write.recorded}), no free tiers (node ${process.version})`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ...notes,
    '',
    'Fixed, whatever the volume (per month):',
    `  scans' minimum: ${floor.tableReferencesPerMinute} table references a minute × 10 MB × ${30 * RUNS_PER_DAY} runs = ${(floor.floorBytes / 1024 ** 4).toFixed(1)} TiB, ${money(floorUsd)} at $${PRICES.bq_on_demand_query.usd}/TiB (1 TiB a month free)`,
    `  rollup tables: ${rollupPerSeriesMinute.toFixed(0)} B per series and minute; the profile's ${series} series kept 35 days (1m) and 397 (1h, 1d): ~${(rollupMonthBytes / 1024 ** 3).toFixed(3)} GiB stored, ${money((rollupMonthBytes / 1024 ** 3) * PRICES.bq_active_storage.usd)} a month`,
    `Storage for the retention: ${retention.eventsDays} days = ${RETENTION_MONTHS.toFixed(2)} months of active storage per row. Scans: the minute recompute reads metric_events' ${EVENTS_PARTITION_MINUTES}-minute partition so far, in the columns it uses (one statement, (${EVENTS_PARTITION_MINUTES} + 1) / 2 = ${recomputeReadsPerDay(RUNS_PER_DAY).toFixed(1)} reads of a day's bytes), and its two MERGEs the temporary table of the changed windows' events (taken as 2 runs × 2 reads); see docs/COST.md.`,
    ...dayPartitionNotes,
    `load average while it ran: ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} CPUs (bytes and dollars do not depend on it)`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
