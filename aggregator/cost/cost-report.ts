import type { RetentionDays } from '../../shared/config';
import { getMetric, isMetricName } from '../../shared/metric-catalogue';
import { PRICE_IDS, type Price, type PriceTable } from '../../shared/prices';
import { COST_STORAGE, costEventsByMetric, costMessages, costRecomputeMetricEvents, type CostStorageQuery } from '../../sql/queries/cost';
import type { JobScan } from '../../sql/bigquery/bigquery-job-scans';
import { rollupMergeMinuteWindows } from '../../sql/queries/rollup-incremental';
import type { Warehouse } from '../../sql/warehouse';
import { componentUsd, priceUsage, type CostUsage, type PricedUsage, type WriteApi } from './cost-model';
import { estimateScans, EVENTS_PARTITION_MINUTES, RUNS_PER_DAY, type ScanEstimate } from './scan-estimate';

const DAY_MS = 86_400_000;
/** BigQuery bills a partition unchanged for 90 consecutive days at the long-term rate. */
export const LONG_TERM_AFTER_DAYS = 90;

/** A calendar month, UTC: `YYYY-MM` → [fromMs, toMs). Throws a clear error on anything else. */
export function monthBounds(month: string): { fromMs: number; toMs: number } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const m = match ? Number(match[2]) : 0;
  if (!match || m < 1 || m > 12) throw new Error(`--month must be YYYY-MM (a calendar month, UTC), got "${month}"`);
  return { fromMs: Date.UTC(Number(match[1]), m - 1, 1), toMs: Date.UTC(Number(match[1]), m, 1) };
}

export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

export interface MetricCost {
  readonly name: string;
  /** The catalogue's module; `unknown` for a name outside it. */
  readonly module: string;
  readonly events: number;
  readonly calls: number;
  readonly rowBytes: number;
  readonly insertAllBytes: number;
  readonly wireBytes: number;
  /** Its share of the bill through the configured write path, at list prices (docs/COST.md, "Per metric"). */
  readonly listUsd: number;
}

export interface ModuleCost {
  readonly module: string;
  readonly events: number;
  readonly calls: number;
  readonly rowBytes: number;
  readonly wireBytes: number;
  readonly listUsd: number;
}

export interface TableStorage {
  readonly table: CostStorageQuery['table'];
  readonly retentionDays: string;
  /** Data size of the rows stored now whose time falls in the month or its retention before it. */
  readonly bytes: number;
  readonly activeByteMonths: number;
  readonly longTermByteMonths: number;
}

/** The month's query jobs of this dataset, as BigQuery billed them (sql/bigquery/bigquery-job-scans.ts). */
export interface MeasuredScans {
  readonly jobs: number;
  readonly bytesProcessed: number;
  readonly bytesBilled: number;
  /** Per query name, most billed first. */
  readonly byQuery: readonly JobScan[];
}

/** What `obs cost` prints and the dashboard's Cost card shows. */
export interface CostReport {
  readonly month: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The end of what was measured: toMs, or now for the month in progress. */
  readonly untilMs: number;
  readonly inProgress: boolean;
  readonly warehouse: Warehouse['dialect'];
  /** OBS_BQ_WRITE_API: the path the totals use. */
  readonly writeApi: WriteApi;
  readonly usage: CostUsage;
  readonly storage: readonly TableStorage[];
  /**
   * The estimate (always, from the stored data and the schedule; `recomputeColumnBytes`: the data
   * size of the month's events in the columns the minute recompute reads) and, on BigQuery, what
   * its job statistics say was billed (`measured`; `source` says which the totals use, and
   * `measuredUnavailable` why not when they could not be read).
   */
  readonly scans: ScanEstimate & {
    readonly source: 'estimated' | 'measured';
    readonly recomputeColumnBytes: number;
    readonly measured?: MeasuredScans;
    readonly measuredUnavailable?: string;
  };
  /** The month through the configured path, and through the other one, side by side. */
  readonly priced: PricedUsage;
  readonly alternative: PricedUsage;
  readonly modules: readonly ModuleCost[];
  readonly metrics: readonly MetricCost[];
  readonly prices: readonly Price[];
  /**
   * What making this report reads, about: every column of the rows the storage queries cover (each
   * table over its retention before the month), the month's events twice more and the columns the
   * minute recompute reads once more. On BigQuery it
   * is billed like any query (docs/COST.md, "The report's own cost").
   */
  readonly reportReadBytes: number;
}

export interface CostReportOptions {
  readonly month: string;
  readonly nowMs: number;
  readonly writeApi: WriteApi;
  readonly retention: RetentionDays;
  readonly prices: PriceTable;
}

type NumberLike = number | null;
const num = (v: NumberLike | undefined): number => (v === null || v === undefined ? 0 : Number(v));

function retentionOf(table: CostStorageQuery['table'], minuteRows: boolean, retention: RetentionDays): number {
  if (table === 'metric_events') return retention.eventsDays;
  if (table === 'dead_letters') return retention.deadLettersDays;
  return minuteRows ? retention.minuteRollupsDays : retention.rollupsDays;
}

/**
 * Storage within [fromMs, untilMs): a row of partition day d is stored from d until d + its
 * retention (partition expiry), at the active rate for its partition's first 90 days and the
 * long-term rate after. Rows past retention are gone from the warehouse, so a month long past is
 * under-counted (docs/COST.md, "Limits").
 */
async function loadStorage(warehouse: Warehouse, fromMs: number, untilMs: number, monthMs: number, retention: RetentionDays) {
  const longest = Math.max(retention.eventsDays, retention.deadLettersDays, retention.rollupsDays, retention.minuteRollupsDays);
  const tables: TableStorage[] = [];
  let readBytes = 0;
  for (const { table, query } of COST_STORAGE) {
    const rows = await warehouse.query<{ day: NumberLike; minute_rows: NumberLike; bytes: NumberLike }>(query, { from_ms: fromMs - longest * DAY_MS, to_ms: untilMs });
    let bytes = 0;
    let active = 0;
    let longTerm = 0;
    for (const row of rows) {
      const dayMs = num(row.day) * DAY_MS;
      const size = num(row.bytes);
      readBytes += size;
      const keptUntil = dayMs + retentionOf(table, num(row.minute_rows) === 1, retention) * DAY_MS;
      const overlap = (a: number, b: number) => Math.max(0, Math.min(b, untilMs) - Math.max(a, fromMs));
      const activeMs = overlap(dayMs, Math.min(keptUntil, dayMs + LONG_TERM_AFTER_DAYS * DAY_MS));
      const longMs = overlap(dayMs + LONG_TERM_AFTER_DAYS * DAY_MS, keptUntil);
      if (activeMs + longMs === 0) continue;
      bytes += size;
      active += (size * activeMs) / monthMs;
      longTerm += (size * longMs) / monthMs;
    }
    const days = table === 'metric_events' || table === 'dead_letters' ? `${retentionOf(table, false, retention)}` : `${retention.minuteRollupsDays} (1m) / ${retention.rollupsDays}`;
    tables.push({ table, retentionDays: days, bytes, activeByteMonths: active, longTermByteMonths: longTerm });
  }
  return { tables, readBytes };
}

/** The cost report of one calendar month (see {@link CostReport}). */
export async function costReport(warehouse: Warehouse, options: CostReportOptions): Promise<CostReport> {
  const { fromMs, toMs } = monthBounds(options.month);
  const untilMs = Math.max(fromMs, Math.min(toMs, options.nowMs));
  const monthMs = toMs - fromMs;
  const range = { from_ms: fromMs, to_ms: untilMs };
  const metricRows = await warehouse.query<{ name: string; events: NumberLike; calls: NumberLike; row_bytes: NumberLike; insert_all_bytes: NumberLike; wire_bytes: NumberLike }>(costEventsByMetric, range);
  const [messages] = await warehouse.query<{ messages: NumberLike; message_bytes: NumberLike; message_billed_bytes: NumberLike }>(costMessages, range);
  const storage = await loadStorage(warehouse, fromMs, untilMs, monthMs, options.retention);
  // The job runs of each day of the month so far: whole days 1,440, today its minutes so far.
  const runMinutes = Math.floor((untilMs - fromMs) / 60_000);
  // Per day, the bytes of the columns the minute recompute reads (BigQuery bills those, not the row).
  const recomputeDays = await warehouse.query<{ day: NumberLike; bytes: NumberLike }>(costRecomputeMetricEvents, range);
  const dayRuns = recomputeDays.map((d) => ({ bytes: num(d.bytes), runs: Math.max(0, Math.min(RUNS_PER_DAY, Math.floor((untilMs - num(d.day) * DAY_MS) / 60_000))) }));
  const recomputeColumnBytes = dayRuns.reduce((sum, d) => sum + d.bytes, 0);
  // metric_events' partitions as they are (BigQuery: a deployment not yet migrated to hourly ones
  // keeps its day partitions), else as this build's DDL creates them.
  const partitionMinutes = (await warehouse.partitionMinutes?.('metric_events')) ?? EVENTS_PARTITION_MINUTES;
  const estimate = estimateScans(dayRuns, runMinutes, partitionMinutes);
  const { measured, unavailable } = await measureScans(warehouse, fromMs, untilMs);
  const scans: CostReport['scans'] = {
    ...estimate,
    source: measured ? 'measured' : 'estimated',
    recomputeColumnBytes,
    ...(measured ? { measured } : {}),
    ...(unavailable ? { measuredUnavailable: unavailable } : {}),
  };

  const metrics = metricRows.map((r) => ({
    name: r.name,
    module: isMetricName(r.name) ? getMetric(r.name).module : 'unknown',
    events: num(r.events),
    calls: num(r.calls),
    rowBytes: num(r.row_bytes),
    insertAllBytes: num(r.insert_all_bytes),
    wireBytes: num(r.wire_bytes),
  }));
  const sum = (f: (m: (typeof metrics)[number]) => number) => metrics.reduce((s, m) => s + f(m), 0);
  const eventsStorage = storage.tables.find((t) => t.table === 'metric_events');
  const usage: CostUsage = {
    events: sum((m) => m.events),
    calls: sum((m) => m.calls),
    messages: num(messages?.messages),
    messageBytes: num(messages?.message_bytes),
    messageBilledBytes: num(messages?.message_billed_bytes),
    rowBytes: sum((m) => m.rowBytes),
    insertAllBytes: sum((m) => m.insertAllBytes),
    activeStorageByteMonths: storage.tables.reduce((s, t) => s + t.activeByteMonths, 0),
    longTermStorageByteMonths: storage.tables.reduce((s, t) => s + t.longTermByteMonths, 0),
    // Measured: billed beyond processed is the per-table minimum, the fixed part of the bill.
    scannedBytes: measured ? measured.bytesBilled : scans.bytes,
    scanFloorBytes: measured ? Math.max(0, measured.bytesBilled - measured.bytesProcessed) : scans.floorBytes,
  };
  const priced = priceUsage(usage, options.prices, options.writeApi);
  const alternative = priceUsage(usage, options.prices, options.writeApi === 'storage' ? 'insert-all' : 'storage');

  // Per metric: its own ingest bytes; Pub/Sub by its share of the wire bytes; metric_events'
  // storage and the recompute scans by its share of the row bytes. The scan floor and the
  // rollup tables' storage are the pipeline's, not a metric's: left unattributed.
  const totalWire = sum((m) => m.wireBytes) || 1;
  const totalRows = usage.rowBytes || 1;
  const pubsubUsd = componentUsd(priced, 'pubsub');
  const ingestUsd = componentUsd(priced, 'ingest');
  const ingestBytes = options.writeApi === 'insert-all' ? usage.insertAllBytes : usage.rowBytes;
  const eventsStorageUsd = eventsStorage ? (eventsStorage.activeByteMonths / 1024 ** 3) * options.prices.bq_active_storage.usd + (eventsStorage.longTermByteMonths / 1024 ** 3) * options.prices.bq_long_term_storage.usd : 0;
  const recomputeBilled = measured ? (measured.byQuery.find((q) => q.query === rollupMergeMinuteWindows.name)?.bytesBilled ?? 0) : scans.recomputeBytes;
  const recomputeUsd = (recomputeBilled / 1024 ** 4) * options.prices.bq_on_demand_query.usd;
  const costed: MetricCost[] = metrics.map((m) => ({
    ...m,
    listUsd:
      (pubsubUsd * m.wireBytes) / totalWire +
      (ingestBytes > 0 ? (ingestUsd * (options.writeApi === 'insert-all' ? m.insertAllBytes : m.rowBytes)) / ingestBytes : 0) +
      ((eventsStorageUsd + recomputeUsd) * m.rowBytes) / totalRows,
  }));
  const modules = new Map<string, ModuleCost>();
  for (const m of costed) {
    const prev = modules.get(m.module) ?? { module: m.module, events: 0, calls: 0, rowBytes: 0, wireBytes: 0, listUsd: 0 };
    modules.set(m.module, { module: m.module, events: prev.events + m.events, calls: prev.calls + m.calls, rowBytes: prev.rowBytes + m.rowBytes, wireBytes: prev.wireBytes + m.wireBytes, listUsd: prev.listUsd + m.listUsd });
  }
  return {
    month: options.month,
    fromMs,
    toMs,
    untilMs,
    inProgress: untilMs < toMs,
    warehouse: warehouse.dialect,
    writeApi: options.writeApi,
    usage,
    storage: storage.tables,
    scans,
    priced,
    alternative,
    modules: [...modules.values()].sort((a, b) => b.listUsd - a.listUsd || a.module.localeCompare(b.module)),
    metrics: costed.sort((a, b) => b.listUsd - a.listUsd || a.name.localeCompare(b.name)),
    prices: PRICE_IDS.map((id) => options.prices[id]),
    reportReadBytes: storage.readBytes + 2 * usage.rowBytes + recomputeColumnBytes,
  };
}

/**
 * BigQuery's own figures for the month's scans, when the warehouse has them (BigQuery's
 * INFORMATION_SCHEMA.JOBS; DuckDB has none). None for a month without our labelled jobs (before
 * this build labelled them, or older than the view's 180 days), or when the view cannot be read
 * (the permission, docs/DEPLOYMENT.md): then the estimate stands, and the report says why.
 */
async function measureScans(warehouse: Warehouse, fromMs: number, untilMs: number): Promise<{ measured?: MeasuredScans; unavailable?: string }> {
  if (!warehouse.jobScans) return {};
  let rows: readonly JobScan[] | undefined;
  try {
    rows = await warehouse.jobScans(fromMs, untilMs);
    if (rows === undefined) return {};
  } catch (error) {
    return { unavailable: `could not read INFORMATION_SCHEMA.JOBS (${error instanceof Error ? error.message : String(error)})` };
  }
  if (rows.length === 0) return { unavailable: 'INFORMATION_SCHEMA.JOBS has no jobs of this dataset in the month (it keeps 180 days; jobs are labelled since issue #13)' };
  const byQuery = [...rows].sort((a, b) => b.bytesBilled - a.bytesBilled || a.query.localeCompare(b.query));
  const sum = (f: (r: JobScan) => number) => rows.reduce((s, r) => s + f(r), 0);
  return { measured: { jobs: sum((r) => r.jobs), bytesProcessed: sum((r) => r.bytesProcessed), bytesBilled: sum((r) => r.bytesBilled), byQuery } };
}
